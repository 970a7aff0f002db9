package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs on the server, read-only: the live port (from nginx's include), a switch cut off halfway, each port's
 * process, uptime, health and release, the deploy in progress or the last one (and whether it was cut off), the lock
 * holder, and the last deploys from {@code history.log}.
 */
public final class StatusReport {
    private StatusReport() {}

    public static List<String> of(Deployment d, int lastDeploys) throws SetupException {
        ServerCommands.Inspection seen = d.server.inspect();
        DeployState state = d.stateOrEmpty(seen.stateFile());
        List<String> report = new ArrayList<>();
        report.add("nginx: " + (seen.includeExists() ? seen.includeLine() : "no include " + d.config.nginx().include() + " (nothing deployed yet)"));
        if (seen.canary() != null) {
            report.add("nginx: a canary: " + seen.canary().share() + " % of the requests to port " + seen.canary().port()
                    + ", the rest to the live instance" + (state.phase() == Phase.CANARY && state.target() != null
                            ? " (deploy " + state.deployId() + ", release " + state.target().release() + ")" : ""));
        }
        if (seen.journal() != null) {
            report.add("nginx: a " + (seen.journal().canary() ? "canary's step" : "switch") + " to port " + seen.journal().to()
                    + " was cut off halfway: the next deploy settles it");
        }
        for (int port : d.config.app().ports()) {
            report.add(describePort(d, state, seen.port(port), seen.includeLine().contains("127.0.0.1:" + port + ";")));
        }
        String holderAlive = seen.holder() == null ? null
                : seen.holderAlive().equals("unknown") ? seen.holder().aliveHere() : seen.holderAlive();
        report.add("deploy: " + lastDeploy(state, holderAlive));
        report.add("lock: " + (seen.holder() == null ? "free" : "held by " + seen.holder().describe(Instant.now())
                + (holderAlive.equals("no") ? " - whose process is gone: the next deploy takes it over"
                        : holderAlive.equals("unknown") ? " (on another machine: cannot tell whether it still runs)" : "")));
        String history = d.server.tail(d.layout.historyFile(), lastDeploys);
        report.add("last deploys (id, kind, outcome, by, artifact, sha256, from port, to port, release, started, finished, reason):");
        if (history.isBlank()) {
            report.add("  none");
        }
        history.lines().forEach(entry -> report.add("  " + entry.replace('\t', ' ')));
        return report;
    }

    private static String lastDeploy(DeployState state, String holderAlive) {
        if (state.deployId() == null) {
            return "none recorded";
        }
        String kind = state.kind() == DeployState.Kind.ROLLBACK ? "rollback " : "";
        String failure = state.failure() == null ? "" : "; failure: " + state.failure();
        boolean cutOff = state.phase() != null && state.phase().unfinished() && !"yes".equals(holderAlive);
        return kind + state.deployId() + " " + state.phase() + (cutOff ? " (INTERRUPTED: cut off after " + state.phase()
                + "; the next deploy recovers)" : "") + " by " + state.deployedBy() + ", started " + state.startedAt() + failure;
    }

    private static String describePort(Deployment d, DeployState state, ServerCommands.PortState port, boolean live) {
        String unit = port.unit() == null ? "" : "; unit " + d.config.app().name() + "@" + port.port() + ".service " + port.unit();
        return describeProcess(d, state, port, live) + unit;
    }

    private static String describeProcess(Deployment d, DeployState state, ServerCommands.PortState port, boolean live) {
        StringBuilder text = new StringBuilder("port " + port.port() + (live ? " (LIVE): " : ": "));
        if (port.free()) {
            return text.append("nothing listening").toString();
        }
        text.append("PID ").append(port.pid());
        if (port.uptimeSeconds() != null) {
            text.append(", up ").append(Durations.format(Duration.ofSeconds(port.uptimeSeconds())));
        }
        try {
            text.append(", health ").append(d.transport.httpGet(port.port(), d.config.health().path(), Duration.ofSeconds(2)).summary());
        } catch (IOException e) {
            text.append(", health: ").append(e.getMessage());
        }
        ServerCommands.InstanceRecord record = port.running() != null && String.valueOf(port.running().pid()).equals(port.pid())
                ? port.running() : null;
        String release = record != null ? record.release() : null;
        DeployState.Instance[] known = {state.live(), state.previous(), state.target()};
        String[] roles = {"live", "previous", "target"};
        String role = null;
        for (int i = 0; i < known.length && role == null; i++) {
            DeployState.Instance instance = known[i];
            boolean same = instance != null && instance.port() == port.port() && (release != null ? release.equals(instance.release())
                    : String.valueOf(instance.pid()).equals(port.pid()));
            if (same) {
                role = roles[i];
                release = instance.release();
            }
        }
        if (release == null) {
            return text.toString();
        }
        text.append(", release ").append(release).append(" (").append(role == null ? "not in the state file" : role);
        if (record != null && record.sha256() != null) {   // the server's record: true after a restart, a failed deploy too
            text.append(", ").append(record.jar().substring(record.jar().lastIndexOf('/') + 1)).append(" sha256 ").append(record.sha256());
        }
        if (record != null && record.classData() != null) {
            text.append(", ").append(switch (record.classData()) {
                case "archive" -> "started from the class-data archive of its libraries";
                case "training" -> "started without a class-data archive (recording its classes for one)";
                default -> "started with -jar";
            });
        }
        if ("previous".equals(role) && state.previousKeptUntil() != null) {
            text.append(", kept for rollback until ").append(state.previousKeptUntil());
        }
        return text.append(')').toString();
    }
}

