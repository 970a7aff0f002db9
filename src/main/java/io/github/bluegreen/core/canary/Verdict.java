package io.github.bluegreen.core.canary;

import java.util.Locale;

/**
 * A step's judgement, from what users got from each instance: the canary fails once it has answered at least
 * {@code minRequests} and failed more often than the stable instance by more than the allowed points, or (if asked)
 * answered slower at the 99th percentile by more than the allowed factor. A step that ends with too few answers of the
 * canary fails too: nothing proves it good, and a canary that hangs answers nothing until its clients give up.
 */
public record Verdict(Outcome outcome, String why) {
    public enum Outcome { WATCHING, PASSED, FAILED }

    public static Verdict judge(Answers canary, Answers stable, CanaryPlan plan, boolean stepOver) {
        if (canary.requests() >= plan.minRequests()) {
            double delta = canary.failedPercent() - stable.failedPercent();
            if (delta > plan.maxErrorRateDelta()) {
                return new Verdict(Outcome.FAILED, String.format(Locale.ROOT, "the canary failed %d of %d requests (%.1f %%), the stable"
                        + " instance %d of %d (%.1f %%): %.1f points more, over bluegreen.canaryMaxErrorRateDelta=%s",
                        canary.failed(), canary.requests(), canary.failedPercent(), stable.failed(), stable.requests(),
                        stable.failedPercent(), delta, plan.maxErrorRateDelta()));
            }
            if (plan.maxLatencyRatio() > 0 && stable.requests() >= plan.minRequests()
                    && canary.p99Millis() > plan.maxLatencyRatio() * Math.max(1, stable.p99Millis())) {
                return new Verdict(Outcome.FAILED, String.format(Locale.ROOT, "the canary's p99 was %d ms against the stable"
                        + " instance's %d ms, over bluegreen.canaryMaxLatencyRatio=%s", canary.p99Millis(), stable.p99Millis(),
                        plan.maxLatencyRatio()));
            }
        }
        if (!stepOver) {
            return new Verdict(Outcome.WATCHING, "");
        }
        if (canary.requests() >= plan.minRequests()) {
            return new Verdict(Outcome.PASSED, "");
        }
        return new Verdict(Outcome.FAILED, "the canary answered only " + canary.requests() + " requests in its step (the stable instance "
                + stable.requests() + "): too few to judge, not promoting (bluegreen.canaryMinRequests=" + plan.minRequests()
                + "; a quiet site needs longer steps, bluegreen.canaryStepSeconds)");
    }
}
