package io.github.bluegreen.core.canary;

import java.time.Duration;
import java.util.List;

/**
 * A canary release: the new instance gets {@code steps} percent of the requests in turn, each step watched for
 * {@code stepTime}, before the full switch.
 *
 * @param steps              percent of the requests per step, rising ({@code bluegreen.canary}); empty: blue/green at once
 * @param stepTime           how long each step is watched ({@code bluegreen.canaryStepSeconds})
 * @param maxErrorRateDelta  percentage points of failed answers the canary may have above the stable instance
 *                           ({@code bluegreen.canaryMaxErrorRateDelta})
 * @param minRequests        answers of the canary a step needs before it is judged ({@code bluegreen.canaryMinRequests})
 * @param maxLatencyRatio    the canary's p99 may be at most this times the stable one's; 0: not checked
 *                           ({@code bluegreen.canaryMaxLatencyRatio})
 * @param sticky             split by client address (a client stays on one colour), not request by request
 *                           ({@code bluegreen.canarySticky})
 * @param log                the access log nginx writes for the analysis (the one-time setup, {@code bluegreen.canaryLog})
 */
public record CanaryPlan(List<Integer> steps, Duration stepTime, double maxErrorRateDelta, int minRequests, double maxLatencyRatio,
        boolean sticky, String log) {
    public static final CanaryPlan NONE = new CanaryPlan(List.of(), Duration.ofSeconds(60), 1.0, 100, 0, false,
            "/var/log/nginx/bluegreen-canary.log");

    public boolean enabled() {
        return !steps.isEmpty();
    }

    /** The lines of nginx's http {} block the analysis needs, written once (README "Canary releases"). */
    public String oneTimeSetup() {
        return "log_format bluegreen_canary '$msec $status $request_time $upstream_addr';"
                + " map $host $bluegreen_canary { default \"\"; }"
                + " access_log " + log + " bluegreen_canary if=$bluegreen_canary;";
    }
}
