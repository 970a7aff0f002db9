package io.github.bluegreen.core;

import io.github.bluegreen.core.cds.BootJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Uploads the jar to {@code releases/<deployId>/}, checks on the server that it arrived intact, frees the target port
 * of a stale instance of this app (never anything else, never the port nginx routes to) and starts the app detached,
 * with its environment from a file only the deploy user can read.
 */
final class StartStep {
    private StartStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        int port = d.state.target().port();
        // a rollback starts a release that is already on the server; a deploy uploads the artifact
        boolean rollback = d.state.target().jar() != null;
        String release = rollback ? d.state.target().release() : d.state.deployId();
        JarLayers layers = null;
        String jar;
        Long size = null;
        String sha256 = null;
        ServerCommands.Upload upload = ServerCommands.Upload.NONE;
        if (rollback) {
            jar = d.state.target().jar();
            d.log.info("Starting the previous release " + release + " again: " + jar);
        } else {
            Path artifact = d.config.artifact();
            jar = d.layout.release(release) + "/" + artifact.getFileName();
            size = size(artifact);
            Instant begin = Instant.now();   // the upload's time includes hashing the jar
            layers = layers(artifact);
            sha256 = layers.sha256();
            upload = send(d, artifact, jar, layers, size, begin);
            d.state.artifact(artifact.getFileName().toString());
            d.state.sha256(sha256);
            d.state.upload(upload);
        }
        String envFile = d.layout.environmentFile(port);
        d.transport.write(envFile, environmentFile(jar, d.config.app().environment()));
        List<String> template = d.config.app().command();
        Optional<List<String>> viaArgFile = argFileCommand(d.config);
        if (viaArgFile.isPresent()) {
            template = viaArgFile.get();
            if (!rollback) {   // a release started again has its layout on the server already (or starts with -jar)
                sendBootLayout(d, d.config.artifact(), d.layout.release(release), layers);
            }
        }
        List<String> command = new ArrayList<>();
        for (String word : template) {
            command.add(word.replace("{jar}", jar).replace("{port}", String.valueOf(port)));
        }
        // from here on the server may run an instance of this deploy: a failure stops it (see Deployment#fail)
        d.state.target(new DeployState.Instance(port, null, null, release, jar));
        d.state.targetLaunchedAt(Instant.now());
        ServerCommands.StartRequest request = new ServerCommands.StartRequest(port, release, jar, size, sha256,
                d.layout.log(release, port), envFile, d.config.app().stopTimeout(), d.config.nginx().drainTimeout(), command,
                SystemdUnit.instance(d.config, d.layout, template), upload, viaArgFile.isPresent());
        ServerCommands.StartResult result = d.server.start(request);
        if (result.exit() == ServerCommands.REBUILD_FAILED) {
            d.log.warn(result.error() + ": uploading the whole jar instead");
            Instant begin = Instant.now();
            long requests = d.transport.requests();
            d.transport.upload(d.config.artifact(), jar);
            upload = new ServerCommands.Upload(null, null, size, 0, Duration.between(begin, Instant.now()).toMillis(),
                    d.transport.requests() - requests);
            d.state.upload(upload);
            d.log.info("Uploaded " + d.config.artifact().getFileName() + " whole instead: " + kib(size) + " sent ("
                    + Durations.format(Duration.ofMillis(upload.millis())) + ")");
            result = d.server.start(new ServerCommands.StartRequest(port, release, jar, size, sha256, request.log(), envFile,
                    request.stopTimeout(), request.drainTimeout(), command, request.unitText(), upload, request.classDataSharing()));
        }
        if (result.stale() != null) {
            d.log.warn("Stopped a stale instance on port " + port + " (PID " + result.stale().pid() + ": "
                    + result.stale().command() + "): " + result.stale().describe());
        }
        if (result.exit() == ServerCommands.REFUSED && result.refusedPid() != null) {
            throw new DeployFailedException("port " + port + " is taken by PID " + result.refusedPid() + " (" + result.refusedCommand()
                    + "), which is not this app: stop that process or choose other ports with bluegreen.bluePort/bluegreen.greenPort");
        }
        if (result.exit() != ServerCommands.OK || result.pid() == null) {
            throw new DeployFailedException("could not start the app on port " + port + ": " + result.error());
        }
        d.state.target(new DeployState.Instance(port, result.pid(), result.start(), release, jar));
        d.state.targetLaunchedAt(Instant.now());
        d.log.info("Started PID " + result.pid() + " on port " + port + (d.config.app().runner() == DeployConfig.Runner.SYSTEMD
                ? " as " + d.config.app().name() + "@" + port + ".service" : ", log " + d.layout.log(release, port)));
        if (result.classDataNote() != null && "none".equals(result.classData())) {
            d.log.info("Class data: " + result.classDataNote());
        } else if (result.classDataNote() != null) {
            d.log.warn("Class data: " + result.classDataNote());
        }
        if ("archive".equals(result.classData())) {
            d.log.info("Class data: the JVM maps the archive of this release's libraries (it proved it can, -Xshare:on)");
        } else if ("training".equals(result.classData())) {
            d.log.info("Class data: no archive of these libraries for this JVM yet: this instance records the classes it loads,"
                    + " and the archive is made on the server after the switch, for the next start");
        }
    }

    /** The start command as class-data sharing runs it (from the argument file the server writes), or empty: as given. */
    static Optional<List<String>> argFileCommand(DeployConfig config) {
        return config.app().classDataSharing() ? BootJar.argFileCommand(config.app().command()) : Optional.empty();
    }

    /**
     * For a Spring Boot jar: the layout the server extracts the libraries by ({@code boot.layout}) and the application's
     * own classes as a jar ({@code classes.jar}), sent ahead of the start; nothing for another jar (it starts with -jar).
     */
    private static void sendBootLayout(Deployment d, Path artifact, String releaseDir, JarLayers layers) throws SetupException {
        Map<Long, String> hashed = new java.util.HashMap<>();   // the upload hashed the big libraries already
        layers.segments().stream().filter(JarLayers.Segment::blob).forEach(segment -> hashed.put(segment.offset(), segment.sha256()));
        try {
            Optional<BootJar> boot = BootJar.read(artifact, hashed);
            if (boot.isEmpty()) {
                return;
            }
            Path classes = Files.createTempFile("bluegreen-", ".classes.jar");
            try {
                BootJar.writeClasses(artifact, classes);
                d.transport.upload(classes, releaseDir + "/classes.jar");
            } finally {
                Files.deleteIfExists(classes);
            }
            d.transport.write(releaseDir + "/boot.layout", boot.get().layout());
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + artifact + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends only what the server lacks: nothing if an earlier release has the same jar; else the jar's gaps and the
     * library blobs the server does not hold (the server rebuilds the jar and checks its SHA-256); a jar without
     * libraries to reuse goes whole.
     */
    private static ServerCommands.Upload send(Deployment d, Path artifact, String jar, JarLayers layers, long size, Instant begin)
            throws SetupException {
        long requests = d.transport.requests();
        ServerCommands.Upload upload;
        try {
            ServerCommands.Blobs have = d.server.blobs(layers.sha256(), layers);
            if (have.jar() != null) {
                upload = new ServerCommands.Upload(have.jar(), null, 0, size, 0, 0);
            } else if (layers.blobs().isEmpty()) {
                d.transport.upload(artifact, jar);
                upload = new ServerCommands.Upload(null, null, size, 0, 0, 0);
            } else {
                Path manifest = Files.createTempFile("bluegreen-", ".manifest");
                Path data = Files.createTempFile("bluegreen-", ".data");
                try {
                    long sent = layers.writeBundle(have.missing(), manifest, data);
                    d.transport.upload(manifest, jar + ".bundle");
                    d.transport.upload(data, jar + ".bundle.data");
                    upload = new ServerCommands.Upload(null, jar + ".bundle", sent + Files.size(manifest), size - sent, 0, 0);
                } finally {
                    Files.deleteIfExists(manifest);
                    Files.deleteIfExists(data);
                }
            }
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + artifact + ": " + e.getMessage(), e);
        }
        upload = new ServerCommands.Upload(upload.reuse(), upload.bundle(), upload.sent(), upload.reused(),
                Duration.between(begin, Instant.now()).toMillis(), d.transport.requests() - requests);
        d.log.info((upload.reuse() != null ? "Upload: nothing sent, the same jar as " + upload.reuse()
                : "Uploaded " + artifact.getFileName() + ": " + kib(upload.sent()) + " sent, " + kib(upload.reused())
                        + " reused from earlier releases") + " (" + Durations.format(Duration.ofMillis(upload.millis())) + ", "
                + upload.requests() + (upload.requests() == 1 ? " request" : " requests") + " to the server)");
        return upload;
    }

    private static String kib(long bytes) {
        return bytes / 1024 + " KiB";
    }

    /**
     * The instance's environment file: {@code BLUEGREEN_JAR} (the systemd unit's ExecStart uses it) and the app's
     * variables as {@code NAME="value"} lines, escaped so that systemd's EnvironmentFile= and a POSIX shell read the
     * same value. Only the deploy user can read it; no value is ever on a command line.
     */
    static String environmentFile(String jar, Map<String, String> environment) {
        StringBuilder text = new StringBuilder("BLUEGREEN_JAR=" + doubleQuoted(jar) + "\n");
        environment.forEach((name, value) -> text.append(name).append('=').append(doubleQuoted(value)).append('\n'));
        return text.toString();
    }

    private static String doubleQuoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"";
    }

    private static long size(Path file) throws SetupException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The artifact's libraries and gaps, and its SHA-256, from one read of the file. */
    static JarLayers layers(Path artifact) throws SetupException {
        try {
            return JarLayers.of(artifact);
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + artifact + ": " + e.getMessage(), e);
        }
    }
}
