package io.github.bluegreen.core;

import io.github.bluegreen.core.canary.CanaryPlan;
import io.github.bluegreen.core.canary.Lockstep;
import io.github.bluegreen.core.canary.Report;
import io.github.bluegreen.core.canary.Split;
import io.github.bluegreen.core.canary.Verdict;
import java.time.Duration;
import java.time.Instant;

/**
 * A canary before the full switch: step by step, nginx sends the step's share of the requests to the new instance (the
 * switch command with a split: the include names both ports, so the server stops neither), and what nginx answered
 * each instance, read from its canary log every {@link #ANALYSIS} interval, is judged ({@link Verdict}). A failing
 * step routes every request back to the live instance at once and fails the deploy with the numbers (its failure
 * contract then drains and stops the new instance); after the last step the switch goes on as without a canary.
 */
final class CanaryStep {
    static final Duration ANALYSIS = Duration.ofSeconds(2);

    private CanaryStep() {}

    /** A deploy (not a rollback, not a first deploy) with canary steps configured takes them before its switch. */
    static boolean applies(Deployment d) {
        return applies(d.config, d.kind(), d.state.live(), d.state.target());
    }

    /** The same, for what a deploy would find (the dry run's plan). */
    static boolean applies(DeployConfig config, DeployState.Kind kind, DeployState.Instance live, DeployState.Instance target) {
        return config.traffic().canary().enabled() && kind == DeployState.Kind.DEPLOY && live != null && live.pid() != null
                && !DeployState.same(live, target);
    }

    static void run(Deployment d, DeployState.Instance target) throws SetupException, DeployFailedException {
        Lockstep lockstep = d.lockstep;
        CanaryPlan plan = d.config.traffic().canary();
        int stable = d.state.live().port();
        Report report = new Report();
        long from = d.server.canaryLogEnd();
        d.canaryOn = true;   // from the first step's command on, a failure routes every request back first
        d.canarySplit = true;
        for (int share : plan.steps()) {
            Split split = Split.of(share, plan.sticky());
            d.recordWithLastCommand(Phase.CANARY, after -> {});
            ServerCommands.SwitchResult result = d.server.canary(target, stable, split, d.config.health().path());
            if (result.exit() != ServerCommands.OK) {
                throw new DeployFailedException("the canary's step to " + share + " % failed: " + result.error());
            }
            d.log.info("Canary: " + share + " % of the requests to the new version on port " + target.port() + " (" + split.on()
                    + " split, " + String.format(java.util.Locale.ROOT, "%.1f", split.actualPercent()) + " % exactly), watched for "
                    + Durations.format(plan.stepTime()));
            Instant end = Instant.now().plus(plan.stepTime());
            while (true) {
                boolean over = !Instant.now().isBefore(end);
                ServerCommands.TrafficResult answered = d.server.traffic(from, target.port(), stable);
                Verdict verdict = Verdict.judge(answered.canary(), answered.stable(), plan, over);
                String otherHost = lockstep == null ? null : lockstep.failure();
                if (verdict.outcome() == Verdict.Outcome.FAILED || otherHost != null) {
                    report.add(split, answered.canary(), answered.stable(), verdict);
                    report.lines().forEach(d.log::warn);
                    String why = otherHost != null ? "another host's canary failed (" + otherHost + ")" : verdict.why();
                    throw new DeployFailedException("the canary failed at " + share + " %: " + why + "; " + d.endCanary());
                }
                if (verdict.outcome() == Verdict.Outcome.PASSED) {
                    report.add(split, answered.canary(), answered.stable(), verdict);
                    from = answered.logSize();
                    break;
                }
                Duration left = Duration.between(Instant.now(), end);
                HealthCheckStep.sleep(left.compareTo(ANALYSIS) < 0 ? left : ANALYSIS);
            }
            if (lockstep != null) {
                lockstep.awaitOthers();
                if (lockstep.failure() != null) {
                    report.lines().forEach(d.log::warn);
                    throw new DeployFailedException("another host's canary failed (" + lockstep.failure() + "); " + d.endCanary());
                }
            }
        }
        report.lines().forEach(d.log::info);
    }
}
