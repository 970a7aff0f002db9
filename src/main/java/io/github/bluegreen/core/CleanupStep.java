package io.github.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the old instance once nginx no longer uses it: the server waits for the nginx workers of before the switch
 * to finish their in-flight requests (bounded by the drain timeout), then SIGTERM, then SIGKILL after the stop
 * timeout; or keeps it for {@code keepOld} (a timer on the server stops it later, under the deploy lock). Prunes old
 * releases; {@link Deployment#run} then releases the lock and prints the summary.
 */
final class CleanupStep {
    private CleanupStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        DeployState.Instance old = d.state.previous();
        DeployState.Instance live = d.state.live();
        DeployState.Instance stop = old != null && old.pid() != null ? old : null;
        List<String> protect = new ArrayList<>();
        protect.add(live.release());
        if (old != null && old.release() != null) {
            protect.add(old.release());
        }
        Duration keepOld = d.config.app().keepOld();
        Instant keptUntil = Instant.now().plus(keepOld);
        d.recordWithLastCommand(after -> {   // the server keeps the old instance when asked to and there is one
            if (stop != null && keepOld.toSeconds() > 0) {   // as the server decides (keep_old_s)
                after.previousKeptUntil(keptUntil);
            }
        });
        ServerCommands.StopResult result = d.server.cleanup(stop, protect);
        if (result.refused() != null) {
            throw new SetupException("cleanup refused to stop the old instance: " + result.refused());
        }
        if (result.kept()) {
            d.state.previousKeptUntil(keptUntil);
            d.log.info("Keeping the old instance on port " + old.port() + " (PID " + old.pid() + ") for " + Durations.format(keepOld)
                    + " (bluegreen.keepOldSeconds): bluegreen:rollback until then only switches nginx back");
        } else if (result.stopped() != null) {
            if (result.stopped().drainTimedOut()) {
                d.log.warn("nginx's old workers were still busy after " + Durations.format(d.config.nginx().drainTimeout())
                        + " (bluegreen.drainTimeoutSeconds): stopping the old app anyway, gracefully");
            }
            d.log.info("Old instance on port " + old.port() + " (PID " + old.pid() + "): " + result.stopped().describe());
        }
        result.pruned().forEach(release -> d.log.info("Removed old release " + release));
        if (d.session.remove(SwitchStep.PROOF) instanceof Proof proof) {
            Proof.Report report = proof.stop();
            d.proofReport = report.describe();
            if (report.failed().isEmpty()) {
                d.log.info(report.describe());
            } else {
                d.log.warn(report.describe());
                d.proofFailures = report.describe();
            }
        }
    }
}
