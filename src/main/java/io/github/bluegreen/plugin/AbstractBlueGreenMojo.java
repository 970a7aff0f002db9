package io.github.bluegreen.plugin;

import io.github.bluegreen.core.DeployConfig;
import io.github.bluegreen.core.DeployFailedException;
import io.github.bluegreen.core.DeployLog;
import io.github.bluegreen.core.Deployment;
import io.github.bluegreen.core.Fleet;
import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.Shell;
import io.github.bluegreen.core.Transport;
import io.github.bluegreen.core.canary.CanaryPlan;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Common parameters of all goals, {@code bluegreen.skip}, the connection to the server, and the mapping of
 * core exceptions: a deploy verdict becomes {@link MojoFailureException}, a broken setup
 * {@link MojoExecutionException} naming the parameter to fix.
 */
public abstract class AbstractBlueGreenMojo extends AbstractMojo {

    /** Skip all bluegreen goals. */
    @Parameter(property = "bluegreen.skip", defaultValue = "false")
    private boolean skip;

    /** {@code ssh}: deploy to {@code bluegreen.host}; {@code local}: deploy on the machine that runs Maven. */
    @Parameter(property = "bluegreen.transport", defaultValue = "ssh")
    private String transport;

    /** SSH host name or address of the server. */
    @Parameter(property = "bluegreen.host")
    private String host;

    /**
     * Several servers (a fleet), each {@code [user@]host[:port][/serverId]}; each keeps its own blue/green switch behind
     * its own nginx. Empty: the one {@code bluegreen.host}.
     */
    @Parameter(property = "bluegreen.hosts")
    private List<String> hosts = new ArrayList<>();

    /** Fleet: how many hosts are started and health-checked at once. */
    @Parameter(property = "bluegreen.parallelism", defaultValue = "8")
    private int parallelism;

    /**
     * Fleet: {@code rolling} switches host by host, each drained before the next; {@code together} switches all hosts at
     * once when all are healthy (the fleet serves two versions no longer than the switch itself).
     */
    @Parameter(property = "bluegreen.switchMode", defaultValue = "rolling")
    private String switchMode;

    /**
     * Fleet: when a host's switch fails, {@code revert} switches the hosts already switched back (their old instances
     * still run) and stops the deploy; {@code continue} keeps them and goes on with the others.
     */
    @Parameter(property = "bluegreen.onFailure", defaultValue = "revert")
    private String onFailure;

    /** SSH port of the server. Default: the ssh config's Port for the host, else 22. */
    @Parameter(property = "bluegreen.sshPort")
    private Integer sshPort;

    /**
     * SSH user; a settings.xml {@code <server>} username wins. Default: the ssh config's User for the host, else the user
     * running Maven.
     */
    @Parameter(property = "bluegreen.user")
    private String user;

    /**
     * Private key file. Default: the ssh config's IdentityFile for the host, else {@code ~/.ssh/id_ed25519}, {@code id_ecdsa},
     * {@code id_rsa}; an SSH agent's keys (SSH_AUTH_SOCK) are offered first, as OpenSSH does.
     */
    @Parameter(property = "bluegreen.identityFile")
    private File identityFile;

    /** known_hosts file holding the server's host key. Default: the ssh config's UserKnownHostsFile, else ~/.ssh/known_hosts. */
    @Parameter(property = "bluegreen.knownHosts")
    private File knownHosts;

    /**
     * Verify the server's host key against {@code knownHosts}; {@code false} accepts any server. Default: the ssh config's
     * StrictHostKeyChecking (no turns it off; yes, ask and accept-new refuse an unknown key), else true.
     */
    @Parameter(property = "bluegreen.strictHostKeyChecking")
    private Boolean strictHostKeyChecking;

    /**
     * The OpenSSH client config read for the host (a Host alias, HostName, User, Port, IdentityFile, IdentitiesOnly,
     * ProxyJump, UserKnownHostsFile, StrictHostKeyChecking, IdentityAgent); the plugin's own parameters win where both say
     * something. A missing file is no config.
     */
    @Parameter(property = "bluegreen.sshConfig", defaultValue = "${user.home}/.ssh/config")
    private File sshConfig;

