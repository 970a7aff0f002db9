package io.github.bluegreen.core;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
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
 * The server over SSH (JSch): one session for all steps of a Maven invocation; shell commands on exec
 * channels, files over SFTP (no remote shell), health probes over direct-tcpip channels (no remote shell,
 * no port opened anywhere).
 */
public final class SshTransport implements Transport {
    private static final int PRIVATE_FILE = 0600;
    private static final int PRIVATE_DIRECTORY = 0700;
    /** The reason code of a refused channel open (RFC 4254, 5.1) when sshd does not allow forwarding. */
    private static final int SSH_OPEN_ADMINISTRATIVELY_PROHIBITED = 1;
    private final SshConfig config;
    private final DeployLog log;
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

    private SshTransport(SshConfig config, DeployLog log) {
        this.config = config;
        this.log = log;
    }

    /** Connects and authenticates; every failure becomes one line that says what to fix. */
    public static SshTransport connect(SshConfig config, DeployLog log) throws SetupException {
        SshTransport transport = new SshTransport(config, log);
        transport.session = openSession(config, log);
        return transport;
    }

    /** A new session: the old one may be broken (a dropped connection) while a failing deploy still has to clean up. */
    @Override
    public synchronized void reopen() throws SetupException {
        closeChannels();
        session.disconnect();
        session = openSession(config, log);
    }

    private static Session openSession(SshConfig config, DeployLog log) throws SetupException {
        JSch jsch = new JSch();
        jsch.setInstanceLogger(new JschLog(log));
        String target = config.user() + "@" + config.host() + ":" + config.port();
        Session session = null;
        try {
            if (config.strictHostKeyChecking()) {
                if (!Files.isReadable(config.knownHosts())) {
                    throw new SetupException("bluegreen.knownHosts", "known_hosts file " + config.knownHosts()
                            + " does not exist or is unreadable: add the server's key with 'ssh-keyscan -p " + config.port()
                            + " " + config.host() + " >> " + config.knownHosts() + "' (check its fingerprint)");
                }
                jsch.setKnownHosts(config.knownHosts().toString());
            }
            addIdentity(jsch, config);
            session = jsch.getSession(config.user(), config.host(), config.port());
            // this JSch fork knows only yes/ask/no; "no" is the user's explicit choice, logged by the caller
            session.setConfig("StrictHostKeyChecking", config.strictHostKeyChecking() ? "yes" : "no");
            session.setConfig("PreferredAuthentications", "publickey,password");
            if (config.password() != null) {
                session.setPassword(config.password().getBytes(StandardCharsets.UTF_8));
            }
            session.setServerAliveInterval(15_000);
            session.setDaemonThread(true);
            session.connect(config.connectTimeoutSeconds() * 1000);
            return session;
        } catch (JSchUnknownHostKeyException e) {
            throw new SetupException("bluegreen.knownHosts", "host key of " + config.host() + ":" + config.port()
                    + " is unknown" + fingerprint(session, jsch) + ": not in " + config.knownHosts() + ". Check it, then trust it with 'ssh-keyscan -p "
                    + config.port() + " " + config.host() + " >> " + config.knownHosts() + "'", e);
        } catch (JSchChangedHostKeyException e) {
            throw new SetupException("bluegreen.knownHosts", "host key of " + config.host() + ":" + config.port()
                    + " has CHANGED" + fingerprint(session, jsch) + " - someone may be intercepting the connection. If the server was"
                    + " reinstalled, remove the old key with 'ssh-keygen -R \"[" + config.host() + "]:" + config.port() + "\" -f "
                    + config.knownHosts() + "' and trust the new one", e);
        } catch (JSchException e) {
            throw translate(e, target);
        }
    }

