package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployLog;
import io.github.bluegreen.core.LocalTransport;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.SshConfig;
import io.github.bluegreen.core.SshTransport;
import io.github.bluegreen.core.Transport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the transport a goal asked for. SSH sessions are kept for the rest of the Maven invocation, so the
 * five goals of {@code mvn deploy -Pbluegreen} connect once; they are closed when Maven exits.
 */
final class Connections {
    private static final Map<SshConfig, SshTransport> OPEN = new ConcurrentHashMap<>();

    private Connections() {}

    /** Supplies the SSH settings only when SSH is used (reading settings.xml may fail). */
    interface SshSettings {
        SshConfig get() throws SetupException;
    }

    static Transport open(String transport, String host, SshSettings ssh, DeployLog log) throws SetupException {
        if ("local".equals(transport)) {
            return new LocalTransport();
        }
        if (!"ssh".equals(transport)) {
            throw new SetupException("bluegreen.transport", "unknown transport '" + transport + "': use ssh or local");
        }
        if (host == null || host.isBlank()) {
            throw new SetupException("bluegreen.host", "bluegreen.host is required for the ssh transport"
                    + " (or deploy on this machine with -Dbluegreen.transport=local)");
        }
        SshConfig config = ssh.get();
        if (!config.strictHostKeyChecking()) {
            log.warn("bluegreen.strictHostKeyChecking=false: the identity of " + host + " is NOT verified");
        }
        SshTransport open = OPEN.get(config);
        if (open == null || !open.isConnected()) {
            open = SshTransport.connect(config, log);
            // registered once a session exists, so the hook needs no class loading after Maven closed the plugin's realm
            SshTransport session = open;
            Runtime.getRuntime().addShutdownHook(new Thread(session::close, "bluegreen-ssh-close"));
            OPEN.put(config, open);
        }
        return open;
    }
}