    /**
     * Jump hosts to reach the server through, {@code [user@]host[:port]}, comma separated (as OpenSSH's ProxyJump; each with
     * its own host key check). Default: the ssh config's ProxyJump for the host.
     */
    @Parameter(property = "bluegreen.proxyJump")
    private String proxyJump;

    /** Id of a settings.xml {@code <server>} with username, privateKey (a file), passphrase or password. */
    @Parameter(property = "bluegreen.serverId")
    private String serverId;

    /** SSH connect timeout. */
    @Parameter(property = "bluegreen.connectTimeoutSeconds", defaultValue = "15")
    private int connectTimeoutSeconds;

    /** The app's name on the server: its directory under {@code ~/bluegreen/}. */
    @Parameter(property = "bluegreen.appName", defaultValue = "${project.artifactId}")
    private String appName;

    /** Directory for state, lock, releases and logs on the server. Default: {@code ~/bluegreen/<appName>}. */
    @Parameter(property = "bluegreen.baseDir")
    private String baseDir;

    /** First of the two ports the app alternates between (used on a first deploy). */
    @Parameter(property = "bluegreen.bluePort", defaultValue = "8080")
    private int bluePort;

    /** Second of the two ports. */
    @Parameter(property = "bluegreen.greenPort", defaultValue = "8081")
    private int greenPort;

    /** The jar to deploy. */
    @Parameter(property = "bluegreen.artifact", defaultValue = "${project.build.directory}/${project.build.finalName}.jar")
    private File artifact;

    /** The java executable on the server (used when {@code startCommand} is not set). */
    @Parameter(property = "bluegreen.javaCommand", defaultValue = "java")
    private String javaCommand;

    /** JVM options, e.g. {@code -Xmx512m} (used when {@code startCommand} is not set). */
    @Parameter(property = "bluegreen.jvmArgs")
    private List<String> jvmArgs = new ArrayList<>();

    /** Application arguments after {@code --server.port=<port>} (used when {@code startCommand} is not set). */
    @Parameter(property = "bluegreen.appArgs")
    private List<String> appArgs = new ArrayList<>();

    /**
     * The whole start command, one word per element; {@code {jar}} and {@code {port}} are replaced. Default:
     * {@code <javaCommand> <jvmArgs> -jar {jar} --server.port={port} <appArgs>}. It must exec the JVM (the
     * started PID has to own the port).
     */
    @Parameter(property = "bluegreen.startCommand")
    private List<String> startCommand = new ArrayList<>();

    /**
     * What runs the app: {@code process} (a detached process, for servers without systemd) or {@code systemd} (a unit
     * {@code <appName>@<port>}: restarted when it crashes, the live one started at boot; as root a system unit, else a
     * user unit of the deploy user, which needs lingering).
     */
    @Parameter(property = "bluegreen.runner", defaultValue = "process")
    private String runner;

    /**
     * Environment variables for the app, e.g. {@code <SPRING_PROFILES_ACTIVE>prod</SPRING_PROFILES_ACTIVE>}. They are part
     * of Maven's configuration, which {@code mvn -X} prints: put secrets in {@code environmentFile} instead.
     */
    @Parameter
    private Map<String, String> environment = Map.of();

    /**
     * A file on this machine with more of the app's environment variables, read when the goal runs (never in Maven's
     * configuration, never logged): {@code NAME=value} lines, or {@code NAME} alone to take the value from the build's own
     * environment (a CI secret). It wins over {@code environment}.
     */
    @Parameter(property = "bluegreen.environmentFile")
    private File environmentFile;

    /**
     * The app's file mode creation mask (octal), e.g. {@code 0027} to let the app's group read the files it writes. The
     * default keeps what the app writes private to the deploy user.
     */
    @Parameter(property = "bluegreen.umask", defaultValue = "0077")
    private String umask;

    /**
     * {@code auto}: a Spring Boot jar started by {@code java ... -jar} runs from its libraries on a plain class path, and
     * from a class-data archive of them once the server made one (after a switch, for the JVM it runs): new releases that
     * keep the libraries, rollbacks, restarts and reboots start sooner. {@code off}: {@code java -jar} as given.
     */
    @Parameter(property = "bluegreen.classDataSharing", defaultValue = "auto")
    private String classDataSharing;

