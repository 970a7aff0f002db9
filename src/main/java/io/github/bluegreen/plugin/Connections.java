package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployLog;
import io.github.bluegreen.core.LocalTransport;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.SshConfig;
import io.github.bluegreen.core.SshTransport;
import io.github.bluegreen.core.Transport;
import java.util.Map;

/**
 * Opens the transport a goal asked for. An SSH session is kept in the plugin context of the Maven project (as
 * maven-deploy-plugin keeps its state), so the goals of one {@code mvn deploy -Pbluegreen} connect once, and the
 * projects of a parallel build ({@code -T}) each have their own; {@link #close} ends it when the deploy is over (a
 * session left open by a single goal ends with the JVM: its threads are daemons).
 */
final class Connections {
    private static final String KEY = "bluegreen.ssh";

    private Connections() {}

    /** Supplies the SSH settings only when SSH is used (reading settings.xml may fail). */
    interface SshSettings {
        SshConfig get() throws SetupException;
    }

    /** The SSH transport kept for one configuration. */
    private record Kept(SshConfig config, SshTransport transport) {}

    static Transport open(Map<String, Object> context, String transport, String host, SshSettings ssh, DeployLog log)
            throws SetupException {
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
        if (context.get(KEY) instanceof Kept kept && kept.config().equals(config) && kept.transport().isConnected()) {
            return kept.transport();
        }
        close(context);
        SshTransport opened = SshTransport.connect(config, log);
        context.put(KEY, new Kept(config, opened));
        return opened;
    }

    /** Closes the project's kept SSH session: the deploy is over (done or failed). */
    static void close(Map<String, Object> context) {
        if (context.remove(KEY) instanceof Kept kept) {
            kept.transport().close();
        }
    }
}
