package io.github.bluegreen.core;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import io.github.bluegreen.core.ssh.SshConfig;
import io.github.bluegreen.core.ssh.SshSessions;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The server over SSH (JSch): one session for all steps of a Maven invocation, one kept shell for every command and
 * every small file (sent ahead of the command that needs it: no round trip of its own), SFTP for large uploads only, health probes over
 * direct-tcpip channels (no port opened anywhere).
 */
public final class SshTransport implements Transport {
    private static final int PRIVATE_FILE = 0600;
    /** Files up to this size travel through the kept shell (base64: a third more bytes, no round trip); larger ones over SFTP. */
    private static final long THROUGH_THE_SHELL = 4L << 20;
    /** Prints $1; exit 3 if it does not exist (or vanished meanwhile: a process's /proc file). */
    private static final String READ_FILE = "[ -e \"$1\" ] || exit 3; cat -- \"$1\" || { [ -e \"$1\" ] || exit 3; exit 1; }";
    /** Writes stdin (base64) to $1 atomically, its directory and it private to the deploy user. */
    private static final String WRITE_FILE = "umask 077; mkdir -p \"${1%/*}\" && base64 -d > \"$1.tmp\" && mv -f \"$1.tmp\" \"$1\"";
    private static final int PRIVATE_DIRECTORY = 0700;
    /** The reason code of a refused channel open (RFC 4254, 5.1) when sshd does not allow forwarding. */
    private static final int SSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1;
    private final SshConfig config;
    private final DeployLog log;
    private SshSessions sessions;
    private Session session;
    private final ExecutorService probeReader = Executors.newCachedThreadPool(runnable -> {   // probes may run concurrently (warm-up)
        Thread thread = new Thread(runnable, "bluegreen-http-probe");
        thread.setDaemon(true);
        return thread;
    });
    private ChannelSftp sftp;
    private ChannelExec shellChannel;
    private RemoteShell shell;
    private volatile boolean forwardingForbidden;
    /** Requests sent and waited for (round trips): a command, an SFTP operation. */
    private final AtomicLong requests = new AtomicLong();
    /** Directories known to exist: no SFTP stat for them again. */
    private final Set<String> directories = ConcurrentHashMap.newKeySet();
    private String home;

    private SshTransport(SshConfig config, DeployLog log) {
        this.config = config;
        this.log = log;
    }

    /** Connects and authenticates (through the jump hosts, if any); every failure becomes one line that says what to fix. */
    public static SshTransport connect(SshConfig config, DeployLog log) throws SetupException {
        SshTransport transport = new SshTransport(config, log);
        transport.sessions = SshSessions.open(config, log);
        transport.session = transport.sessions.server();
        return transport;
    }

    /** A new session: the old one may be broken (a dropped connection) while a failing deploy still has to clean up. */
    @Override
    public synchronized void reopen() throws SetupException {
        closeChannels();
        sessions.close();
        sessions = SshSessions.open(config, log);
        session = sessions.server();
    }