    /** Time between SIGTERM and SIGKILL when an instance is stopped. */
    @Parameter(property = "bluegreen.stopTimeoutSeconds", defaultValue = "30")
    private int stopTimeoutSeconds;

    /**
     * Keep the old instance running this long after a switch (the instant-rollback window): a
     * {@code bluegreen:rollback} until then only switches nginx back. 0 stops it once nginx no longer uses it.
     */
    @Parameter(property = "bluegreen.keepOldSeconds", defaultValue = "0")
    private int keepOldSeconds;

    /** Releases kept in {@code releases/}; the live and the previous one are never deleted. */
    @Parameter(property = "bluegreen.keepReleases", defaultValue = "3")
    private int keepReleases;

    /** Health endpoint of the app; UP means HTTP 200 with JSON {@code "status":"UP"}. */
    @Parameter(property = "bluegreen.healthPath", defaultValue = "/actuator/health")
    private String healthPath;

    /** How long the new version may take to become healthy, counted from its launch. */
    @Parameter(property = "bluegreen.healthTimeoutSeconds", defaultValue = "120")
    private int healthTimeoutSeconds;

    /** Timeout of one health probe (an endpoint that accepts but never answers). */
    @Parameter(property = "bluegreen.probeTimeoutMillis", defaultValue = "2000")
    private int probeTimeoutMillis;

    /** Pause between health probes. */
    @Parameter(property = "bluegreen.pollIntervalMillis", defaultValue = "100")
    private int pollIntervalMillis;

    /** The nginx include that holds {@code set $service_url http://127.0.0.1:<port>;}. */
    @Parameter(property = "bluegreen.nginxInclude", defaultValue = "/etc/nginx/conf.d/service-url.inc")
    private String nginxInclude;

    /** nginx master's pid file: its workers show when a reload took effect and when old requests are done. */
    @Parameter(property = "bluegreen.nginxPidFile", defaultValue = "/run/nginx.pid")
    private String nginxPidFile;

    /** nginx configuration test, run after the include is written. */
    @Parameter(property = "bluegreen.nginxTestCommand", defaultValue = "nginx -t")
    private String nginxTestCommand;

    /** nginx reload, e.g. {@code sudo systemctl reload nginx}. */
    @Parameter(property = "bluegreen.nginxReloadCommand", defaultValue = "nginx -s reload")
    private String nginxReloadCommand;

    /**
     * nginx's error log, readable by the deploy user (on Debian: a member of group {@code adm}): when a reload is
     * rejected (e.g. a port it cannot bind), the switch fails at once and quotes nginx's reason. Empty: not read.
     */
    @Parameter(property = "bluegreen.nginxErrorLog", defaultValue = "/var/log/nginx/error.log")
    private String nginxErrorLog;

    /**
     * Least privilege: the root-owned program that writes nginx's include, tests and reloads nginx, run with {@code sudo -n}
     * (its installation: {@code mvn bluegreen:route-helper}). The deploy user then only chooses a port; the nginx test and
     * reload commands are the helper's. Empty: the deploy user writes the include and runs them.
     */
    @Parameter(property = "bluegreen.routeHelper", defaultValue = "")
    private String routeHelper;

    /** How long a reload may take to start new workers. */
    @Parameter(property = "bluegreen.reloadTimeoutSeconds", defaultValue = "10")
    private int reloadTimeoutSeconds;

    /** How long the old nginx workers may take to finish in-flight requests before the old app is stopped. */
    @Parameter(property = "bluegreen.drainTimeoutSeconds", defaultValue = "60")
    private int drainTimeoutSeconds;

    /** Take over the deploy lock of another deploy (one that was killed on another machine). */
    @Parameter(property = "bluegreen.forceUnlock", defaultValue = "false")
    private boolean forceUnlock;

    /** Wait this long for a deploy lock another deploy holds (CI deploys queue), saying who holds it; 0: fail at once. */
    @Parameter(property = "bluegreen.lockWaitSeconds", defaultValue = "0")
    private int lockWaitSeconds;

