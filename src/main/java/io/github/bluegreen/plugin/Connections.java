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
 * Opens the transport a goal asked for. An SSH session is kept for the next goal of the same Maven invocation,
 * so the five goals of {@code mvn deploy -Pbluegreen} connect once; {@link #closeAll()} ends it when the deploy
 * is over (a session left open by a single goal ends with the JVM: its threads are daemons).
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
            OPEN.put(config, open);
        }
        return open;
    }

    /** Closes the kept SSH sessions: the deploy is over (done or failed). */
    static void closeAll() {
        OPEN.values().forEach(SshTransport::close);
        OPEN.clear();
    }
}
