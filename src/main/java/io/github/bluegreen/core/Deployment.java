package io.github.bluegreen.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One deploy on one server: the configuration, the connection, the state file and the lock. Each goal
 * runs one {@link Step} through {@link #run(Step)}, which reads the state, checks the order of goals,
 * and writes the state back.
 */
public final class Deployment {
    private static final Duration SHORT = Duration.ofSeconds(30);

    final DeployConfig config;
    final Transport transport;
    final DeployLog log;
    final ServerLayout layout;
    final ServerScript script;
    DeployState state = new DeployState();

    private Deployment(DeployConfig config, Transport transport, DeployLog log, ServerLayout layout) {
        this.config = config;
        this.transport = transport;
        this.log = log;
        this.layout = layout;
        this.script = new ServerScript(transport);
    }

    public static Deployment open(DeployConfig config, Transport transport, DeployLog log) throws SetupException {
        return new Deployment(config, transport, log, ServerLayout.of(config.app().baseDir(), transport.home()));
    }

    /** Runs one step: checks that the previous goal completed, runs, records phase and duration. */
    public void run(Step step) throws SetupException, DeployFailedException {
        Instant begin = Instant.now();
        if (step.requires() != null) {
            state = readState();
            requirePhase(step);
            requireLock();
        }
        step.run(this);
        Duration took = Duration.between(begin, Instant.now());
        state.set("step." + step.goal() + ".at", begin);
        state.set("step." + step.goal() + ".ms", took.toMillis());
        state.phase(step.completes());
        if (step.completes() == Phase.DONE) {
            state.set("finishedAt", Instant.now());
        }
        saveState();
        log.info(step.goal() + " done in " + Durations.format(took));
        if (step.completes() == Phase.DONE) {
            releaseLock();
            recordHistory("DONE", null);
            log.info(summary());
        }
    }

    /**
     * Goes back to the previous release with the deploy's own steps: a pure switch when its instance still
     * runs (the instant-rollback window, {@code bluegreen.keepOldSeconds}), otherwise its jar from
     * {@code releases/} is started on the idle port, health-checked, switched to and the current one drained.
     */
    public void rollback() throws SetupException, DeployFailedException {
        run(new DetectStep(true));
        DeployState.Instance kept = state.instance("rollback");
        if (kept != null && isRunning(kept.pid())) {
            log.info("The previous release " + kept.release() + " still runs on port " + kept.port() + " (PID " + kept.pid()
                    + "): rolling back is a switch only");
            state.instance("target", kept);
            state.phase(Phase.STARTED);
            saveState();
        } else {
            run(Step.start());
        }
        run(Step.healthcheck());
        run(Step.switchTraffic());
        run(Step.cleanup());
    }

    /** One line for the end of a deploy: what is live now and how long each goal took. */
    String summary() {
        DeployState.Instance live = state.instance("live");
        StringBuilder text = new StringBuilder("SUMMARY: release " + live.release() + " is live on port " + live.port()
                + " (PID " + live.pid() + ");");
        long total = 0;
        for (Step step : Step.all()) {
            String ms = state.get("step." + step.goal() + ".ms");
            if (ms != null) {
                text.append(' ').append(step.goal()).append(' ').append(Durations.format(Duration.ofMillis(Long.parseLong(ms))));
                total += Long.parseLong(ms);
            }
        }
        return text.append("; total ").append(Durations.format(Duration.ofMillis(total))).toString();
    }

    /** The state file as it is on the server now. */
    public DeployState state() {
        return state;
    }

    private DeployState readState() throws SetupException {
        String text = transport.read(layout.stateFile()).orElseThrow(() -> new SetupException(
                "no deploy in progress: " + layout.stateFile() + " does not exist. Run bluegreen:detect first"));
        try {
            return DeployState.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SetupException("state file " + layout.stateFile() + " is corrupt (" + e.getMessage()
                    + "). Start over with bluegreen:detect: it ignores a corrupt file and trusts nginx's include");
        }
    }

    /**
     * The state file for what only informs (detect, status): one that is missing, corrupt or unreadable counts as
     * empty, with a warning, since nginx's include and the ports are the truth about what is live.
     */
    DeployState readStateOrEmpty() {
        try {
            return transport.read(layout.stateFile()).map(DeployState::parse).orElseGet(DeployState::new);
        } catch (SetupException | IllegalArgumentException e) {
            log.warn("Ignoring the state file " + layout.stateFile() + " (" + e.getMessage()
                    + "): nginx's include and the ports decide what is live");
            return new DeployState();
        }
    }

    private void requirePhase(Step step) throws SetupException {
        if (state.phase() != step.requires()) {
            throw new SetupException("bluegreen:" + step.goal() + " needs the phase " + step.requires()
                    + " but deploy " + state.deployId() + " is " + state.phase() + ": run the goals in order"
                    + " (detect, start, healthcheck, switch, cleanup), e.g. mvn deploy -Pbluegreen");
        }
    }

    private void requireLock() throws SetupException, DeployFailedException {
        Optional<String> lock = transport.read(layout.lockFile());
        String holder = lock.map(LockOwner::deployIdOf).orElse(null);
        if (state.deployId() == null || !state.deployId().equals(holder)) {
            throw new SetupException("deploy " + state.deployId() + " does not hold the deploy lock "
                    + layout.lockFile() + " (holder: " + (holder == null ? "nobody" : holder) + "). Run bluegreen:detect to start a new deploy");
        }
    }

    void saveState() throws SetupException {
        transport.write(layout.stateFile(), state.text());
    }

    /** Takes the deploy lock and inspects nginx and the ports in one round trip; a dead holder on this host is replaced. */
    Map<String, String> lockAndInspect(String deployId) throws SetupException, DeployFailedException {
        LockOwner me = new LockOwner(deployId, System.getProperty("user.name"), thisHost(), ProcessHandle.current().pid(), Instant.now());
        List<String> args = new ArrayList<>(List.of(layout.lockFile()));
        args.addAll(includeAndPorts());
        for (int attempt = 0; ; attempt++) {
            ExecResult result = script.run(SHORT, me.text(), "detect", args);
            if (result.exitCode() == ServerScript.OK) {
                return result.values();
            }
            if (result.exitCode() != ServerScript.REFUSED) {
                throw new SetupException("bluegreen.baseDir", "cannot take the deploy lock " + layout.lockFile() + ": " + result.output());
            }
            LockOwner holder = LockOwner.parse(result.values());
            String who = holder.describe(Instant.now());
            if (attempt == 0 && config.forceUnlock()) {
                log.warn("Removing the deploy lock of " + who + " (bluegreen.forceUnlock)");
            } else if (attempt == 0 && holder.isDeadOnThisHost(thisHost())) {
                log.warn("The deploy lock belongs to " + who + ", whose Maven process is gone: taking it over");
            } else {
                throw new DeployFailedException("another deploy is running: " + who + ". Wait for it to finish; if it was"
                        + " killed on another machine, remove its lock with -Dbluegreen.forceUnlock=true");
            }
            transport.delete(layout.lockFile());
        }
    }

    /** The arguments of server.sh's inspect: nginx's include, then both app ports. */
    List<String> includeAndPorts() {
        List<String> args = new ArrayList<>(List.of(config.nginx().include()));
        config.app().ports().forEach(port -> args.add(String.valueOf(port)));
        return args;
    }

    void releaseLock() throws SetupException {
        transport.delete(layout.lockFile());
    }

    /**
     * Ends a deploy that cannot go on: stops the new instance (if one was started), records the failure,
     * releases the lock. Traffic, nginx and the live app are not touched.
     */
    DeployFailedException abort(String reason) throws SetupException {
        DeployState.Instance target = state.instance("target");
        if (target != null && target.pid() != null) {
            ExecResult stopped = script.run(stopTimeout(), "stop", String.valueOf(config.app().stopTimeout().toSeconds()),
                    String.valueOf(target.pid()), target.command());
            log.info("Stopped the new instance (PID " + target.pid() + "): " + stopped.values());
        }
        state.phase(Phase.FAILED);
        state.set("failure", reason);
        state.set("finishedAt", Instant.now());
        saveState();
        releaseLock();
        recordHistory("FAILED", reason);
        return new DeployFailedException(reason);
    }

    /**
     * One line per finished deploy attempt in {@code history.log} (append-only, tab-separated; read by
     * {@code bluegreen:status}): id, kind, outcome, who, artifact and its SHA-256, ports, start, end, reason.
     */
    private void recordHistory(String outcome, String reason) throws SetupException {
        DeployState.Instance from = state.instance(outcome.equals("DONE") ? "previous" : "live");
        DeployState.Instance to = state.instance(outcome.equals("DONE") ? "live" : "target");
        String line = String.join("\t", state.deployId(), state.get("kind") == null ? "deploy" : state.get("kind"), outcome,
                String.valueOf(state.get("deployedBy")), String.valueOf(state.get("target.artifact")), String.valueOf(state.get("target.sha256")),
                from == null ? "-" : String.valueOf(from.port()), to == null ? "-" : String.valueOf(to.port()),
                String.valueOf(state.get("startedAt")), String.valueOf(state.get("finishedAt")),
                reason == null ? "" : reason.replaceAll("\\s+", " "));
        transport.append(layout.historyFile(), line + "\n");
    }

    /** Running and not a zombie, read from /proc without a remote shell. */
    boolean isRunning(long pid) throws SetupException {
        Optional<String> stat = transport.read("/proc/" + pid + "/stat");
        if (stat.isEmpty() || stat.get().isEmpty()) {
            return false;
        }
        String afterName = stat.get().substring(stat.get().lastIndexOf(')') + 1).trim();
        return !afterName.startsWith("Z") && !afterName.startsWith("X");
    }

    Duration stopTimeout() {
        return config.app().stopTimeout().plusSeconds(15);
    }

    String tailOfLog(int port) throws SetupException {
        return script.run(SHORT, "tail", "40", layout.log(port)).stdout();
    }

    static String thisHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
