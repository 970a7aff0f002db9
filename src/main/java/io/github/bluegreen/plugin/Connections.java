package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployLog;
import io.github.bluegreen.core.LocalTransport;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.SshTransport;
import io.github.bluegreen.core.Transport;
import io.github.bluegreen.core.ssh.SshConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens the transports a goal asked for: one SSH session per host, opened in parallel, kept in the plugin context of
 * the Maven project (as maven-deploy-plugin keeps its state), so the goals of one {@code mvn deploy -Pbluegreen}
 * connect once, and the projects of a parallel build ({@code -T}) each have their own; {@link #close} ends them when
 * the deploy is over (a session left open by a single goal ends with the JVM: its threads are daemons).
 */
final class Connections {
    private static final String KEY = "bluegreen.ssh";

    private Connections() {}

    /** Supplies a host's SSH settings only when SSH is used (reading settings.xml may fail). */
    interface SshSettings {
        SshConfig get() throws SetupException;
    }

    /** A host's transport, or (null) why it cannot be reached. */
    record Reach(Transport transport, SetupException failure) {}

    /**
     * The transport of each host, by the host's name; a single host that cannot be reached fails at once, in a fleet
     * the goal decides (see {@link io.github.bluegreen.core.Fleet}).
     */
    static Map<String, Reach> open(Map<String, Object> context, String transport, Map<String, SshSettings> hosts, DeployLog log)
            throws SetupException {
        if ("local".equals(transport)) {
            if (hosts.size() > 1) {
                throw new SetupException("bluegreen.hosts", "bluegreen.hosts lists " + hosts.size() + " hosts, but the local transport"
                        + " deploys on this machine only: use -Dbluegreen.transport=ssh");
            }
            return Map.of("local", new Reach(new LocalTransport(), null));
        }
        if (!"ssh".equals(transport)) {
            throw new SetupException("bluegreen.transport", "unknown transport '" + transport + "': use ssh or local");
        }
        if (hosts.isEmpty()) {
            throw new SetupException("bluegreen.host", "bluegreen.host (or bluegreen.hosts) is required for the ssh transport"
                    + " (or deploy on this machine with -Dbluegreen.transport=local)");
        }
        Map<SshConfig, SshTransport> kept = kept(context);
        Map<String, SshConfig> configs = new LinkedHashMap<>();
        for (Map.Entry<String, SshSettings> host : hosts.entrySet()) {
            SshConfig config = host.getValue().get();
            if (Boolean.FALSE.equals(config.strictHostKeyChecking())) {
                log.warn("bluegreen.strictHostKeyChecking=false: the identity of " + config.host() + " is NOT verified");
            }
            configs.put(host.getKey(), config);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(configs.size(), 16));
        try {
            Map<String, Future<SshTransport>> opening = new LinkedHashMap<>();
            for (Map.Entry<String, SshConfig> host : configs.entrySet()) {
                SshTransport open = kept.get(host.getValue());
                opening.put(host.getKey(), open != null && open.isConnected() ? java.util.concurrent.CompletableFuture.completedFuture(open)
                        : pool.submit(() -> SshTransport.connect(host.getValue(), log)));
            }
            Map<String, Reach> reached = new LinkedHashMap<>();
            for (Map.Entry<String, Future<SshTransport>> host : opening.entrySet()) {
                try {
                    SshTransport open = host.getValue().get();
                    kept.put(configs.get(host.getKey()), open);
                    reached.put(host.getKey(), new Reach(open, null));
                } catch (ExecutionException e) {
                    SetupException setup = e.getCause() instanceof SetupException s ? s : new SetupException(null, e.getCause().toString());
                    if (hosts.size() == 1) {
                        close(context);
                        throw setup;
                    }
                    reached.put(host.getKey(), new Reach(null, setup));
                }
            }
            return reached;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException(null, "interrupted while connecting");
        } finally {
            pool.shutdown();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<SshConfig, SshTransport> kept(Map<String, Object> context) {
        return (Map<SshConfig, SshTransport>) context.computeIfAbsent(KEY, key -> new java.util.concurrent.ConcurrentHashMap<>());
    }

    /** Closes the project's kept SSH sessions: the deploy is over (done or failed). */
    static void close(Map<String, Object> context) {
        if (context.remove(KEY) instanceof Map<?, ?> kept) {
            kept.values().forEach(transport -> ((SshTransport) transport).close());
        }
    }
}
