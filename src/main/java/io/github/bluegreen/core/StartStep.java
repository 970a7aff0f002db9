package io.github.bluegreen.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Uploads the jar to {@code releases/<deployId>/}, checks it arrived intact, frees the target port of a
 * stale instance of this app (never anything else, never the live port) and starts the app detached.
 */
final class StartStep implements Step {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Override
    public String goal() {
        return "start";
    }

    @Override
    public Phase requires() {
        return Phase.DETECTED;
    }

    @Override
    public Phase completes() {
        return Phase.STARTED;
    }

    @Override
    public void run(Deployment d) throws SetupException, DeployFailedException {
        int port = Integer.parseInt(d.state.get("target.port"));
        // a rollback starts a release that is already on the server; a deploy uploads the artifact
        String release = d.state.get("rollback.release") != null ? d.state.get("rollback.release") : d.state.deployId();
        String jar;
        String size = "";
        String sha256 = "";
        if (d.state.get("rollback.jar") != null) {
            jar = d.state.get("rollback.jar");
            d.log.info("Starting the previous release " + release + " again: " + jar);
        } else {
            Path artifact = d.config.artifact();
            jar = d.layout.release(release) + "/" + artifact.getFileName();
            long bytes = size(artifact);
            size = String.valueOf(bytes);
            sha256 = sha256(artifact);
            Instant begin = Instant.now();
            d.transport.upload(artifact, jar);
            d.log.info("Uploaded " + artifact.getFileName() + " (" + bytes / 1024 + " KiB) to " + jar + " in "
                    + Durations.format(Duration.between(begin, Instant.now())));
            d.state.set("target.artifact", artifact.getFileName());
            d.state.set("target.sha256", sha256);
        }
        String jarName = jar.substring(jar.lastIndexOf('/'));

        List<String> args = new ArrayList<>(List.of(jar, size, sha256, String.valueOf(port),
                d.layout.log(port), String.valueOf(d.config.app().stopTimeout().toSeconds()),
                // what makes a process on the target port "a stale instance of this app": our releases, or a jar of the same name
                d.layout.releases() + "/", jarName));
        DeployState.Instance stale = d.state.instance("stale");
        args.add(stale == null ? "" : String.valueOf(stale.pid()));
        args.add(stale == null ? "" : stale.command());
        for (Map.Entry<String, String> variable : d.config.app().environment().entrySet()) {
            if (!ENV_NAME.matcher(variable.getKey()).matches()) {
                throw new SetupException("bluegreen.environment", "'" + variable.getKey() + "' is not a valid environment variable name");
            }
            args.add(variable.getKey() + "=" + variable.getValue());
        }
        for (String word : d.config.app().command()) {
            args.add(word.replace("{jar}", jar).replace("{port}", String.valueOf(port)));
        }
        ExecResult result = d.script.run(d.stopTimeout(), null, "start", args);
        Map<String, String> values = result.values();
        if (result.exitCode() == ServerScript.REFUSED) {
            throw d.abort("port " + port + " is taken by PID " + values.get("refused.pid") + " (" + values.get("refused.command").trim()
                    + "), which is not this app: stop that process or choose other ports with bluegreen.bluePort/bluegreen.greenPort");
        }
        if (result.exitCode() != ServerScript.OK || !values.containsKey("pid")) {
            throw d.abort("could not start the app on port " + port + ": " + values.getOrDefault("error", result.output()));
        }
        if (values.containsKey("stale.pid")) {
            d.log.warn("Stopped a stale instance on port " + port + " (PID " + values.get("stale.pid") + ": "
                    + values.get("stale.command").trim() + ")");
        }
        long pid = Long.parseLong(values.get("pid"));
        d.state.instance("target", new DeployState.Instance(port, pid, release, jar));
        d.state.set("target.launchedAt", Instant.now());
        d.log.info("Started PID " + pid + " on port " + port + ", log " + d.layout.log(port));
    }

    private static long size(Path file) throws SetupException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) throws SetupException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
