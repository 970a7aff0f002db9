package io.github.bluegreen.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command of {@code server.sh} on the server: {@code sh -c <script> bluegreen COMMAND ARGS...}.
 * The script text is constant; arguments travel as separate, quoted words.
 */
final class ServerScript {
    static final int OK = 0;
    static final int REFUSED = 3;

    static final String TEXT = load();
    private final Transport transport;

    ServerScript(Transport transport) {
        this.transport = transport;
    }

    ExecResult run(Duration timeout, String stdin, String command, List<String> args) throws SetupException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", TEXT, "bluegreen", command));
        argv.addAll(args);
        return transport.exec(argv, stdin, timeout);
    }

    ExecResult run(Duration timeout, String command, String... args) throws SetupException {
        return run(timeout, null, command, List.of(args));
    }

    private static String load() {
        try (InputStream in = ServerScript.class.getResourceAsStream("server.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
