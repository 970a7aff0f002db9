package io.github.bluegreen.core;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** The server is this machine: commands run with commons-exec as the user running Maven. */
public final class LocalTransport implements Transport {
    private static final FileAttribute<?> PRIVATE_FILE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<?> PRIVATE_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws SetupException {
        CommandLine commandLine = new CommandLine(argv.get(0));
        for (String argument : argv.subList(1, argv.size())) {
            commandLine.addArgument(argument, false);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setExitValues(null);
        executor.setWatchdog(watchdog);
        executor.setStreamHandler(new PumpStreamHandler(out, err, new ByteArrayInputStream(new byte[0])));
        try {
            int exitCode = executor.execute(commandLine);
            if (watchdog.killedProcess()) {
                throw new SetupException(null, "command did not finish within " + timeout.toSeconds() + " s: " + argv.get(0));
            }
            return new ExecResult(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SetupException(null, "cannot run " + argv.get(0) + " locally: " + e.getMessage(), e);
        }
    }

    @Override
    public void stream(List<String> argv, Consumer<String> lines) throws SetupException {
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                reader.lines().forEach(lines);
            } finally {
                process.destroy();
            }
        } catch (IOException | UncheckedIOException e) {
            throw new SetupException(null, "cannot run " + argv.get(0) + " locally: " + e.getMessage(), e);
        }
    }

    @Override
    public void upload(Path localFile, String remotePath) throws SetupException {
        replaceAtomically(remotePath, temp -> {
            try (var out = Files.newOutputStream(temp)) {
                Files.copy(localFile, out);
            }
        });
    }

    @Override
    public void write(String remotePath, String content) throws SetupException {
        replaceAtomically(remotePath, temp -> Files.writeString(temp, content));
    }

    private interface Fill {
        void into(Path temp) throws IOException;
    }

    /** Fills a temp file beside the target, then renames it over the target: readers never see half a file. */
    private static void replaceAtomically(String path, Fill fill) throws SetupException {
        Path target = Path.of(path);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.getParent(), PRIVATE_DIRECTORY);
            Files.deleteIfExists(temp);
            Files.createFile(temp, PRIVATE_FILE);
            fill.into(temp);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SetupException(null, "cannot write " + path + ": " + e, e);
        }
    }

    @Override
    public Optional<String> read(String remotePath) throws SetupException {
        Path path = Path.of(remotePath);
        try {
            return Files.exists(path) ? Optional.of(Files.readString(path)) : Optional.empty();
        } catch (IOException e) {
            throw new SetupException(null, "cannot read " + remotePath + ": " + e, e);
        }
    }

    @Override
    public HttpResult httpGet(int port, String path, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return HttpProbe.get(socket.getInputStream(), socket.getOutputStream(), port, path);
        }
    }

    @Override
    public String home() {
        return System.getProperty("user.home");
    }

    @Override
    public String describe() {
        return "local";
    }

    @Override
    public void close() {
        // nothing to release
    }
}
