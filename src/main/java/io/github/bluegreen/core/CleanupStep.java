package io.github.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Stops the old instance once nginx no longer uses it: waits for the old nginx workers to finish their
 * in-flight requests (bounded by the drain timeout), then SIGTERM, then SIGKILL after the stop timeout (or keeps it
 * for {@code keepOld}). Prunes old releases; {@link Deployment#run} then releases the lock and prints the summary.
 */
final class CleanupStep implements Step {

    @Override
    public String goal() {
        return "cleanup";
    }

    @Override
    public Phase requires() {
        return Phase.SWITCHED;
    }

    @Override
    public Phase completes() {
        return Phase.DONE;
    }

    @Override
    public void run(Deployment d) throws SetupException, DeployFailedException {
        DeployState.Instance old = d.state.instance("previous");
        DeployState.Instance live = d.state.instance("live");
        boolean stopOld = old != null && old.pid() != null && old.command() != null;
        Duration drain = d.config.nginx().drainTimeout();
        Duration keepOld = d.config.app().keepOld();
        ExecResult result = d.script.run(drain.plus(d.stopTimeout()), "cleanup", String.valueOf(drain.toMillis()),
                d.state.get("nginx.oldWorkers"), String.valueOf(d.config.app().stopTimeout().toSeconds()),
                stopOld ? String.valueOf(old.pid()) : "", stopOld ? old.command() : "", d.layout.releases(),
                String.valueOf(d.config.app().keepReleases()), live.release() + (old == null ? "" : " " + old.release()),
                String.valueOf(keepOld.toSeconds()), d.config.nginx().include(), old == null ? "" : String.valueOf(old.port()));
        if (result.exitCode() != ServerScript.OK) {
            throw new SetupException("cleanup failed on the server: " + result.output());
        }
        Map<String, String> values = result.values();
        if (values.containsKey("drain.timeout")) {
            d.log.warn("nginx's old workers were still busy after " + Durations.format(drain)
                    + " (bluegreen.drainTimeoutSeconds): stopping the old app anyway, gracefully");
        }
        d.log.info("nginx's old workers finished in " + values.get("drain.ms") + " ms");
        if (stopOld && values.containsKey("kept." + old.pid())) {
            d.state.set("previous.keptUntil", Instant.now().plus(keepOld));
            d.log.info("Keeping the old instance on port " + old.port() + " (PID " + old.pid() + ") for " + Durations.format(keepOld)
                    + " (bluegreen.keepOldSeconds): bluegreen:rollback until then only switches nginx back");
        } else if (stopOld) {
            d.log.info("Old instance on port " + old.port() + " (PID " + old.pid() + "): "
                    + values.get("stop." + old.pid()) + " in " + values.get("stop.ms") + " ms");
        }
        values.keySet().stream().filter(key -> key.startsWith("pruned.")).forEach(key -> d.log.info("Removed old release " + key.substring(7)));
        d.state.instance("target", null);
    }
}
