package io.github.bluegreen.core.canary;

/**
 * What nginx answered the requests it sent to one instance during a step, from its canary log: how many, how many
 * failed (5xx, a gateway error or timeout included, or the client gave up: 499), and the time to answer them.
 */
public record Answers(long requests, long failed, long p50Millis, long p99Millis) {
    public static final Answers NONE = new Answers(0, 0, 0, 0);

    /** Failed answers in percent of all, 0 without any. */
    public double failedPercent() {
        return requests == 0 ? 0 : failed * 100.0 / requests;
    }
}
