package io.github.bluegreen.core;

import java.io.IOException;

/**
 * Warms the new instance up (if asked), runs the beforeSwitch hook (a smoke test, a migration), starts the proof
 * probes (if asked), takes the canary's steps (if asked: {@link CanaryStep}), then points nginx at the new instance, once more checked
 * to run, own its port and answer UP: the server writes a
 * journal, the include (with a backup), runs the config test, reloads, and waits until new nginx workers exist. Any
 * failure restores the include; traffic stays where it was.
 */
final class SwitchStep {
    /** Where the running proof waits for cleanup (the session of the Maven invocation on this host). */
    static final String PROOF = "bluegreen.proof";

    private SwitchStep() {}

    static void run(Deployment d) throws SetupException, DeployFailedException {
        DeployState.Instance target = d.state.target();
        try {
            prepare(d, target);
            if (CanaryStep.applies(d)) {
                CanaryStep.run(d, target);
            } else if (d.config.traffic().canary().enabled()) {
                d.log.info("No canary: " + (d.kind() == DeployState.Kind.ROLLBACK ? "a rollback goes back to a release that served before"
                        : "nothing is live to compare the new version with") + "; switching every request at once");
            }
        } catch (DeployFailedException | SetupException | RuntimeException e) {
            if (d.lockstep != null) {   // the other hosts of a fleet switching together end their canaries too
                d.lockstep.leave(e.getMessage());
            }
            throw e;
        }
        if (d.lockstep != null) {
            d.lockstep.leave(null);
        }
        DeployConfig.Nginx nginx = d.config.nginx();
        d.recordWithLastCommand(after -> after.switchedTo(after.target()));
        ServerCommands.SwitchResult result = d.server.switchTo(target, d.config.health().path());
        if (result.unhealthy()) {
            throw new DeployFailedException(result.error());
        }
        if (result.exit() == ServerCommands.REFUSED) {
            throw new DeployFailedException(result.error() + ". Fix the nginx configuration (check with bluegreen.nginxTestCommand: "
                    + String.join(" ", nginx.testCommand()) + ") and deploy again");
        }
        if (result.exit() != ServerCommands.OK) {
            throw new DeployFailedException(result.error() + (result.timedOut() ? " (check bluegreen.nginxPidFile " + nginx.pidFile()
                    + ", bluegreen.nginxReloadCommand and bluegreen.nginxErrorLog)" : ". Fix that and deploy again"));
        }
        d.state.switchedTo(target);
        d.canaryOn = false;
        d.log.info("nginx now routes to port " + target.port() + " (workers " + result.oldWorkers() + " -> " + result.newWorkers() + ")");
    }

    /** Warm-up, beforeSwitch hook, the new instance once more UP, the proof's probes begun. */
    private static void prepare(Deployment d, DeployState.Instance target) throws SetupException, DeployFailedException {
        if (!d.config.traffic().warmupPaths().isEmpty()) {
            WarmUp.run(d, target);
        }
        if (!d.config.hooks().beforeSwitch().isEmpty()) {
            String failed = d.runHook("beforeSwitch", d.config.hooks().beforeSwitch(), null, null);
            if (failed != null) {
                throw new DeployFailedException("the beforeSwitch hook " + failed + " (bluegreen.beforeSwitchHook): not switching");
            }
        }
        if (!Boolean.TRUE.equals(d.session.get(HealthCheckStep.SERVER_POLLS))) {   // else the switch command checks it
            checkUp(d, target);
        }
        if (!d.config.traffic().proofUrl().isBlank() && d.state.live() != null && d.state.live().pid() != null) {
            // (a first deploy proves nothing: nothing served before it)
            d.session.put(PROOF, Proof.start(d.transport, d.config.traffic(), d.state.live(), target));
        }
    }

    /** The new instance answers UP, asked through the connection (a server without curl, or a switch run alone). */
    private static void checkUp(Deployment d, DeployState.Instance target) throws DeployFailedException {
        try {
            HttpResult health = d.transport.httpGet(target.port(), d.config.health().path(), d.config.health().probeTimeout());
            if (!health.isUp()) {
                throw new DeployFailedException("the new version on port " + target.port() + " (PID " + target.pid()
                        + ") is no longer UP (" + health.summary() + "): not switching");
            }
        } catch (IOException e) {
            throw new DeployFailedException("the new version on port " + target.port() + " (PID " + target.pid()
                    + ") no longer answers (" + e.getMessage() + "): not switching");
        }
    }
}
