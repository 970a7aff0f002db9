package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Takes the deploy lock, recovers from whatever an earlier deploy left behind ({@link Recovery}), and decides the
 * live port and the target port. nginx's include is the truth about what is live (a listening port proves nothing).
 */
final class DetectStep {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private DetectStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        DeployState state = new DeployState();
        state.deployId(d.sharedDeployId != null ? d.sharedDeployId : newDeployId());
        state.kind(d.kind());
        state.deployedBy(System.getProperty("user.name") + "@" + LockOwner.thisHost());
        state.startedAt(Instant.now());
        d.state = state;
        ServerCommands.Inspection seen = d.takeLock(LockOwner.thisProcess(state.deployId(), state.kind().name().toLowerCase()));
        d.log.info("Deploy " + state.deployId() + " (" + state.kind().name().toLowerCase() + " by " + state.deployedBy()
                + ") holds the deploy lock");
        DeployState before = d.stateOrEmpty(seen.stateFile());
        recordLockOnlyDeploy(d, before);

        if (seen.errorLogUnreadable()) {
            d.log.warn("nginx's error log " + d.config.nginx().errorLog() + " is not readable by the deploy user: a reload nginx rejects"
                    + " shows only after bluegreen.reloadTimeoutSeconds, without nginx's reason. On Debian add the user to the group"
                    + " adm (usermod -aG adm USER), or set bluegreen.nginxErrorLog to a log it can read");
        }
        if (!seen.canaryLog().equals("ok")) {
            io.github.bluegreen.core.canary.CanaryPlan canary = d.config.traffic().canary();
            throw new SetupException("bluegreen.canaryLog", "nginx's canary log " + canary.log() + " is " + seen.canaryLog()
                    + (seen.canaryLog().equals("missing") ? " (the one-time setup is not loaded)" : " for the deploy user")
                    + ": add to nginx's http {} block  " + canary.oneTimeSetup() + "  then reload nginx (README \"Canary releases\")"
                    + (seen.canaryLog().equals("missing") ? "" : "; on Debian add the deploy user to the group adm") + ". Nothing was changed");
        }
        Integer routed = seen.routedPort(d.config);
        Recovery.Plan plan = Recovery.plan(before, seen, routed, d.config.app().ports(), port -> isUp(d, port));
        plan.warnings().forEach(d.log::warn);
        if (plan.interrupted() != null) {
            Recovery.Interrupted cut = plan.interrupted();
            d.log.warn("The last " + cut.kind().name().toLowerCase() + ", " + cut.deployId() + ", was cut off after "
                    + cut.phase() + ": " + cut.outcome());
            d.recordHistory(before, "INTERRUPTED", "cut off after " + cut.phase() + "; " + cut.outcome());
        }
        state.found(plan.live(), plan.previous());
        state.target(new DeployState.Instance(plan.targetPort(), null, null, null, null));
        if (plan.settlePort() != null) {
            settle(d, seen, plan.settlePort());
        }
        if (state.kind() == DeployState.Kind.ROLLBACK && plan.interrupted() != null && plan.interrupted().phase() == Phase.CANARY) {
            d.canaryEnded = before.target();   // going back from a canary is going back to the live instance: it is ended
        } else if (state.kind() == DeployState.Kind.ROLLBACK) {
            chooseRollback(d, seen);
        }
        DeployState.Instance live = plan.live();
        if (live != null && live.pid() != null) {
            d.log.info((live.release().equals("adopted") ? "Adopting the live app on port " + live.port() + " (PID " + live.pid()
                    + ", not started by this plugin: " + seen.port(live.port()).command() + "), " + health(d, seen, live.port())
                    + ". It will be stopped gracefully after the switch" : "Live instance PID " + live.pid() + " on port " + live.port()
                    + ", release " + live.release() + ": " + health(d, seen, live.port())) + "; target port " + plan.targetPort());
        } else if (live != null) {
            d.log.warn("nginx routes to port " + live.port() + " but nothing listens there: traffic is failing now; deploying to port "
                    + plan.targetPort());
        } else {
            d.log.info("First deploy: nothing is live behind nginx yet; target port " + plan.targetPort());
        }
    }

    /** A dead deploy whose lock was taken over before it recorded anything: in history.log all the same. */
    private static void recordLockOnlyDeploy(Deployment d, DeployState before) throws SetupException {
        LockOwner dead = d.takenOver;
        if (dead == null || dead.kind().equals("timer") || dead.deployId().equals(before.deployId())) {
            return;
        }
        DeployState cut = new DeployState();
        cut.deployId(dead.deployId());
        cut.kind(dead.kind().equals("rollback") ? DeployState.Kind.ROLLBACK : DeployState.Kind.DEPLOY);
        cut.deployedBy(dead.user() + "@" + dead.host());
        cut.startedAt(dead.since());
        d.recordHistory(cut, "INTERRUPTED", "cut off after it took the lock, before it recorded its plan; it had started nothing");
    }

    /** {@code 20261125-101010-ab12}: sorts by time, unique enough for one app. */
    static String newDeployId() {
        return ID_TIME.format(Instant.now()) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** Finishes or undoes a switch that was cut off halfway: nginx reloaded for sure, routing to {@code port}. */
    private static void settle(Deployment d, ServerCommands.Inspection seen, int port) throws SetupException, DeployFailedException {
        ServerCommands.PortState state = seen.port(port);
        DeployState.Instance to = new DeployState.Instance(port, state.visible() ? Long.valueOf(state.pid()) : null, state.start(),
                state.running() == null ? null : state.running().release(), null);
        ServerCommands.SwitchResult result = d.server.switchTo(to);
        if (result.exit() != ServerCommands.OK) {
            throw new DeployFailedException("cannot settle the switch that was cut off (to port " + port + "): " + result.error()
                    + ". Check nginx (bluegreen.nginxTestCommand, bluegreen.nginxReloadCommand) and deploy again");
        }
        d.log.info("nginx routes to port " + port + " again for sure (workers " + result.oldWorkers() + " -> " + result.newWorkers() + ")");
    }

    /** A rollback starts the previous release again, or (still running on the target port) only switches to it. */
    private static void chooseRollback(Deployment d, ServerCommands.Inspection seen) throws SetupException {
        DeployState.Instance back = d.state.previous();
        int target = d.state.target().port();
        ServerCommands.PortState onTarget = seen.port(target);
        boolean stillRuns = back != null && back.pid() != null && back.port() == target && onTarget.visible()
                && onTarget.pid().equals(String.valueOf(back.pid())) && (back.start() == null || back.start().equals(onTarget.start()));
        if (back == null || (!stillRuns && (back.release() == null || back.jar() == null))) {
            throw new SetupException("nothing to roll back to: the state file records no previous release that this plugin"
                    + " deployed (see bluegreen:status); deploy the version you want instead");
        }
        d.state.target(stillRuns ? back : new DeployState.Instance(target, null, null, back.release(), back.jar()));
        d.keptForRollback = stillRuns;
    }

    private static boolean isUp(Deployment d, int port) {
        try {
            return d.transport.httpGet(port, d.config.health().path(), d.config.health().probeTimeout()).isUp();
        } catch (IOException e) {
            return false;
        }
    }

    private static String health(Deployment d, ServerCommands.Inspection seen, int port) {
        String answered = seen.port(port).health();
        if (answered != null) {
            return answered.startsWith("health check failed") ? answered : "health " + answered;
        }
        try {
            return "health " + d.transport.httpGet(port, d.config.health().path(), Duration.ofSeconds(2)).summary();
        } catch (IOException e) {
            return "health check failed: " + e.getMessage();
        }
    }
}