    /**
     * A command run on the server once the new instance is healthy, before nginx is switched (a smoke test, a database
     * migration), split into words like the nginx commands; BLUEGREEN_PORT, BLUEGREEN_PID, BLUEGREEN_RELEASE and
     * BLUEGREEN_DEPLOY_ID in its environment. A failure stops the deploy safely: nothing switched, the new instance stopped.
     */
    @Parameter(property = "bluegreen.beforeSwitchHook", defaultValue = "")
    private String beforeSwitchHook;

    /**
     * A command run on the server at the end of every deploy, done or failed (a chat message), with BLUEGREEN_OUTCOME
     * (DONE or FAILED) and BLUEGREEN_REASON besides the variables of the beforeSwitch hook. A failure is reported only.
     */
    @Parameter(property = "bluegreen.afterDeployHook", defaultValue = "")
    private String afterDeployHook;

    /** How long a hook may run before it is stopped (and counts as failed). */
    @Parameter(property = "bluegreen.hookTimeoutSeconds", defaultValue = "300")
    private int hookTimeoutSeconds;

    /**
     * Look at the server for real (what is live, the target port, what would be stopped, the lock) and print every
     * command and file write a deploy would make, changing nothing.
     */
    @Parameter(property = "bluegreen.dryRun", defaultValue = "false")
    private boolean dryRun;

    /**
     * Proof that the deploy dropped nothing: this URL, through nginx as seen from the server (its port and path; e.g.
     * {@code http://127.0.0.1:80/}), is probed every {@code proofIntervalMillis} during the switch and the drain; the
     * summary says how many probes failed and when each version answered. Empty: no proof.
     */
    @Parameter(property = "bluegreen.proofUrl", defaultValue = "")
    private String proofUrl;

    /** Between two proof probes. */
    @Parameter(property = "bluegreen.proofIntervalMillis", defaultValue = "50")
    private int proofIntervalMillis;

    /** A failed proof probe fails the build (the deploy itself is done); otherwise it is a warning. */
    @Parameter(property = "bluegreen.requireZeroFailures", defaultValue = "false")
    private boolean requireZeroFailures;

    /**
     * Paths requested on the new instance directly (not through nginx) before the switch, so that the JIT has compiled the
     * hot paths when users arrive, e.g. {@code /,/api/plants}. Empty: no warm-up.
     */
    @Parameter(property = "bluegreen.warmupPaths")
    private List<String> warmupPaths = new ArrayList<>();

    /** How many warm-up requests, spread over the paths. */
    @Parameter(property = "bluegreen.warmupRequests", defaultValue = "1000")
    private int warmupRequests;

    /** Warm-up requests at once. */
    @Parameter(property = "bluegreen.warmupConcurrency", defaultValue = "4")
    private int warmupConcurrency;

    /**
     * Canary steps: percent of the requests the new version gets in turn before the full switch, e.g. {@code 5,25,50};
     * each step is watched and judged on what nginx answered each instance, and a failing one routes every request back
     * and fails the build. Empty: blue/green, every request at once. Needs the one-time nginx setup (README "Canary releases").
     */
    @Parameter(property = "bluegreen.canary")
    private List<Integer> canary = new ArrayList<>();

    /** How long each canary step is watched. */
    @Parameter(property = "bluegreen.canaryStepSeconds", defaultValue = "60")
    private int canaryStepSeconds;

    /** Percentage points of failed answers (5xx, gateway errors, timeouts) the canary may have above the stable instance. */
    @Parameter(property = "bluegreen.canaryMaxErrorRateDelta", defaultValue = "1.0")
    private double canaryMaxErrorRateDelta;

    /** Answers of the canary a step needs before it is judged. */
    @Parameter(property = "bluegreen.canaryMinRequests", defaultValue = "100")
    private int canaryMinRequests;

    /** The canary fails if its p99 answer time exceeds the stable instance's by this factor; 0: not checked. */
    @Parameter(property = "bluegreen.canaryMaxLatencyRatio", defaultValue = "0")
    private double canaryMaxLatencyRatio;

    /** Split by client (the last byte of its IPv4 address: a client stays on one colour), not request by request. */
    @Parameter(property = "bluegreen.canarySticky", defaultValue = "false")
    private boolean canarySticky;

    /** The access log the one-time nginx setup writes for the canary's analysis, readable by the deploy user. */
    @Parameter(property = "bluegreen.canaryLog", defaultValue = "/var/log/nginx/bluegreen-canary.log")
    private String canaryLog;

