package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the deploy lock and decides the live port and the target port. nginx's include is the truth about
 * what is live (a listening port proves nothing); the state file and health are cross-checked against it.
 */
final class DetectStep implements Step {
    private static final Pattern SERVICE_URL = Pattern.compile("set\\s+\\$service_url\\s+https?://[^\\s:/;]+:(\\d+)\\s*;");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final boolean rollback;

    /** @param rollback also pick the release to go back to: the one before the live one */
    DetectStep(boolean rollback) {
        this.rollback = rollback;
    }

    @Override
    public String goal() {
        return "detect";
    }

    @Override
    public Phase requires() {
        return null;
    }

    @Override
    public Phase completes() {
        return Phase.DETECTED;
    }

    @Override
    public void run(Deployment d) throws SetupException, DeployFailedException {
        List<Integer> ports = d.config.app().ports();
        String deployId = ID_TIME.format(Instant.now()) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        Map<String, String> seen = d.lockAndInspect(deployId);
        DeployState previous = d.readStateOrEmpty();

        Integer routed = routedPort(d, seen);
        DeployState.Instance recordedLive = previous.instance("live");
        if (routed == null && recordedLive != null) {
            d.log.warn("The state file says port " + recordedLive.port() + " is live, but nginx's include "
                    + d.config.nginx().include() + " does not exist: treating this as a first deploy");
        } else if (routed != null && recordedLive != null && recordedLive.port() != routed) {
            d.log.warn("The state file says port " + recordedLive.port() + " is live, but nginx routes to " + routed
                    + ": nginx's include wins");
        }

        DeployState.Instance live = routed == null ? null : liveInstance(d, seen, routed, recordedLive);
        int target = routed == null ? ports.get(0) : ports.get(0).equals(routed) ? ports.get(1) : ports.get(0);

        DeployState state = new DeployState();
        state.set("deployId", deployId);
        state.set("appName", d.config.app().name());
        state.set("deployedBy", System.getProperty("user.name") + "@" + Deployment.thisHost());
        state.set("startedAt", Instant.now());
        state.instance("live", live);
        state.set("target.port", target);
        if (live != null && recordedLive != null && live.pid() != null && live.pid().equals(recordedLive.pid())) {
            state.instance("previous", previous.instance("previous"));   // the release before the live one
        }
        if (rollback) {
            chooseRollback(state, target);
        }
        DeployState.Instance unfinished = previous.phase() == Phase.DONE ? null : previous.instance("target");
        if (unfinished != null && unfinished.pid() != null && unfinished.command() != null) {
            // an earlier deploy that never finished started this one: start stops it, whatever port it is on
            state.instance("stale", unfinished);
        }
        d.state = state;
        d.log.info(live == null ? "First deploy: nothing is live behind nginx yet; target port " + target
                : "Live: port " + live.port() + (live.pid() == null ? " (nothing listening!)" : ", PID " + live.pid())
                        + ", release " + live.release() + "; target port " + target);
    }

    /** Records what a rollback starts: the previous release's jar, or its instance if it still runs on the target port. */
    private static void chooseRollback(DeployState state, int target) throws SetupException {
        DeployState.Instance back = state.instance("previous");
        boolean stillRuns = back != null && back.pid() != null && back.port() == target;
        if (back == null || (!stillRuns && (back.release() == null || "adopted".equals(back.release())))) {
            throw new SetupException("nothing to roll back to: the state file records no previous release that this plugin"
                    + " deployed (see bluegreen:status); deploy the version you want instead");
        }
        state.set("kind", "rollback");
        state.set("rollback.release", back.release());
        if (!"adopted".equals(back.release())) {
            state.set("rollback.jar", back.command());
        }
        if (stillRuns) {
            state.instance("rollback", back);
        }
    }

    private static Integer routedPort(Deployment d, Map<String, String> seen) throws SetupException {
        if (!"true".equals(seen.get("include.exists"))) {
            return null;
        }
        String line = seen.getOrDefault("include.line", "");
        Matcher matcher = SERVICE_URL.matcher(line);
        if (!matcher.find()) {
            throw new SetupException("bluegreen.nginxInclude", "cannot read the live port from " + d.config.nginx().include()
                    + ": expected a line like 'set $service_url http://127.0.0.1:8080;' but found '" + line.trim() + "'");
        }
        int port = Integer.parseInt(matcher.group(1));
        if (!d.config.app().ports().contains(port)) {
            throw new SetupException("bluegreen.bluePort", "nginx routes to port " + port + ", which is neither of the"
                    + " configured ports " + d.config.app().ports() + ": set bluegreen.bluePort/bluegreen.greenPort to the ports you use");
        }
        return port;
    }

    /** The app nginx routes to; one the plugin did not start (e.g. by the old script) is adopted. */
    private static DeployState.Instance liveInstance(Deployment d, Map<String, String> seen, int port,
            DeployState.Instance recorded) {
        String pidText = seen.getOrDefault("port." + port + ".pid", "");
        if (pidText.isEmpty() || pidText.equals("?")) {
            d.log.warn(pidText.isEmpty()
                    ? "nginx routes to port " + port + " but nothing listens there: traffic is failing now; deploying to the other port"
                    : "Port " + port + " is held by a process of another user: it cannot be stopped after the switch");
            return new DeployState.Instance(port, null, null, null);
        }
        long pid = Long.parseLong(pidText);
        String command = seen.getOrDefault("port." + port + ".command", "").trim();
        String health = health(d, port);
        if (recorded != null && recorded.pid() != null && recorded.pid() == pid) {
            d.log.info("Live instance PID " + pid + " on port " + port + ": " + health);
            return new DeployState.Instance(port, pid, recorded.release(), recorded.command());
        }
        d.log.info("Adopting the live app on port " + port + " (PID " + pid + ", not started by this plugin: " + command
                + "), " + health + ". It will be stopped gracefully after the switch");
        return new DeployState.Instance(port, pid, "adopted", command);
    }

    private static String health(Deployment d, int port) {
        try {
            return "health " + d.transport.httpGet(port, d.config.health().path(), Duration.ofSeconds(2)).summary();
        } catch (IOException e) {
            return "health check failed: " + e.getMessage();
        }
    }
}
