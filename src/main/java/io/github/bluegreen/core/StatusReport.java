package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What runs on the server, read-only: the live port (from nginx's include), each port's process, uptime and
 * health, the release and who deployed it, the lock holder, and the last deploys from {@code history.log}.
 */
public final class StatusReport {
    private StatusReport() {}

    public static List<String> of(Deployment d, int lastDeploys) throws SetupException {
        Map<String, String> seen = d.script.run(Duration.ofSeconds(30), null, "inspect", d.includeAndPorts()).values();
        DeployState state = d.readStateOrEmpty();
        String line = seen.getOrDefault("include.line", "").trim();
        List<String> report = new ArrayList<>();
        report.add("nginx: " + (line.isEmpty() ? "no include " + d.config.nginx().include() + " (nothing deployed yet)" : line));
        for (int port : d.config.app().ports()) {
            report.add(describePort(d, state, seen, port, line.contains("127.0.0.1:" + port + ";")));
        }
        report.add("deploy: " + lastDeploy(state));
        Optional<String> lock = d.transport.read(d.layout.lockFile());
        report.add("lock: " + lock.map(text -> "held by deploy " + LockOwner.deployIdOf(text) + " (" + text.trim().replace('\n', ' ') + ")")
                .orElse("free"));
        String history = d.script.run(Duration.ofSeconds(30), "tail", String.valueOf(lastDeploys), d.layout.historyFile()).stdout();
        report.add("last deploys (id, kind, outcome, by, artifact, sha256, from port, to port, started, finished, reason):");
        if (history.isBlank()) {
            report.add("  none");
        }
        history.lines().forEach(entry -> report.add("  " + entry.replace('\t', ' ')));
        return report;
    }

    private static String lastDeploy(DeployState state) {
        if (state.deployId() == null) {
            return "none recorded";
        }
        String kind = state.get("kind") == null ? "" : state.get("kind") + " ";
        String failure = state.get("failure") == null ? "" : "; failure: " + state.get("failure");
        return kind + state.deployId() + " " + state.phase() + " by " + state.get("deployedBy") + ", started " + state.get("startedAt") + failure;
    }

    private static String describePort(Deployment d, DeployState state, Map<String, String> seen, int port, boolean live) {
        String pid = seen.getOrDefault("port." + port + ".pid", "");
        StringBuilder text = new StringBuilder("port " + port + (live ? " (LIVE): " : ": "));
        if (pid.isEmpty()) {
            return text.append("nothing listening").toString();
        }
        text.append("PID ").append(pid);
        String uptime = seen.get("port." + port + ".uptime");
        if (uptime != null && !uptime.isEmpty()) {
            text.append(", up ").append(Durations.format(Duration.ofSeconds(Long.parseLong(uptime))));
        }
        try {
            text.append(", health ").append(d.transport.httpGet(port, d.config.health().path(), Duration.ofSeconds(2)).summary());
        } catch (IOException e) {
            text.append(", health: ").append(e.getMessage());
        }
        for (String role : new String[] {"live", "previous", "target"}) {
            DeployState.Instance instance = state.instance(role);
            if (instance != null && instance.port() == port && String.valueOf(instance.pid()).equals(pid)) {
                text.append(", release ").append(instance.release()).append(" (").append(role);
                // after a finished deploy the live instance is the one it uploaded; after a failed one it is not
                if (role.equals("live") && state.phase() == Phase.DONE && state.get("target.sha256") != null) {
                    text.append(", ").append(state.get("target.artifact")).append(" sha256 ").append(state.get("target.sha256"));
                }
                if (role.equals("previous") && state.get("previous.keptUntil") != null) {
                    text.append(", kept for rollback until ").append(state.get("previous.keptUntil"));
                }
                text.append(')');
            }
        }
        return text.toString();
    }
}