    private static void addIdentity(JSch jsch, SshConfig config) throws SetupException, JSchException {
        byte[] passphrase = config.passphrase() == null ? null : config.passphrase().getBytes(StandardCharsets.UTF_8);
        if (config.identityFile() != null) {
            if (!Files.isReadable(config.identityFile())) {
                throw new SetupException(config.keyParameter(), "SSH key " + config.identityFile() + " (from " + config.keyOrigin()
                        + ") does not exist or is unreadable");
            }
            addKeyFile(jsch, config, config.identityFile(), passphrase);
            return;
        }
        if (config.password() != null) {
            return;
        }
        Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
            if (Files.isReadable(ssh.resolve(name))) {
                addKeyFile(jsch, config, ssh.resolve(name), passphrase);
                return;
            }
        }
        throw new SetupException("bluegreen.identityFile", "no SSH key found (tried ~/.ssh/id_ed25519, id_ecdsa, id_rsa):"
                + " set bluegreen.identityFile or a settings.xml <server> with bluegreen.serverId");
    }

    private static void addKeyFile(JSch jsch, SshConfig config, Path key, byte[] passphrase) throws SetupException {
        try {
            jsch.addIdentity(key.toString(), passphrase);
        } catch (JSchException e) {
            throw new SetupException(config.keyParameter(), "cannot use SSH key " + key + ": " + e.getMessage()
                    + (passphrase == null ? " (if it has a passphrase, give it in settings.xml <passphrase>)"
                            : " (check the passphrase in " + config.keyOrigin() + ")"), e);
        }
    }

    private static String fingerprint(Session session, JSch jsch) {
        // JSch keeps the key the server offered even when it rejects it
        return session == null || session.getHostKey() == null ? ""
                : " (server key " + session.getHostKey().getType() + " " + session.getHostKey().getFingerPrint(jsch) + ")";
    }

    private static SetupException translate(JSchException e, String target) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Auth fail") || message.contains("Auth cancel")) {
            return new SetupException("bluegreen.user", "SSH authentication failed for " + target
                    + ": check bluegreen.user and the key (bluegreen.identityFile or the settings.xml <server> of bluegreen.serverId)", e);
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new SetupException("bluegreen.host", "cannot connect to " + target + ": " + cause.getClass().getSimpleName()
                + " " + cause.getMessage() + ". Check bluegreen.host and bluegreen.sshPort", e);
    }

    /** Runs the command in the session's kept remote shell ({@link RemoteShell}). */
    @Override
    public synchronized ExecResult exec(List<String> argv, Duration timeout) throws SetupException {
        requests.incrementAndGet();
        try {
            return shell().run(argv, timeout);
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
            putAtomically(in, remotePath);
        } catch (IOException e) {
            throw new SetupException("bluegreen.artifact", "cannot read " + localFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String remotePath, String content) throws SetupException {
        putAtomically(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), remotePath);
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

    @Override
    public void append(String remotePath, String text) throws SetupException {
        try {
            ChannelSftp files = sftpWithParentOf(remotePath);
            files.put(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), remotePath, ChannelSftp.APPEND);
            files.chmod(PRIVATE_FILE, remotePath);
        } catch (SftpException e) {
            throw new SetupException(null, "cannot append to " + remotePath + " on " + describe() + ": " + e.getMessage(), e);
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
    public void delete(String remotePath) throws SetupException {
        try {
            sftp().rm(remotePath);
        } catch (SftpException e) {
            if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                throw new SetupException(null, "cannot delete " + remotePath + " on " + describe() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Optional<String> read(String remotePath) throws SetupException {
        try (InputStream in = sftp().get(remotePath)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw new SetupException(null, "cannot read " + remotePath + " on " + describe() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SetupException(null, "cannot read " + remotePath + " on " + describe() + ": " + e.getMessage(), e);
        }
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
        try {
            return sftp().getHome();
        } catch (SftpException e) {
            throw new SetupException(null, "cannot find the home directory on " + describe() + ": " + e.getMessage(), e);
        }
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
        return session.isConnected();
    }

    @Override
    public String describe() {
        return "ssh " + config.user() + "@" + config.host() + ":" + config.port();
    }

    @Override
    public synchronized void close() {
        closeChannels();
        session.disconnect();
        probeReader.shutdownNow();
    }

    private void closeChannels() {
        closeShell();
        if (sftp != null) {
            sftp.disconnect();
            sftp = null;
        }
    }

    /** JSch's own log goes to the debug log only: it never carries secrets, but it is noisy. */
    private record JschLog(DeployLog log) implements com.jcraft.jsch.Logger {
        @Override
        public boolean isEnabled(int level) {
            return true;
        }

        @Override
        public void log(int level, String message) {
            log.debug("jsch: " + message);
        }
    }
}
