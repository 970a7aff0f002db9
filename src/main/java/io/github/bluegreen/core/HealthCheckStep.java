package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Polls the new instance's health endpoint until it answers UP, as fast as it becomes ready and no longer than the
 * configured timeout after its launch. Fails early when the process exits, and refuses an UP from any other process.
 */
final class HealthCheckStep {
    private HealthCheckStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        DeployConfig.Health health = d.config.health();
        DeployState.Instance target = d.state.target();
        Instant begin = Instant.now();
        // the app's time to become healthy counts from its launch (a kept instance being switched back to: from now)
        Instant launched = d.state.targetLaunchedAt() == null ? begin : d.state.targetLaunchedAt();
        Instant deadline = launched.plus(health.timeout());
        String last = "no answer yet";
        int probes = 0;
        while (true) {
            probes++;
            try {
                HttpResult answer = d.transport.httpGet(target.port(), health.path(), health.probeTimeout());
                last = answer.summary();
                if (answer.isUp()) {
                    break;
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            if (!d.isRunning(target)) {
                throw fail(d, target, "exited during startup after " + Durations.format(Duration.between(begin, Instant.now())), last);
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative()) {
                throw fail(d, target, "did not become healthy within " + Durations.format(health.timeout())
                        + " of its launch (bluegreen.healthTimeoutSeconds)", last);
            }
            sleep(left.compareTo(health.pollInterval()) < 0 ? left : health.pollInterval());
        }
        ServerCommands.Listener owner = d.server.owner(target.port());
        if (!owner.pid().equals(String.valueOf(target.pid()))) {
            throw fail(d, target, "answered UP, but port " + target.port() + " belongs to PID " + (owner.pid().isEmpty() ? "none" : owner.pid())
                    + ", not to the started PID " + target.pid() + " (the start command must exec the JVM)", last);
        }
        d.log.info("Healthy: port " + target.port() + " answered " + last + " after "
                + Durations.format(Duration.between(begin, Instant.now())) + " (" + probes + " probes)");
    }

    private static DeployFailedException fail(Deployment d, DeployState.Instance target, String what, String last) throws SetupException {
        String log = d.appLogName(target);
        d.log.warn("Last lines of " + log + ":\n" + d.server.appLog(target, 40));
        return new DeployFailedException("the new version on port " + target.port() + " (PID " + target.pid() + ") " + what
                + "; last health answer: " + last + ". See " + log + ".");
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
