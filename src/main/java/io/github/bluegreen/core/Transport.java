package io.github.bluegreen.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the plugin reaches the server: over SSH ({@link SshTransport}) or on this machine
 * ({@link LocalTransport}). Every deploy step is written once, above this interface. Files and directories it
 * creates are private to the deploy user (mode 600 and 700).
 */
public interface Transport extends AutoCloseable {

    /** Runs {@code argv} (arguments are never re-parsed by a shell), waiting up to {@code timeout}. */
    ExecResult exec(List<String> argv, Duration timeout) throws SetupException;

    /** Runs {@code argv} and hands each line of its output to {@code lines} as it comes, until the command ends. */
    void stream(List<String> argv, java.util.function.Consumer<String> lines) throws SetupException;

    /**
     * Copies a local file to an absolute path on the server atomically, creating parent directories. It may return
     * before the file is written (sent ahead of the next command, no round trip of its own): it is written before the
     * next command runs, and if it cannot be, that command does not run and fails with the reason.
     */
    void upload(Path localFile, String remotePath) throws SetupException;

    /** Writes a small text file atomically (temp file + rename), creating parent directories; as {@link #upload}, it may be sent ahead. */
    void write(String remotePath, String content) throws SetupException;

    /** Reads a small text file on the server; empty if it does not exist. */
    Optional<String> read(String remotePath) throws SetupException;

    /** HTTP GET {@code http://127.0.0.1:port + path} as seen from the server. */
    HttpResult httpGet(int port, String path, Duration timeout) throws IOException;

    /** The home directory of the user the steps run as on the server. */
    String home() throws SetupException;

    /**
     * After a failed command: a working connection again (SSH: a new session if the old one is broken), so that a
     * failing deploy can still stop what it started and release the lock.
     */
    default void reopen() throws SetupException {}

    /** How many requests this transport has sent and waited for so far (round trips: commands, SFTP operations). */
    default long requests() {
        return 0;
    }

    /** For logs: {@code ssh deploy@example.com:22} or {@code local}. */
    String describe();

    @Override
    void close();
}