    /** Runs the command in the session's kept remote shell ({@link RemoteShell}). */
    @Override
    public synchronized ExecResult exec(List<String> argv, Duration timeout) throws SetupException {
        requests.incrementAndGet();
        try {
            return shell().run(argv, timeout);
        } catch (RemoteShell.SentCommandFailed e) {
            throw new SetupException(null, "cannot " + e.what + " on " + describe() + ": " + e.output);
        } catch (TimeoutException e) {
            closeShell();
            throw new SetupException(null, "remote command did not finish within " + timeout.toSeconds() + " s on " + describe());
        } catch (JSchException | IOException | RuntimeException e) {
            closeShell();
            throw new SetupException(null, "SSH command failed on " + describe() + ": " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeShell();
            throw new SetupException(null, "interrupted while running a command on " + describe());
        }
    }

    private RemoteShell shell() throws JSchException, IOException {
        if (shellChannel != null && shellChannel.isClosed() && shell.hasUnanswered()) {
            closeShell();
            throw new IOException("the remote shell ended before the files sent ahead were confirmed written");
        }
        if (shellChannel == null || shellChannel.isClosed()) {
            ChannelExec channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand("exec /bin/sh");
            InputStream out = channel.getInputStream();
            OutputStream in = channel.getOutputStream();
            channel.connect(config.connectTimeoutSeconds() * 1000);
            shellChannel = channel;
            shell = new RemoteShell(in, out, probeReader);
        }
        return shell;
    }

    private void closeShell() {
        if (shellChannel != null) {
            shellChannel.disconnect();
            shellChannel = null;
            shell = null;
        }
    }

    /** On a channel of its own (not the kept shell): it may run until the user interrupts Maven. */
    @Override
    public void stream(List<String> argv, Consumer<String> lines) throws SetupException {
        ChannelExec channel = null;
        try {
            channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand(Shell.join(argv) + " 2>&1 < /dev/null");
            InputStream out = channel.getInputStream();
            channel.connect(config.connectTimeoutSeconds() * 1000);
            try (var reader = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
                reader.lines().forEach(lines);
            }
        } catch (JSchException | IOException | UncheckedIOException e) {
            throw new SetupException(null, "SSH command failed on " + describe() + ": " + rootMessage(e), e);
        } finally {
            if (channel != null) {
                channel.disconnect();
            }
        }
    }

    @Override
    public void upload(Path localFile, String remotePath) throws SetupException {
        try (InputStream in = Files.newInputStream(localFile)) {
            if (Files.size(localFile) <= THROUGH_THE_SHELL) {
                writeThroughTheShell(in, remotePath);
            } else {
                putAtomically(in, remotePath);
            }
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + localFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String remotePath, String content) throws SetupException {
        writeThroughTheShell(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), remotePath);
    }

    /** Sent ahead of the next command (no round trip of its own): a failure fails that command, which then does not run. */
    private synchronized void writeThroughTheShell(InputStream content, String remotePath) throws SetupException {
        try {
            shell().send(List.of("sh", "-c", WRITE_FILE, "sh", remotePath), content, "write " + remotePath);
        } catch (JSchException | IOException e) {
            closeShell();
            throw new SetupException(null, "SSH command failed on " + describe() + ": " + rootMessage(e), e);
        }
    }

    /** SFTP to a temp file, then rename: JSch uses posix-rename@openssh.com, which replaces the target atomically. */
    private void putAtomically(InputStream content, String remotePath) throws SetupException {
        try {
            ChannelSftp files = sftpWithParentOf(remotePath);
            files.put(content, remotePath + ".tmp");
            files.chmod(PRIVATE_FILE, remotePath + ".tmp");
            files.rename(remotePath + ".tmp", remotePath);
            requests.addAndGet(4);   // open, close (the writes are pipelined), chmod, rename
        } catch (SftpException e) {
            throw new SetupException(null, "cannot write " + remotePath + " on " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** The SFTP channel, once the directory that is to hold {@code remotePath} exists. */
    private ChannelSftp sftpWithParentOf(String remotePath) throws SetupException, SftpException {
        ChannelSftp files = sftp();
        StringBuilder path = new StringBuilder();
        for (String part : remotePath.substring(0, remotePath.lastIndexOf('/')).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path.append('/').append(part);
            if (directories.contains(path.toString())) {
                continue;
            }
            try {
                requests.incrementAndGet();
                files.stat(path.toString());
            } catch (SftpException missing) {
                files.mkdir(path.toString());
                files.chmod(PRIVATE_DIRECTORY, path.toString());
                requests.addAndGet(2);
            }
            directories.add(path.toString());
        }
        return files;
    }

    @Override
    public Optional<String> read(String remotePath) throws SetupException {
        ExecResult result = exec(List.of("sh", "-c", READ_FILE, "sh", remotePath), Duration.ofSeconds(30));
        return switch (result.exitCode()) {
            case 0 -> Optional.of(result.stdout());
            case 3 -> Optional.empty();
            default -> throw new SetupException(null, "cannot read " + remotePath + " on " + describe() + ": " + result.output());
        };
    }

    /**
     * Over a direct-tcpip channel (no remote shell, no port opened anywhere); if the server's sshd forbids that
     * ({@code AllowTcpForwarding no}), with curl on the server for the rest of the session.
     */
    @Override
    public HttpResult httpGet(int port, String path, Duration timeout) throws IOException {
        if (forwardingForbidden) {
            return ServerCommands.probe(this, port, path, timeout);
        }
        Channel channel;
        try {
            channel = session.getStreamForwarder("127.0.0.1", port);
        } catch (JSchException e) {
            throw new IOException("cannot open a channel to port " + port + " (" + e.getMessage() + ")", e);
        }
        try {
            InputStream in = channel.getInputStream();
            var out = channel.getOutputStream();
            channel.connect((int) timeout.toMillis());
            Future<HttpResult> answer = probeReader.submit(() -> HttpProbe.get(in, out, port, path));
            try {
                return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                throw new IOException("no answer within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        } catch (JSchException e) {
            if (channel.getExitStatus() == SSH_OPEN_ADMINISTRATIVELY_PROHIBITED) {
                forwardingForbidden = true;
                log.warn("The sshd of " + describe() + " forbids port forwarding (AllowTcpForwarding no): health probes run curl"
                        + " on the server instead");
                return ServerCommands.probe(this, port, path, timeout);
            }
            // the server could not open 127.0.0.1:port: nothing listens there (yet)
            throw new IOException("connection refused (" + e.getMessage() + ")", e);
        } finally {
            channel.disconnect();
        }
    }

    @Override
    public String home() throws SetupException {
        if (home == null) {
            ExecResult result = exec(List.of("sh", "-c", "printf %s \"$HOME\""), Duration.ofSeconds(30));
            if (result.exitCode() != 0 || !result.stdout().startsWith("/")) {
                throw new SetupException(null, "cannot find the home directory on " + describe() + ": " + result.output());
            }
            home = result.stdout();
        }
        return home;
    }

    private ChannelSftp sftp() throws SetupException {
        if (sftp == null || !sftp.isConnected()) {
            try {
                sftp = (ChannelSftp) session.openChannel("sftp");
                sftp.connect(config.connectTimeoutSeconds() * 1000);
            } catch (JSchException e) {
                throw new SetupException(null, session.isConnected() ? "cannot open SFTP on " + describe()
                        + " (is the sftp subsystem enabled in sshd_config?): " + e.getMessage()
                        : "the SSH connection to " + describe() + " was lost: " + e.getMessage(), e);
            }
        }
        return sftp;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @Override
    public long requests() {
        return requests.get();
    }

    public boolean isConnected() {
        return sessions.isConnected();
    }

    @Override
    public String describe() {
        return sessions.describe();
    }

    @Override
    public synchronized void close() {
        if (shell != null && shell.hasUnanswered()) {   // files sent ahead of no command: confirm them, or say so
            try {
                exec(List.of("true"), Duration.ofMinutes(5));
            } catch (SetupException e) {
                log.warn(e.getMessage());
            }
        }
        closeChannels();
        sessions.close();
        probeReader.shutdownNow();
    }

    private void closeChannels() {
        closeShell();
        if (sftp != null) {
            sftp.disconnect();
            sftp = null;
        }
    }
}
