package io.github.bluegreen.core;

/**
 * The goals of a deploy, in order: each needs the phase its predecessor completed and records its own.
 * {@link Deployment#run(Step)} checks the phase and the lock before, records the phase after, and on any way out
 * applies the failure contract.
 */
public enum Step {
    DETECT("detect", null, Phase.DETECTED, DetectStep::run),
    START("start", Phase.DETECTED, Phase.STARTED, StartStep::run),
    HEALTHCHECK("healthcheck", Phase.STARTED, Phase.HEALTHY, HealthCheckStep::run),
    SWITCH("switch", Phase.HEALTHY, Phase.SWITCHED, SwitchStep::run),
    CLEANUP("cleanup", Phase.SWITCHED, Phase.DONE, CleanupStep::run);

    /** One goal's work on the server. */
    interface Work {
        void run(Deployment deployment) throws SetupException, DeployFailedException;
    }

    private final String goal;
    private final Phase requires;
    private final Phase completes;
    private final Work work;

    Step(String goal, Phase requires, Phase completes, Work work) {
        this.goal = goal;
        this.requires = requires;
        this.completes = completes;
        this.work = work;
    }

    /** The goal name, e.g. {@code detect}. */
    public String goal() {
        return goal;
    }

    /** The phase the state file must show before this step, or null (detect starts a deploy). */
    public Phase requires() {
        return requires;
    }

    /** The phase recorded when the step succeeded. */
    public Phase completes() {
        return completes;
    }

    Work work() {
        return work;
    }
}