    @Parameter(defaultValue = "${settings}", readonly = true)
    private Settings settings;

    private final SettingsDecrypter settingsDecrypter;

    protected AbstractBlueGreenMojo(SettingsDecrypter settingsDecrypter) {
        this.settingsDecrypter = settingsDecrypter;
    }

    /** The goal's name, for the log. */
    protected abstract String goal();

    /** The goal's work on the server (or the servers: a fleet of one is the single-server deploy). */
    protected abstract void run(Fleet fleet) throws SetupException, DeployFailedException;

    /** True for the goals in the middle of a deploy: the SSH session stays open for the next goal. */
    protected boolean deployContinues() {
        return false;
    }

    /** False for a goal that only prints something from the configuration: it connects to no server. */
    protected boolean connects() {
        return true;
    }

    /** The work of a goal that connects to no server (see {@link #connects()}). */
    protected void runWithoutServer(DeployConfig config) throws SetupException {}

    /** The SSH user the deploy logs in as, for a goal that prints instructions: the parameter, else the user running Maven. */
    protected String deployUser() {
        return user != null ? user : System.getProperty("user.name");
    }

    /** True for the goals that end a deploy (cleanup, rollback): a CI job's summary gets what they did. */
    protected boolean endsADeploy() {
        return false;
    }

    /** Checks that can fail before anything is connected; the default checks nothing. */
    protected void checkLocalInputs(DeployConfig config) throws SetupException {}

