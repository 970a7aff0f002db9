package io.github.bluegreen.core.ssh;

import com.jcraft.jsch.ConfigRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.OpenSSHConfig;
import com.jcraft.jsch.Session;
import io.github.bluegreen.core.DeployLog;
import io.github.bluegreen.core.SetupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An SSH session to the server the way OpenSSH's client would open it: the host, user, port, keys, known_hosts file,
 * host key checking and jump hosts from the plugin's parameters, else from the OpenSSH client config; the keys of the SSH
 * agent (SSH_AUTH_SOCK, or the config's IdentityAgent) and the key files; through each jump host in turn (ProxyJump), each
 * hop with its own host key check and keys. Every failure is one line naming the hop, the cause and what to fix.
 */
public final class SshSessions {
    private final List<Session> hops;   // the jump hosts first, the server last
    private final HostConfig target;

    private SshSessions(List<Session> hops, HostConfig target) {
        this.hops = hops;
        this.target = target;
    }

    public static SshSessions open(SshConfig ssh, DeployLog log) throws SetupException {
        Path home = Path.of(System.getProperty("user.home"));
        ConfigRepository file = readConfig(ssh.sshConfigFile());
        HostConfig target = HostConfig.target(ssh, file, home, System.getProperty("user.name"), System.getenv("SSH_AUTH_SOCK"));
        List<HostConfig> route = new ArrayList<>();
        for (String entry : target.proxyJump()) {
            route.add(HostConfig.jump(entry, file, target, home, System.getProperty("user.name")));
        }
        route.add(target);
        List<Session> opened = new ArrayList<>();
        try {
            for (HostConfig hop : route) {
                boolean jump = hop != target;
                Session previous = opened.isEmpty() ? null : opened.get(opened.size() - 1);
                opened.add(connect(ssh, hop, jump, previous, log));
            }
        } catch (SetupException e) {
            close(opened);
            throw e;
        }
        return new SshSessions(opened, target);
    }

    /** The session to the server itself. */
    public Session server() {
        return hops.get(hops.size() - 1);
    }

    public boolean isConnected() {
        return hops.stream().allMatch(Session::isConnected);
    }

    /** For logs: {@code ssh deploy@app.example.com:22}, and the jump hosts. */
    public String describe() {
        String via = hops.size() == 1 ? "" : " via " + String.join(", ", hops.subList(0, hops.size() - 1).stream()
                .map(hop -> hop.getUserName() + "@" + hop.getHost() + ":" + hop.getPort()).toList());
        return "ssh " + target.address() + via;
    }

    public void close() {
        close(hops);
    }

    private static void close(List<Session> sessions) {
        for (int i = sessions.size() - 1; i >= 0; i--) {   // the server's session first: it runs inside the jump hosts'
            sessions.get(i).disconnect();
        }
    }

    private static ConfigRepository readConfig(Path file) throws SetupException {
        if (file == null || !Files.exists(file)) {
            return null;
        }
        try {
            return OpenSSHConfig.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new SetupException("bluegreen.sshConfig", "cannot read the ssh config " + file + ": " + e.getMessage(), e);
        }
    }

    private static Session connect(SshConfig ssh, HostConfig hop, boolean jump, Session previous, DeployLog log) throws SetupException {
        String role = jump ? "the jump host " + hop.name() + " (ProxyJump)" : hop.hostName() + ":" + hop.port();
        JSch jsch = new JSch();   // one per hop: each its own known_hosts and keys
        jsch.setInstanceLogger(new JschLog(log));
        Identities identities = null;
        Session session = null;
        try {
            if (hop.strict()) {
                if (!Files.isReadable(hop.knownHosts())) {
                    throw new SetupException("bluegreen.knownHosts", "known_hosts file " + hop.knownHosts() + " does not exist or is"
                            + " unreadable: add the host key of " + role + " with " + keyscan(hop, jump) + " (check its fingerprint)");
                }
                jsch.setKnownHosts(hop.knownHosts().toString());
            }
            boolean passwordOnly = !jump && ssh.password() != null && ssh.identityFile() == null;   // settings.xml's <password>
            if (!passwordOnly) {
                identities = Identities.of(hop, jump ? null : ssh.passphrase(), jump ? "bluegreen.sshConfig" : ssh.keyParameter(),
                        jump ? "the ssh config" : ssh.keyOrigin());
                jsch.setIdentityRepository(identities);
            }
            session = jsch.getSession(hop.user(), hop.hostName(), hop.port());
            // this JSch fork knows only yes/ask/no; "no" is the user's explicit choice, logged by the caller
            session.setConfig("StrictHostKeyChecking", hop.strict() ? "yes" : "no");
            session.setConfig("PreferredAuthentications", "publickey,password");
            if (!jump && ssh.password() != null) {
                session.setPassword(ssh.password().getBytes(StandardCharsets.UTF_8));
            }
            if (previous != null) {
                session.setProxy(new JumpProxy(previous));
            }
            session.setServerAliveInterval(15_000);
            session.setDaemonThread(true);
            session.connect(ssh.connectTimeoutSeconds() * 1000);
            return session;
        } catch (JSchUnknownHostKeyException e) {
            throw new SetupException(jump ? "bluegreen.sshConfig" : "bluegreen.knownHosts", "host key of " + role + " is unknown"
                    + fingerprint(session, jsch) + ": not in " + hop.knownHosts() + ". Check it, then trust it with " + keyscan(hop, jump), e);
        } catch (JSchChangedHostKeyException e) {
            throw new SetupException(jump ? "bluegreen.sshConfig" : "bluegreen.knownHosts", "host key of " + role
                    + " has CHANGED" + fingerprint(session, jsch) + " - someone may be intercepting the connection. If the server was"
                    + " reinstalled, remove the old key with 'ssh-keygen -R \"[" + hop.hostName() + "]:" + hop.port() + "\" -f "
                    + hop.knownHosts() + "' and trust the new one", e);
        } catch (JSchException e) {
            throw translate(e, hop, role, jump, previous != null, identities);
        }
    }

    private static String keyscan(HostConfig hop, boolean jump) {
        String scan = "'ssh-keyscan -p " + hop.port() + " " + hop.hostName() + " >> " + hop.knownHosts() + "'";
        return jump || hop.proxyJump().isEmpty() ? scan : scan + " run where it can reach the server (e.g. on the jump host "
                + hop.proxyJump().get(hop.proxyJump().size() - 1) + ")";
    }

    private static SetupException translate(JSchException e, HostConfig hop, String role, boolean jump, boolean viaJump, Identities identities) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Auth fail") || message.contains("Auth cancel")) {
            return new SetupException(jump ? "bluegreen.sshConfig" : "bluegreen.user", "SSH authentication failed for "
                    + (jump ? role + ", " + hop.address() : hop.address()) + ": check " + (jump ? "the jump host's User and IdentityFile"
                    : "bluegreen.user and the key (bluegreen.identityFile or the settings.xml <server> of bluegreen.serverId)")
                    + (identities == null ? "" : " (" + identities.describeOffered() + ")"), e);
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new SetupException(jump ? "bluegreen.proxyJump" : "bluegreen.host", "cannot connect to " + (jump ? role + ", " : "")
                + hop.address() + (viaJump ? " through the jump host" : "") + ": " + cause.getClass().getSimpleName() + " "
                + cause.getMessage() + (jump ? ". Check the jump host (bluegreen.proxyJump or ProxyJump in the ssh config)"
                        : ". Check bluegreen.host and bluegreen.sshPort"), e);
    }

    private static String fingerprint(Session session, JSch jsch) {
        // JSch keeps the key the server offered even when it rejects it
        return session == null || session.getHostKey() == null ? ""
                : " (server key " + session.getHostKey().getType() + " " + session.getHostKey().getFingerPrint(jsch) + ")";
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
