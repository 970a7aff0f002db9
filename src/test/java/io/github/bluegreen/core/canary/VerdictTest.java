package io.github.bluegreen.core.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static final CanaryPlan PLAN = new CanaryPlan(List.of(5), Duration.ofSeconds(60), 1.0, 100, 0, false, "/log");

    @Test
    void aCanaryFailingMoreThanTheStableInstanceByOverThePointsFailsAsSoonAsItHasEnoughRequests() {
        Verdict verdict = Verdict.judge(new Answers(100, 20, 5, 9), new Answers(1900, 2, 5, 9), PLAN, false);
        assertEquals(Verdict.Outcome.FAILED, verdict.outcome());
        assertTrue(verdict.why().contains("the canary failed 20 of 100 requests (20.0 %), the stable instance 2 of 1900 (0.1 %)"),
                verdict.why());
    }

    @Test
    void withinThePointsItIsWatchedThenPassed() {
        assertEquals(Verdict.Outcome.WATCHING, Verdict.judge(new Answers(200, 3, 5, 9), new Answers(4000, 40, 5, 9), PLAN, false).outcome());
        assertEquals(Verdict.Outcome.PASSED, Verdict.judge(new Answers(200, 3, 5, 9), new Answers(4000, 40, 5, 9), PLAN, true).outcome());
    }

    @Test
    void tooFewAnswersAreWatchedThenFailANotPromoting() {
        assertEquals(Verdict.Outcome.WATCHING, Verdict.judge(new Answers(99, 99, 5, 9), Answers.NONE, PLAN, false).outcome());
        Verdict hung = Verdict.judge(Answers.NONE, new Answers(32, 0, 50, 53), PLAN, true);
        assertEquals(Verdict.Outcome.FAILED, hung.outcome(), "a canary that hangs answers nothing");
        assertTrue(hung.why().startsWith("the canary answered only 0 requests in its step (the stable instance 32): too few to judge, not promoting"),
                hung.why());
    }

    @Test
    void latencyCountsOnlyWhenAsked() {
        Answers slow = new Answers(500, 0, 50, 900);
        Answers fast = new Answers(5000, 0, 5, 90);
        assertEquals(Verdict.Outcome.PASSED, Verdict.judge(slow, fast, PLAN, true).outcome());
        CanaryPlan latency = new CanaryPlan(List.of(5), Duration.ofSeconds(60), 1.0, 100, 2.0, false, "/log");
        Verdict verdict = Verdict.judge(slow, fast, latency, false);
        assertEquals(Verdict.Outcome.FAILED, verdict.outcome());
        assertTrue(verdict.why().contains("p99 was 900 ms against the stable instance's 90 ms"), verdict.why());
        assertEquals(Verdict.Outcome.WATCHING, Verdict.judge(new Answers(500, 0, 50, 170), fast, latency, false).outcome());
    }
}
