package io.github.bluegreen.core;

/** One goal's work on the server. {@link Deployment#run(Step)} checks the phase before and records it after. */
public interface Step {
    /** The goal name, e.g. {@code detect}. */
    String goal();

    /** The phase the state file must show before this step, or null (detect starts a deploy). */
    Phase requires();

    /** The phase recorded when the step succeeded. */
    Phase completes();

    void run(Deployment deployment) throws SetupException, DeployFailedException;

    /** The five steps of a deploy, in order. */
    static Step[] all() {
        return new Step[] {detect(), start(), healthcheck(), switchTraffic(), cleanup()};
    }

    static Step detect() {
        return new DetectStep(false);
    }

    static Step start() {
        return new StartStep();
    }

    static Step healthcheck() {
        return new HealthCheckStep();
    }

    static Step switchTraffic() {
        return new SwitchStep();
    }

    static Step cleanup() {
        return new CleanupStep();
    }
}