    /** The jar must exist before a deploy touches the server (detect takes the lock, start uploads it). */
    protected static void checkArtifact(DeployConfig config) throws SetupException {
        if (config.artifact() == null || !Files.isRegularFile(config.artifact()) || !Files.isReadable(config.artifact())) {
            throw new SetupException("bluegreen.artifact", "the jar to deploy, " + config.artifact()
                    + ", does not exist or is unreadable: build it first (mvn package) or set bluegreen.artifact");
        }
    }

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping bluegreen:" + goal() + " (bluegreen.skip)");
            return;
        }
        Map<String, Object> context = pluginContext();
        try {
            DeployConfig config = deployConfig();
            Fleet.Settings fleetSettings = fleetSettings();
            checkLocalInputs(config);
            if (!connects()) {
                runWithoutServer(config);
                return;
            }
            Map<String, Connections.Reach> servers = Connections.open(context, transport, sshSettings(), log(""));
            List<Fleet.Member> members = new ArrayList<>();
            for (Map.Entry<String, Connections.Reach> server : servers.entrySet()) {
                Transport reached = server.getValue().transport();
                if (reached == null) {
                    members.add(new Fleet.Member(server.getKey(), null, server.getValue().failure().reason()));
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> session = (Map<String, Object>) context.computeIfAbsent("bluegreen.session." + server.getKey(),
                        key -> new java.util.concurrent.ConcurrentHashMap<String, Object>());
                members.add(new Fleet.Member(server.getKey(), Deployment.open(config, reached,
                        log(servers.size() == 1 ? "" : "[" + server.getKey() + "] "), session)));
            }
            getLog().info("bluegreen:" + goal() + " on " + (servers.size() == 1 ? servers.values().iterator().next().transport().describe()
                    : servers.size() + " hosts: " + String.join(", ", servers.keySet())));
            Fleet fleet = new Fleet(members, fleetSettings, log(""));
            try {
                run(fleet);
                if (endsADeploy()) {
                    stepSummary(fleet.markdownSummary(goal()));
                }
            } catch (DeployFailedException | SetupException e) {
                stepSummary("### bluegreen:" + goal() + " failed\n\n" + e.getMessage() + "\n");
                throw e;
            }
            if (!deployContinues()) {
                Connections.close(context);
            }
        } catch (DeployFailedException e) {
            Connections.close(context);
            throw new MojoFailureException(e.getMessage(), e);
        } catch (SetupException e) {
            Connections.close(context);
            throw new MojoExecutionException(e.getMessage(), e);
        }
    }

    /** Appended to the CI job's summary page when the build runs on GitHub Actions (GITHUB_STEP_SUMMARY names the file). */
    private void stepSummary(String markdown) {
        String file = System.getenv("GITHUB_STEP_SUMMARY");
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(java.nio.file.Path.of(file), markdown + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            getLog().warn("Could not append the summary to GITHUB_STEP_SUMMARY (" + file + "): " + e.getMessage());
        }
    }

    /** The plugin context of this project: where the kept SSH session lives between goals. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> pluginContext() {
        if (getPluginContext() == null) {
            setPluginContext(new java.util.HashMap<>());
        }
        return getPluginContext();
    }

    /** Every input is checked here, before anything is connected or locked: bad input changes nothing on the server. */
    private DeployConfig deployConfig() throws SetupException {
        if (bluePort == greenPort || bluePort < 1 || greenPort < 1 || bluePort > 65535 || greenPort > 65535) {
            throw new SetupException("bluegreen.bluePort", "bluegreen.bluePort (" + bluePort + ") and bluegreen.greenPort ("
                    + greenPort + ") must be two different TCP ports");
        }
        if (!healthPath.matches("/[\\x21-\\x7e]*")) {
            throw new SetupException("bluegreen.healthPath", "bluegreen.healthPath must start with / and contain no blanks or control"
                    + " characters: '" + healthPath.replaceAll("\\p{Cntrl}", "?") + "'");
        }
        if (appName == null || !appName.matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
            throw new SetupException("bluegreen.appName", "bluegreen.appName must be a plain name (letters, digits, . _ -, not starting"
                    + " with . or -): '" + appName + "'");
        }
        if (baseDir != null && !baseDir.isBlank() && !baseDir.startsWith("/") && !baseDir.startsWith("~/")) {
            throw new SetupException("bluegreen.baseDir", "bluegreen.baseDir must be an absolute path or start with ~/ (the deploy"
                    + " user's home): '" + baseDir + "'");
        }
        absolute("bluegreen.nginxInclude", nginxInclude);
        absolute("bluegreen.nginxPidFile", nginxPidFile);
        if (nginxErrorLog != null && !nginxErrorLog.isBlank()) {
            absolute("bluegreen.nginxErrorLog", nginxErrorLog);
        }
        if (umask == null || !umask.matches("0?[0-7]{3}")) {
            throw new SetupException("bluegreen.umask", "bluegreen.umask must be an octal mask such as 0077 or 0027: '" + umask + "'");
        }
        atLeast("bluegreen.stopTimeoutSeconds", stopTimeoutSeconds, 1);
        atLeast("bluegreen.healthTimeoutSeconds", healthTimeoutSeconds, 1);
        atLeast("bluegreen.probeTimeoutMillis", probeTimeoutMillis, 1);
        atLeast("bluegreen.pollIntervalMillis", pollIntervalMillis, 1);
        atLeast("bluegreen.reloadTimeoutSeconds", reloadTimeoutSeconds, 1);
        atLeast("bluegreen.drainTimeoutSeconds", drainTimeoutSeconds, 0);
        atLeast("bluegreen.keepOldSeconds", keepOldSeconds, 0);
        atLeast("bluegreen.keepReleases", keepReleases, 1);
        atLeast("bluegreen.lockWaitSeconds", lockWaitSeconds, 0);
        atLeast("bluegreen.hookTimeoutSeconds", hookTimeoutSeconds, 1);
        atLeast("bluegreen.connectTimeoutSeconds", connectTimeoutSeconds, 1);
        atLeast("bluegreen.proofIntervalMillis", proofIntervalMillis, 1);
        atLeast("bluegreen.warmupRequests", warmupRequests, 0);
        atLeast("bluegreen.warmupConcurrency", warmupConcurrency, 1);
        if (!classDataSharing.equals("auto") && !classDataSharing.equals("off")) {
            throw new SetupException("bluegreen.classDataSharing", "bluegreen.classDataSharing must be auto or off: '" + classDataSharing + "'");
        }
        DeployConfig.Runner instances;
        try {
            instances = DeployConfig.Runner.valueOf(runner.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new SetupException("bluegreen.runner", "unknown runner '" + runner + "': use process or systemd");
        }
        Map<String, String> variables = new java.util.LinkedHashMap<>(environment == null ? Map.of() : environment);
        if (environmentFile != null) {
            variables.putAll(io.github.bluegreen.core.EnvironmentFile.read(environmentFile.toPath(), System::getenv));
        }
        for (String name : variables.keySet()) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new SetupException("environment", "'" + name + "' in <environment> is not a valid environment variable name"
                        + " (letters, digits and _, not starting with a digit)");
            }
        }
        List<String> command = new ArrayList<>(startCommand);
        if (command.isEmpty()) {
            command.add(javaCommand);
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", "{jar}", "--server.port={port}"));
            command.addAll(appArgs);
        }
        return new DeployConfig(
                new DeployConfig.App(appName, baseDir == null || baseDir.isBlank() ? "~/bluegreen/" + appName : baseDir,
                        List.of(bluePort, greenPort), command, variables,
                        Duration.ofSeconds(stopTimeoutSeconds), keepReleases, Duration.ofSeconds(keepOldSeconds), instances,
                        umask.length() == 3 ? "0" + umask : umask, classDataSharing.equals("auto")),
                new DeployConfig.Health(healthPath, Duration.ofSeconds(healthTimeoutSeconds),
                        Duration.ofMillis(probeTimeoutMillis), Duration.ofMillis(pollIntervalMillis)),
                new DeployConfig.Nginx(nginxInclude, nginxPidFile, words("bluegreen.nginxTestCommand", nginxTestCommand),
                        words("bluegreen.nginxReloadCommand", nginxReloadCommand), Duration.ofSeconds(reloadTimeoutSeconds),
                        Duration.ofSeconds(drainTimeoutSeconds), nginxErrorLog == null ? "" : nginxErrorLog,
                        routeHelper == null ? "" : routeHelper),
                artifact == null ? null : artifact.toPath(),
                new DeployConfig.Lock(forceUnlock, Duration.ofSeconds(lockWaitSeconds)),
                new DeployConfig.Hooks(hook("bluegreen.beforeSwitchHook", beforeSwitchHook), hook("bluegreen.afterDeployHook", afterDeployHook),
                        Duration.ofSeconds(hookTimeoutSeconds)),
                traffic(), dryRun);
    }

    private DeployConfig.Traffic traffic() throws SetupException {
        String url = proofUrl == null ? "" : proofUrl.trim();
        if (!url.isEmpty() && (!url.matches("http://[^/\\s]+(:\\d+)?(/\\S*)?") || !isUri(url))) {
            throw new SetupException("bluegreen.proofUrl", "bluegreen.proofUrl must be an http:// URL (its port and path are probed"
                    + " from the server): '" + url + "'");
        }
        List<String> paths = warmupPaths == null ? List.of() : warmupPaths.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
        for (String path : paths) {
            if (!path.matches("/[\\x21-\\x7e]*")) {
                throw new SetupException("bluegreen.warmupPaths", "a warm-up path must start with / and contain no blanks: '" + path + "'");
            }
        }
        return new DeployConfig.Traffic(url, Duration.ofMillis(proofIntervalMillis), requireZeroFailures, paths, warmupRequests,
                warmupConcurrency, canary());
    }

    private CanaryPlan canary() throws SetupException {
        List<Integer> steps = canary == null ? List.of() : canary;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) < 1 || steps.get(i) > 99 || (i > 0 && steps.get(i) <= steps.get(i - 1))) {
                throw new SetupException("bluegreen.canary", "bluegreen.canary must be rising percents from 1 to 99, e.g. 5,25,50: " + steps);
            }
        }
        atLeast("bluegreen.canaryStepSeconds", canaryStepSeconds, 1);
        atLeast("bluegreen.canaryMinRequests", canaryMinRequests, 1);
        if (canaryMaxErrorRateDelta < 0 || canaryMaxLatencyRatio < 0) {
            throw new SetupException(canaryMaxErrorRateDelta < 0 ? "bluegreen.canaryMaxErrorRateDelta" : "bluegreen.canaryMaxLatencyRatio",
                    "the canary's thresholds cannot be negative");
        }
        if (!steps.isEmpty() && !canaryLog.startsWith("/")) {
            throw new SetupException("bluegreen.canaryLog", "bluegreen.canaryLog must be an absolute path on the server: " + canaryLog);
        }
        return new CanaryPlan(List.copyOf(steps), Duration.ofSeconds(canaryStepSeconds), canaryMaxErrorRateDelta, canaryMinRequests,
                canaryMaxLatencyRatio, canarySticky, canaryLog);
    }

    private static boolean isUri(String url) {
        try {
            java.net.URI.create(url);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A number a user set: 0 or less would mean "no limit" or nothing sensible, so it is refused, naming the parameter. */
    private static void atLeast(String parameter, int value, int min) throws SetupException {
        if (value < min) {
            throw new SetupException(parameter, parameter + " must be at least " + min + ": " + value);
        }
    }

    private static void absolute(String parameter, String path) throws SetupException {
        if (path == null || !path.startsWith("/")) {
            throw new SetupException(parameter, parameter + " must be an absolute path on the server: '" + path + "'");
        }
    }

    private static List<String> hook(String parameter, String command) throws SetupException {
        return command == null || command.isBlank() ? List.of() : words(parameter, command);
    }

    private static List<String> words(String parameter, String command) throws SetupException {
        try {
            List<String> words = Shell.split(command);
            if (words.isEmpty()) {
                throw new SetupException(parameter, parameter + " is empty");
            }
            return words;
        } catch (IllegalArgumentException e) {
            throw new SetupException(parameter, "cannot read " + parameter + ": " + e.getMessage());
        }
    }

    private DeployLog log(String prefix) {
        return new MavenDeployLog(getLog(), prefix);
    }

    /** Each host's SSH settings, by its name: {@code bluegreen.hosts}, else {@code bluegreen.host}. */
    private Map<String, Connections.SshSettings> sshSettings() throws SetupException {
        Map<String, Connections.SshSettings> targets = new java.util.LinkedHashMap<>();
        ServerCredentials credentials = new ServerCredentials(settings, settingsDecrypter);
        if (hosts == null || hosts.isEmpty()) {
            if (host != null && !host.isBlank()) {
                targets.put(host, () -> credentials.sshConfig(serverId, host, sshPort, user, identityFile, knownHosts,
                        strictHostKeyChecking, connectTimeoutSeconds, proxyJump, sshConfig));
            }
            return targets;
        }
        for (String spec : hosts) {
            java.util.regex.Matcher parts = HOST.matcher(spec.trim());
            if (!parts.matches()) {
                throw new SetupException("bluegreen.hosts", "cannot read the host '" + spec + "' in bluegreen.hosts: write"
                        + " [user@]host[:port][/serverId], e.g. deploy@app2.example.com:2222/app2");
            }
            String name = parts.group(2);
            Integer port = parts.group(3) == null ? sshPort : Integer.valueOf(parts.group(3));
            String login = parts.group(1) == null ? user : parts.group(1);
            String server = parts.group(4) == null ? serverId : parts.group(4);
            String key = name + (port == null || port == 22 ? "" : ":" + port);
            if (targets.containsKey(key)) {
                throw new SetupException("bluegreen.hosts", "the host " + key + " is listed twice in bluegreen.hosts");
            }
            targets.put(key, () -> credentials.sshConfig(server, name, port, login, identityFile, knownHosts, strictHostKeyChecking,
                    connectTimeoutSeconds, proxyJump, sshConfig));
        }
        return targets;
    }

    private static final java.util.regex.Pattern HOST = java.util.regex.Pattern.compile("(?:([^@/:\\s]+)@)?([^@/:\\s]+)(?::(\\d{1,5}))?(?:/(\\S+))?");

    private Fleet.Settings fleetSettings() throws SetupException {
        if (parallelism < 1) {
            throw new SetupException("bluegreen.parallelism", "bluegreen.parallelism must be at least 1: " + parallelism);
        }
        try {
            return new Fleet.Settings(parallelism, Fleet.SwitchMode.valueOf(switchMode.trim().toUpperCase(java.util.Locale.ROOT)),
                    Fleet.OnFailure.valueOf(onFailure.trim().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new SetupException("bluegreen.switchMode", "bluegreen.switchMode must be rolling or together ('" + switchMode
                    + "'), bluegreen.onFailure revert or continue ('" + onFailure + "')");
        }
    }
}
