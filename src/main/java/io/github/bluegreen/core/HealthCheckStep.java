package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits until the new instance's health endpoint answers UP, as fast as it becomes ready and no longer than the
 * configured timeout after its launch. Fails early when the process exits, and refuses an UP from any other process.
 * The server polls (one round trip for the whole wait, however far away Maven runs); without curl there, Maven polls.
 */
final class HealthCheckStep {
    /** The session key set once the server polled: it has curl, so the switch command checks the new instance itself. */
    static final String SERVER_POLLS = "bluegreen.serverPolls";

    private HealthCheckStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        DeployConfig.Health health = d.config.health();
        DeployState.Instance target = d.state.target();
        Instant begin = Instant.now();
        // the app's time to become healthy counts from its launch (a kept instance being switched back to: from now)
        Instant launched = d.state.targetLaunchedAt() == null ? begin : d.state.targetLaunchedAt();
        Instant deadline = launched.plus(health.timeout());
        String last;
        int probes = 0;
        ServerCommands.HealthWait wait;
        boolean serverPolls = true;
        while (true) {
            Duration left = Duration.between(Instant.now(), deadline);
            wait = null;
            if (serverPolls) {
                d.recordWithLastCommand(after -> { });
                wait = d.server.awaitHealth(target, left.isNegative() ? Duration.ZERO : left).orElse(null);
                serverPolls = wait != null;   // no curl there: Maven polls, for the rest of the wait too
                d.session.put(SERVER_POLLS, serverPolls);
            }
            if (wait == null) {
                wait = probeFromHere(d, target);
            }
            probes += wait.probes();
            last = wait.answer() != null ? wait.answer().summary() : wait.error();
            if (wait.answer() != null && wait.answer().isUp()) {
                break;
            }
            if (!wait.alive()) {
                throw fail(d, target, "exited during startup after " + Durations.format(Duration.between(begin, Instant.now())), last);
            }
            left = Duration.between(Instant.now(), deadline);
            if (left.isNegative()) {
                throw fail(d, target, "did not become healthy within " + Durations.format(health.timeout())
                        + " of its launch (bluegreen.healthTimeoutSeconds)", last);
            }
            sleep(left.compareTo(health.pollInterval()) < 0 ? left : health.pollInterval());
        }
        String owner = wait.owner() != null ? wait.owner() : d.server.owner(target.port()).pid();
        if (!owner.equals(String.valueOf(target.pid()))) {
            throw fail(d, target, "answered UP, but port " + target.port() + " belongs to PID " + (owner.isEmpty() ? "none" : owner)
                    + ", not to the started PID " + target.pid() + " (the start command must exec the JVM)", last);
        }
        d.log.info("Healthy: port " + target.port() + " answered " + last + " after "
                + Durations.format(Duration.between(begin, Instant.now())) + " (" + probes + " probes)");
    }

    /** One probe through the SSH connection, and whether the process still runs (a server without curl). */
    private static ServerCommands.HealthWait probeFromHere(Deployment d, DeployState.Instance target) throws SetupException {
        DeployConfig.Health health = d.config.health();
        try {
            HttpResult answer = d.transport.httpGet(target.port(), health.path(), health.probeTimeout());
            return new ServerCommands.HealthWait(answer, null, answer.isUp() || d.isRunning(target), null, 1, false);
        } catch (IOException e) {
            return new ServerCommands.HealthWait(null, e.getMessage(), d.isRunning(target), null, 1, false);
        }
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
