package io.github.bluegreen.core;

import io.github.bluegreen.core.canary.CanaryPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a deploy needs to know, grouped by concern. Built by the Maven layer from parameters; the
 * property named in each Javadoc is the one a user sets.
 *
 * @param artifact the jar to deploy ({@code bluegreen.artifact})
 * @param dryRun   inspect the server for real and print what a deploy would do, changing nothing ({@code bluegreen.dryRun})
 */
public record DeployConfig(App app, Health health, Nginx nginx, Path artifact, Lock lock, Hooks hooks, Traffic traffic, boolean dryRun) {

    /**
     * What the plugin sends through nginx and to the new instance around the switch.
     *
     * @param proofUrl            probed through nginx, as seen from the server, during switch and drain; empty: no proof
     *                            ({@code bluegreen.proofUrl})
     * @param proofInterval       between two probes ({@code bluegreen.proofIntervalMillis})
     * @param requireZeroFailures a failed probe fails the build, not only warns ({@code bluegreen.requireZeroFailures})
     * @param warmupPaths         requested on the new instance directly before the switch, so the JIT compiles the hot paths;
     *                            empty: no warm-up ({@code bluegreen.warmupPaths})
     * @param warmupRequests      how many ({@code bluegreen.warmupRequests}), {@code warmupConcurrency} at once
     * @param canary              a share of the requests first, judged step by step ({@code bluegreen.canary}); or none
     */
    public record Traffic(String proofUrl, Duration proofInterval, boolean requireZeroFailures, List<String> warmupPaths,
            int warmupRequests, int warmupConcurrency, CanaryPlan canary) {
        public static final Traffic NONE = new Traffic("", Duration.ofMillis(50), false, List.of(), 0, 1);

        /** Without a canary: the switch sends every request to the new instance at once. */
        public Traffic(String proofUrl, Duration proofInterval, boolean requireZeroFailures, List<String> warmupPaths,
                int warmupRequests, int warmupConcurrency) {
            this(proofUrl, proofInterval, requireZeroFailures, warmupPaths, warmupRequests, warmupConcurrency, CanaryPlan.NONE);
        }
    }

    /**
     * @param forceUnlock take over a deploy lock held by someone else ({@code bluegreen.forceUnlock})
     * @param maxWait     how long to wait for a lock another deploy holds ({@code bluegreen.lockWaitSeconds})
     */
    public record Lock(boolean forceUnlock, Duration maxWait) {
        public static final Lock DEFAULT = new Lock(false, Duration.ZERO);
    }

    /**
     * Commands run on the server at named points of a deploy, each bounded by {@code timeout}
     * ({@code bluegreen.hookTimeoutSeconds}); empty: none.
     *
     * @param beforeSwitch once the new instance is healthy, before nginx is switched; a failure stops the deploy
     *                     safely ({@code bluegreen.beforeSwitchHook})
     * @param afterDeploy  at the end of a deploy, done or failed; a failure is reported only ({@code bluegreen.afterDeployHook})
     */
    public record Hooks(List<String> beforeSwitch, List<String> afterDeploy, Duration timeout) {
        public static final Hooks NONE = new Hooks(List.of(), List.of(), Duration.ofMinutes(5));
    }

    /**
     * What runs the app's instances ({@code bluegreen.runner}): detached processes, or systemd units {@code <appName>@<port>}
     * (restarted when they crash, started at boot).
     */
    public enum Runner { PROCESS, SYSTEMD }

    /**
     * @param name          directory name on the server ({@code bluegreen.appName})
     * @param baseDir       state, releases and logs; {@code ~/} means the server user's home ({@code bluegreen.baseDir})
     * @param ports         the two ports the app alternates between ({@code bluegreen.bluePort}, {@code bluegreen.greenPort})
     * @param command       start command; {@code {jar}} and {@code {port}} are replaced ({@code bluegreen.startCommand})
     * @param environment   extra environment variables for the app ({@code bluegreen.environment})
     * @param stopTimeout   SIGTERM to SIGKILL ({@code bluegreen.stopTimeoutSeconds})
     * @param keepReleases  releases kept on the server ({@code bluegreen.keepReleases})
     * @param keepOld       how long the old instance keeps running after a switch, for an instant rollback
     *                      ({@code bluegreen.keepOldSeconds}); zero stops it as soon as nginx no longer uses it
     * @param runner        what runs the instances ({@code bluegreen.runner})
     * @param umask         the app's file mode mask, octal ({@code bluegreen.umask})
     * @param classDataSharing a Spring Boot jar runs from its libraries on a plain class path, with a class-data archive
     *                      of them once one is made ({@code bluegreen.classDataSharing=auto}; false: {@code off})
     */
    public record App(String name, String baseDir, List<Integer> ports, List<String> command,
            Map<String, String> environment, Duration stopTimeout, int keepReleases, Duration keepOld, Runner runner, String umask,
            boolean classDataSharing) {
        /** Without class-data sharing: the command runs as given. */
        public App(String name, String baseDir, List<Integer> ports, List<String> command, Map<String, String> environment,
                Duration stopTimeout, int keepReleases, Duration keepOld, Runner runner, String umask) {
            this(name, baseDir, ports, command, environment, stopTimeout, keepReleases, keepOld, runner, umask, false);
        }
    }

    /**
     * @param path         health endpoint ({@code bluegreen.healthPath})
     * @param timeout      give up this long after the launch ({@code bluegreen.healthTimeoutSeconds})
     * @param probeTimeout one probe ({@code bluegreen.probeTimeoutMillis})
     * @param pollInterval between probes ({@code bluegreen.pollIntervalMillis})
     */
    public record Health(String path, Duration timeout, Duration probeTimeout, Duration pollInterval) {}

    /**
     * @param include       file holding {@code set $service_url ...;} ({@code bluegreen.nginxInclude})
     * @param pidFile       nginx master's pid file, to confirm reloads ({@code bluegreen.nginxPidFile})
     * @param testCommand   config test ({@code bluegreen.nginxTestCommand})
     * @param reloadCommand reload ({@code bluegreen.nginxReloadCommand})
     * @param reloadTimeout wait for new workers ({@code bluegreen.reloadTimeoutSeconds})
     * @param drainTimeout  wait for old workers to finish their requests ({@code bluegreen.drainTimeoutSeconds})
     * @param errorLog      where nginx says why it rejected a reload ({@code bluegreen.nginxErrorLog}), or empty
     * @param routeHelper   the root-owned program that writes the include, tests and reloads nginx ({@code bluegreen.routeHelper}),
     *                      run with sudo; empty: the deploy user writes the include and runs the two commands
     */
    public record Nginx(String include, String pidFile, List<String> testCommand, List<String> reloadCommand,
            Duration reloadTimeout, Duration drainTimeout, String errorLog, String routeHelper) {}
}
