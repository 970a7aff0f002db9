package io.github.bluegreen.core;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One deploy on one server: the configuration, the connection, the state file and the lock. Each goal runs one
 * {@link Step} through {@link #run(Step)}, which checks the phase and the lock, runs the step, records the phase,
 * and on every way out of a deploy that holds the lock applies the failure contract ({@link #fail}).
 */
public final class Deployment {
    final DeployConfig config;
    final Transport transport;
    final DeployLog log;
    final ServerLayout layout;
    final ServerCommands server;
    DeployState state = new DeployState();
    /** Set by detect for a rollback whose release still runs on the target port: no start, a switch only. */
    boolean keptForRollback;
    /** The deploy id all hosts of a fleet share (one release name everywhere), or null: detect makes one. */
    String sharedDeployId;
    /** The session key of the state this invocation saved last on this host. */
    private static final String SAVED_STATE = "bluegreen.state";
    /** What lives from one goal to the next within one Maven invocation on this host (the running proof, the saved state). */
    final Map<String, Object> session;
    /** The proof's report when probes failed (set by cleanup), or null. */
    String proofFailures;
    /** The proof's report (set by cleanup), or null: no proof. */
    String proofReport;
    private DeployState.Kind kind = DeployState.Kind.DEPLOY;
    /** This invocation took the lock or found it held by its deploy: a failure must release it. */
    private boolean holdsLock;
    /** The failure contract could not reach the server: this host's outcome is unknown. */
    private boolean unreachable;
    /** The dead deploy whose lock this one took over, or null. */
    LockOwner takenOver;
    /** A fleet's failure switched this host back to the instance this deploy replaced. */
    private boolean reverted;
    /** In a fleet that reverts: a switch that went through before this host failed is undone by its failure contract. */
    boolean revertOnFailure;
    /** A canary's split may be in nginx's include: a failure routes every request back to the live instance first. */
    boolean canaryOn;
    /** This deploy's canary sent a share of the requests to its new instance (nginx was changed, the live app was not). */
    boolean canarySplit;
    /** A rollback found a canary cut off and ended it (detect): that canary's instance, which it stops, or null. */
    DeployState.Instance canaryEnded;
    /** In a fleet that switches together: the hosts take the canary's steps together, or null. */
    io.github.bluegreen.core.canary.Lockstep lockstep;
    /** The step running now and when it began. */
    private Step step;
    private Instant stepBegan;

    private Deployment(DeployConfig config, Transport transport, DeployLog log, ServerLayout layout, Map<String, Object> session) {
        this.session = session;
        this.config = config;
        this.transport = transport;
        this.log = log;
        this.layout = layout;
        this.server = new ServerCommands(transport, layout, config);
    }

    public static Deployment open(DeployConfig config, Transport transport, DeployLog log) throws SetupException {
        return open(config, transport, log, new HashMap<>());
    }

    /** @param session kept by the caller from one goal to the next of the same invocation (the Maven plugin context) */
    public static Deployment open(DeployConfig config, Transport transport, DeployLog log, Map<String, Object> session)
            throws SetupException {
        return new Deployment(config, transport, log, ServerLayout.of(config.app().baseDir(), transport.home()), session);
    }

    /**
     * Runs one step. Before: the previous goal completed and this deploy holds the lock. After: phase and timing
     * recorded. On any way out (a verdict, an I/O error, a timeout, a bug) of a deploy that holds the lock, the live
     * instance keeps serving, what this deploy started is stopped, the outcome is recorded and the lock released.
     */
    public void run(Step step) throws SetupException, DeployFailedException {
        if (config.dryRun()) {
            if (step == Step.DETECT) {
                DryRun.plan(this).forEach(log::info);
            } else {
                log.info("bluegreen:" + step.goal() + ": dry run, nothing to do (bluegreen:detect printed the whole plan)");
            }
            return;
        }
        Instant begin = Instant.now();
        this.step = step;
        this.stepBegan = begin;
        if (step.requires() != null) {
            resumeState();
            requirePhase(step);
        }
        Duration took;
        boolean released = false;
        try {
            step.work().run(this);
            took = Duration.between(begin, Instant.now());
            state.steps().put(step, new DeployState.StepTime(begin, took.toMillis()));
            state.phase(step.completes());
            if (step.completes() == Phase.DONE) {
                state.finishedAt(Instant.now());
            }
            if (server.takeRecorded()) {   // the step's last command recorded it, in its own round trip
                session.put(SAVED_STATE, state);
                released = step.completes() == Phase.DONE && config.hooks().afterDeploy().isEmpty();
            } else {
                // a deploy that is done is in history.log with the same write (a kill during the hook cannot lose it)
                saveState(step.completes() == Phase.DONE ? historyLine(state, "DONE", null) : null);
            }
        } catch (DeployFailedException e) {
            throw new DeployFailedException(sentence(e.getMessage()) + fail(e.getMessage()));
        } catch (SetupException e) {
            throw holdsLock ? new SetupException(e.parameter(), sentence(e.getMessage()) + fail(e.getMessage()), e) : e;
        } catch (RuntimeException e) {
            String reason = "internal error in bluegreen:" + step.goal() + " (please report it): " + e;
            throw new SetupException(null, sentence(reason) + (holdsLock ? fail(reason) : ""), e);
        }
        log.info(step.goal() + " done in " + Durations.format(took));
        if (step.completes() == Phase.DONE) {
            finish(released);
            if (proofFailures != null && config.traffic().requireZeroFailures()) {
                throw new DeployFailedException("the deploy is done, but requests failed during it (bluegreen.requireZeroFailures): "
                        + proofFailures);
            }
        }
    }

    /**
     * Goes back to the previous release with the deploy's own steps: a pure switch when its instance still runs (the
     * instant-rollback window, {@code bluegreen.keepOldSeconds}), otherwise its jar from {@code releases/} is started
     * on the idle port, health-checked, switched to and the current one drained.
     */
    public void rollback() throws SetupException, DeployFailedException {
        rollbackDetect();
        if (config.dryRun()) {
            return;
        }
        if (canaryEnded != null) {
            finishCanaryRollback();
            return;
        }
        if (!keptForRollback) {
            run(Step.START);
        }
        run(Step.HEALTHCHECK);
        run(Step.SWITCH);
        run(Step.CLEANUP);
    }

    /**
     * A rollback during a canary: detect routed every request to the live instance again; the canary's instance is stopped
     * (drained, as every stop) and the rollback is done.
     */
    private void finishCanaryRollback() throws SetupException, DeployFailedException {
        DeployState.Instance canary = canaryEnded;
        ServerCommands.StopResult result = server.stop(canary, config.nginx().drainTimeout());
        if (result.refused() != null) {
            throw new DeployFailedException("the canary's instance on port " + canary.port() + " was not stopped: " + result.refused()
                    + fail("the canary's instance was not stopped"));
        }
        DeployState.Instance live = state.live();
        state.target(null);   // it switched nowhere: history.log shows it going from the live port to none
        state.phase(Phase.DONE);
        state.finishedAt(Instant.now());
        String reason = "ended the canary of release " + canary.release() + " on port " + canary.port();
        saveState(historyLine(state, "DONE", reason));
        finish(false);
        log.info("Rollback: " + reason + (result.stopped() == null ? "" : " (" + result.stopped().describe() + ")") + "; release "
                + (live == null ? "-" : live.release() + " stays live on port " + live.port()));
    }

    /** A rollback's detect: with the previous release's instance still running on the target port, it is STARTED already. */
    void rollbackDetect() throws SetupException, DeployFailedException {
        kind = DeployState.Kind.ROLLBACK;
        run(Step.DETECT);
        if (keptForRollback && !config.dryRun()) {
            DeployState.Instance kept = state.target();
            log.info("The previous release " + kept.release() + " still runs on port " + kept.port() + " (PID " + kept.pid()
                    + "): rolling back is a switch only");
            state.phase(Phase.STARTED);
            saveState();
        }
    }

    /** After {@link #rollbackDetect()}: the rollback needs no start. */
    boolean rollbackIsASwitch() {
        return keptForRollback;
    }

    /**
     * Ends this host's part of a fleet deploy {@code deployId} that fails elsewhere: the failure contract (its new
     * instance stopped, the outcome recorded, the lock released). Only that deploy's own work: nothing in a dry run,
     * nothing if the host's lock and state belong to another deploy.
     */
    void abandon(String reason, String deployId) {
        if (config.dryRun()) {
            return;
        }
        if (!holdsLock) {   // this invocation has not run a step on this host yet: its deploy's state and lock are on the server
            try {
                DeployState onServer = readState();
                if (deployId == null || !deployId.equals(onServer.deployId())) {
                    return;
                }
                state = onServer;
                requireLock();
            } catch (SetupException | RuntimeException e) {
                return;
            }
        }
        String note = fail(reason);
        if (!note.isEmpty()) {
            log.warn("Stopped: " + reason + "." + note);
        }
    }

    /** Switches nginx back to the instance this deploy replaced (it still runs until cleanup), then {@link #abandon}s. */
    void revert(String reason) {
        switchBack();
        abandon(reason, state.deployId());
    }

    /** If this deploy's switch went through: nginx back to the instance it replaced, which runs until cleanup. */
    private void switchBack() {
        DeployState.Instance old = state.previous();
        if (!switchWentThrough() || old == null || old.pid() == null) {
            return;
        }
        try {
            ServerCommands.SwitchResult back = server.switchTo(old);
            if (back.exit() == ServerCommands.OK) {
                state.switchedTo(old);
                reverted = true;
                log.warn("nginx routes to the old instance on port " + old.port() + " again");
            } else {
                log.warn("could not switch back to port " + old.port() + ": " + back.error());
            }
        } catch (SetupException e) {
            log.warn("could not switch back to port " + old.port() + ": " + e.getMessage());
        }
    }

    /** The deploy this host's state belongs to: the one this invocation runs, else the one recorded on the server. */
    String deployId() {
        return state.deployId() != null ? state.deployId() : readStateOrEmpty().deployId();
    }

    /** This deploy's switch went through (the server showed it): nginx routes to its target. */
    boolean switchWentThrough() {
        return state.target() != null && DeployState.same(state.live(), state.target());
    }

    /** For a fleet's last word: where this host's traffic goes now, as this deploy last saw it. */
    String whereNow() {
        if (unreachable) {
            return "unreachable after the failure: its lock stays and the next deploy recovers it";
        }
        DeployState.Instance live = state.live();
        if (switchWentThrough()) {
            return "runs the new release " + live.release() + " on port " + live.port();
        }
        return live == null ? "has nothing deployed" : (reverted ? "went back to release " : "still runs release ") + live.release()
                + " on port " + live.port();
    }

    /** Waits until the nginx workers that served the old instance before this host's switch are gone (a rolling switch). */
    void waitForDrain() throws SetupException {
        DeployState.Instance old = state.previous();
        if (old != null) {
            server.drain(old.port());
        }
    }

    /** The phase the state file on the server shows now. */
    Phase phaseOnServer() {
        return readStateOrEmpty().phase();
    }

    DeployState.Kind kind() {
        return kind;
    }

    /** The state file as it is on the server now. */
    public DeployState state() {
        return state;
    }

    /**
     * Takes the deploy lock (and inspects the server in the same round trip). A holder whose process is gone (the
     * server or this machine can tell for sure) is taken over atomically, once its last command on the server has
     * ended; the server's keep-old timer is waited for (it holds the lock for one stop at most).
     */
    ServerCommands.Inspection takeLock(LockOwner me) throws SetupException, DeployFailedException {
        Duration takeoverWait = config.nginx().reloadTimeout().multipliedBy(2).plus(config.nginx().drainTimeout())
                .plus(config.app().stopTimeout()).plus(Duration.ofSeconds(30));
        Instant timerDeadline = Instant.now().plus(config.app().stopTimeout()).plus(config.nginx().drainTimeout()).plusSeconds(15);
        Instant waitUntil = Instant.now().plus(config.lock().maxWait());
        Instant nextNote = Instant.now();
        String expect = null;
        while (true) {
            ServerCommands.LockResult result = server.lock(me, expect, takeoverWait);
            if (result instanceof ServerCommands.Taken taken) {
                holdsLock = true;
                server.holder(me.deployId());
                return taken.inspection();
            }
            takenOver = null;
            if (result instanceof ServerCommands.Busy busy) {
                throw new DeployFailedException("the deploy lock's dead holder still runs a command on the server after "
                        + Durations.format(takeoverWait) + ": " + busy.command() + ". Wait for it or stop that process, then deploy again");
            }
            ServerCommands.Held held = (ServerCommands.Held) result;
            LockOwner holder = held.holder();
            String alive = held.alive().equals("unknown") ? holder.aliveHere() : held.alive();
            String who = holder.describe(Instant.now());
            if (expect != null && !expect.equals(holder.deployId())) {
                throw new DeployFailedException("another deploy took the lock over first: " + who);
            } else if (holder.kind().equals("timer") && alive.equals("yes") && Instant.now().isBefore(timerDeadline)) {
                HealthCheckStep.sleep(Duration.ofMillis(200));
            } else if (alive.equals("no")) {
                log.warn("The deploy lock belongs to " + who + ", whose " + (holder.kind().equals("timer") ? "" : "Maven ")
                        + "process is gone: taking it over");
                expect = holder.deployId();
                takenOver = holder;
            } else if (config.lock().forceUnlock()) {
                log.warn("Removing the deploy lock of " + who + " (bluegreen.forceUnlock)");
                expect = holder.deployId();
                takenOver = holder;
            } else if (Instant.now().isBefore(waitUntil)) {
                if (!Instant.now().isBefore(nextNote)) {
                    log.info("Waiting for the deploy lock, held by " + who + " (bluegreen.lockWaitSeconds: up to "
                            + Durations.format(Duration.between(Instant.now(), waitUntil)) + " more)");
                    nextNote = Instant.now().plusSeconds(10);
                }
                HealthCheckStep.sleep(Duration.ofSeconds(1));
            } else {
                throw new DeployFailedException("another deploy is running: " + who + (config.lock().maxWait().isZero()
                        ? ". Wait for it to finish (or let deploys queue: -Dbluegreen.lockWaitSeconds=600)"
                        : ", still after waiting " + Durations.format(config.lock().maxWait()) + " (bluegreen.lockWaitSeconds)")
                        + "; if it was killed on another machine, remove its lock with -Dbluegreen.forceUnlock=true");
            }
        }
    }

    /**
     * The state this invocation saved last, if the previous goal ran in it: nothing to ask the server, since only the lock's
     * holder saves and the server refuses a guarded command of a deploy whose lock was taken over. Otherwise (a goal run
     * alone) the server's state file, whose deploy must hold the lock.
     */
    private void resumeState() throws SetupException {
        if (session.get(SAVED_STATE) instanceof DeployState saved) {
            state = saved;
            holdsLock = true;
            server.holder(saved.deployId());
        } else {
            state = readState();
            requireLock();
        }
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
            return stateOrEmpty(transport.read(layout.stateFile()));
        } catch (SetupException e) {
            log.warn("Ignoring the state file " + layout.stateFile() + " (" + e.getMessage()
                    + "): nginx's include and the ports decide what is live");
            return new DeployState();
        }
    }

    /** The state file's text as {@link #readStateOrEmpty()} takes it (from an inspection of the server, say). */
    DeployState stateOrEmpty(Optional<String> text) {
        try {
            return text.map(DeployState::parse).orElseGet(DeployState::new);
        } catch (IllegalArgumentException e) {
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

    private void requireLock() throws SetupException {
        String holder = transport.read(layout.lockFile()).map(text -> text.lines().filter(line -> line.startsWith("deployId="))
                .map(line -> line.substring(9)).findFirst().orElse(null)).orElse(null);
        if (state.deployId() == null || !state.deployId().equals(holder)) {
            throw new SetupException("deploy " + state.deployId() + " does not hold the deploy lock " + layout.lockFile()
                    + " (holder: " + (holder == null ? "nobody" : holder) + "). Run bluegreen:detect to start a new deploy");
        }
        holdsLock = true;
        server.holder(state.deployId());
    }

    void saveState() throws SetupException {
        saveState(null);
    }

    /**
     * The step's last command (a switch, cleanup or health wait) records, once it succeeded on the server, the state
     * after this step: the state now, changed by {@code outcome} (what that success makes true), the step's phase and
     * time, and at DONE its history line, the lock released too unless an afterDeploy hook runs first. The state moves
     * with the fact, in its round trip; a command that fails records nothing.
     */
    void recordWithLastCommand(java.util.function.Consumer<DeployState> outcome) {
        recordWithLastCommand(step.completes(), outcome);
    }

    /** As {@link #recordWithLastCommand(java.util.function.Consumer)}, for a command that takes the step to {@code phase} only. */
    void recordWithLastCommand(Phase phase, java.util.function.Consumer<DeployState> outcome) {
        DeployState after = DeployState.parse(state.text());
        outcome.accept(after);
        long millis = Duration.between(stepBegan, Instant.now()).toMillis();
        after.steps().put(step, new DeployState.StepTime(stepBegan, millis));
        after.phase(phase);
        boolean done = phase == Phase.DONE;
        if (done) {
            after.finishedAt(Instant.now());
        }
        server.carry(new ServerCommands.Record(after.text(), done ? historyLine(after, "DONE", null) : null,
                done && config.hooks().afterDeploy().isEmpty(), "step." + step.goal() + ".ms", millis));
    }

    /** The state file (and a history.log line, if given), written only while this deploy holds the lock. */
    private void saveState(String history) throws SetupException {
        LockOwner holder = server.save(state.deployId(), state.text(), history);
        if (holder != null) {
            throw new SetupException(null, "deploy " + state.deployId() + " no longer holds the deploy lock (held by "
                    + holder.describe(Instant.now()) + "): it recorded nothing");
        }
        session.put(SAVED_STATE, state);
    }

    /**
     * Runs a hook on the server, its output into the build log. Returns null if it succeeded, else why not (its exit
     * code, or that it ran out of bluegreen.hookTimeoutSeconds).
     */
    String runHook(String name, List<String> command, String outcome, String reason) throws SetupException {
        DeployState.Instance target = state.target();
        ServerCommands.HookResult result = server.hook(name, command, new ServerCommands.HookFacts(target == null ? null : target.port(),
                target == null ? null : target.pid(), target == null ? null : target.release(), state.deployId(), outcome, reason));
        log.info("Hook " + name + ": " + String.join(" ", command));
        result.output().forEach(line -> log.info("[" + name + "] " + line));
        if (result.exit() == 0) {
            return null;
        }
        String limit = "ran out of time (bluegreen.hookTimeoutSeconds: " + Durations.format(config.hooks().timeout()) + ")";
        return result.exit() == 124 ? limit : result.exit() == 137 ? limit + " and was killed: it ignored SIGTERM" : "exited with " + result.exit();
    }

    /** The after-deploy hook, whatever the outcome: its failure is reported and undoes nothing. */
    private void afterDeployHook(String outcome, String reason) {
        if (config.hooks().afterDeploy().isEmpty()) {
            return;
        }
        try {
            String failed = runHook("afterDeploy", config.hooks().afterDeploy(), outcome, reason);
            if (failed != null) {
                log.warn("The afterDeploy hook " + failed + " (bluegreen.afterDeployHook); the deploy's outcome stays " + outcome);
            }
        } catch (SetupException e) {
            log.warn("The afterDeploy hook could not run: " + e.getMessage());
        }
    }

    /**
     * The end of a deploy that reached DONE (recorded with its history line): after-deploy hook, lock released (unless
     * {@code released} with the record already), summary.
     */
    private void finish(boolean released) {
        session.remove(SAVED_STATE);
        afterDeployHook("DONE", null);
        try {
            if (!released) {
                server.unlock(state.deployId());
            }
        } catch (SetupException e) {
            log.warn("The deploy is done, but its lock could not be released (" + e.getMessage() + "): the next deploy takes it over");
        }
        holdsLock = false;
        log.info(summary());
    }

    /**
     * The failure contract: stops the instance this deploy launched (unless nginx routes to it: the server refuses
     * that, and then the deploy's switch went through after all), records FAILED, appends to the history, releases
     * the lock. A broken connection is opened again first. Never throws: it returns a note for the error message,
     * and what it could not do is logged, so the real reason is never hidden.
     */
    private String fail(String reason) {
        session.remove(SAVED_STATE);
        if (session.remove(SwitchStep.PROOF) instanceof Proof proof) {
            log.warn(proof.stop().describe());
        }
        if (!holdsLock) {
            return "";
        }
        String note;
        try {
            note = undoThisDeploysWork();
        } catch (SetupException first) {
            if (server.lockLost()) {   // taken over: what this deploy started is the new holder's to decide about
                holdsLock = false;
                log.warn(first.getMessage());
                return " Its lock was taken over: the deploy that holds it now recovers what this one left.";
            }
            try {
                transport.reopen();
                note = undoThisDeploysWork();
            } catch (SetupException again) {
                unreachable = true;
                log.warn("Could not clean up after the failure (" + again.getMessage() + "): the lock of deploy " + state.deployId()
                        + " stays; the next deploy takes it over and stops what this one started");
                return " The server could not be reached to clean up: the next deploy recovers.";
            }
        }
        if (revertOnFailure && switchWentThrough()) {   // the fleet goes back everywhere: this host too
            switchBack();
            if (reverted) {
                try {
                    note = stopWhatThisDeployStarted();
                } catch (SetupException e) {
                    note = " nginx routes to the old instance again; its new instance could not be stopped (" + e.getMessage()
                            + "): the next deploy replaces it.";
                }
            }
        }
        state.phase(Phase.FAILED);
        state.failure(reason);
        state.finishedAt(Instant.now());
        try {
            LockOwner holder = server.save(state.deployId(), state.live() != null || state.target() != null ? state.text() : null,
                    historyLine(state, "FAILED", reason));
            if (holder != null) {
                holdsLock = false;
                log.warn("The deploy lock is no longer this deploy's (" + holder.describe(Instant.now()) + "): its failure is not"
                        + " recorded on the server, and that deploy's lock and state stay as they are");
                return note;
            }
        } catch (SetupException e) {
            log.warn("Could not record the failure: " + e.getMessage());
        }
        afterDeployHook("FAILED", reason);
        try {
            server.unlock(state.deployId());
            holdsLock = false;
        } catch (SetupException e) {
            log.warn("Could not release the deploy lock (" + e.getMessage() + "): the next deploy takes it over");
        }
        return note;
    }

    /** A canary ended (every request to the live instance again), then what this deploy launched stopped. */
    private String undoThisDeploysWork() throws SetupException {
        return (canaryOn ? " " + sentence(endCanary()) : "") + stopWhatThisDeployStarted();
    }

    /**
     * Ends a canary: nginx routes every request to the live instance again (it ran all along: a canary never replaces
     * it). Returns what happened, for an error message.
     */
    String endCanary() {
        DeployState.Instance stable = state.live();
        String failed;
        try {
            ServerCommands.SwitchResult back = server.switchTo(stable);
            if (back.exit() == ServerCommands.OK) {
                canaryOn = false;
                log.warn("The canary is ended: nginx routes every request to port " + stable.port() + " again");
                return "nginx routes every request to the live instance on port " + stable.port() + " again";
            }
            failed = back.error();
        } catch (SetupException e) {
            failed = e.getMessage();
        }
        log.warn("Could not route every request back to port " + stable.port() + ": " + failed);
        return "routing every request back to port " + stable.port() + " failed (" + failed + "): the next deploy does it first";
    }

    /**
     * Stops the instance this deploy launched, if any: by its PID, or (start's answer was lost) the one the server
     * recorded on the target port for this release. The server refuses if nginx's include routes to it: then the
     * switch went through after all, and that is recorded.
     */
    private String stopWhatThisDeployStarted() throws SetupException {
        DeployState.Instance target = state.target();
        String untouched = reverted ? " nginx routes to the old instance on port " + state.live().port() + " again."
                : canarySplit ? " The live app served throughout." : " nginx and the live app are untouched.";
        if (target == null || state.targetLaunchedAt() == null) {
            return " Nothing was started;" + untouched;
        }
        // drained: a fleet's revert switched nginx away from it just now (an instance that never served is not drained)
        ServerCommands.StopResult result = server.stop(target, config.nginx().drainTimeout());
        if (result.refused() != null && result.live()) {
            state.switchedTo(target);
            log.warn("The switch to the new version went through on the server before the failure: release " + target.release()
                    + " is live on port " + target.port() + "; the old instance keeps running until the next deploy stops it");
            return " The switch had gone through on the server: release " + target.release() + " is live on port " + target.port() + ".";
        }
        if (result.refused() != null && result.canary()) {
            log.warn("The new instance on port " + target.port() + " keeps its canary's share: " + result.refused());
            return " Its new instance on port " + target.port() + " keeps its canary's share until the next deploy ends the canary.";
        }
        if (result.refused() != null) {
            log.warn("The new instance on port " + target.port() + " was not stopped: " + result.refused());
            return " Its new instance on port " + target.port() + " was not stopped: " + result.refused() + ".";
        }
        if (result.stopped() == null) {
            return " Nothing of it runs;" + untouched;
        }
        log.info("Stopped the new instance (PID " + result.stopped().pid() + "): " + result.stopped().describe());
        return " It was stopped;" + untouched;
    }

    /** Appends a line about {@code s} to {@code history.log}, under this deploy's lock. */
    void recordHistory(DeployState s, String outcome, String reason) throws SetupException {
        server.save(state.deployId(), null, historyLine(s, outcome, reason));
    }

    /**
     * One line per deploy attempt in {@code history.log} (append-only, tab-separated; read by {@code bluegreen:status}):
     * id, kind, outcome, who, artifact and its SHA-256, from port, to port, release, start, end, reason. "-" for what
     * did not happen (nothing was live, nothing was uploaded). From and to are the switch's, whether it went through
     * (from the instance it replaced) or not (from the live one).
     */
    static String historyLine(DeployState s, String outcome, String reason) {
        boolean switched = s.target() != null && DeployState.same(s.live(), s.target());
        DeployState.Instance from = switched ? s.previous() : s.live();
        DeployState.Instance to = switched ? s.live() : s.target();
        return String.join("\t", fact(s.deployId()), s.kind().name().toLowerCase(), outcome, fact(s.deployedBy()),
                fact(s.artifact()), fact(s.sha256()), from == null || from.pid() == null ? "-" : String.valueOf(from.port()),
                to == null ? "-" : String.valueOf(to.port()), fact(to == null ? null : to.release()), fact(s.startedAt()),
                fact(s.finishedAt() == null ? Instant.now() : s.finishedAt()), reason == null ? "" : reason.replaceAll("\\s+", " "));
    }

    /** The text ending with a full stop, so that what the failure contract adds reads as the next sentence. */
    private static String sentence(String text) {
        return text.matches("(?s).*[.!?)]\\s*$") ? text.stripTrailing() : text.stripTrailing() + ".";
    }

    private static String fact(Object value) {
        return value == null ? "-" : value.toString();
    }

    /** One line for the end of a deploy: what is live now and how long each goal took. */
    String summary() {
        DeployState.Instance live = state.live();
        StringBuilder text = new StringBuilder("SUMMARY: release " + live.release() + " is live on port " + live.port()
                + " (PID " + live.pid() + ");");
        long total = 0;
        for (Step step : Step.values()) {
            DeployState.StepTime time = state.steps().get(step);
            if (time != null) {
                text.append(' ').append(step.goal()).append(' ').append(Durations.format(Duration.ofMillis(time.millis())));
                total += time.millis();
            }
        }
        text.append("; total ").append(Durations.format(Duration.ofMillis(total)));
        DeployState.StepTime healthy = state.steps().get(Step.HEALTHCHECK);
        if (healthy != null && state.targetLaunchedAt() != null) {   // what class-data sharing shortens
            Duration up = Duration.between(state.targetLaunchedAt(), healthy.at().plusMillis(healthy.millis()));
            text.append("; start to UP ").append(Durations.format(up.isNegative() ? Duration.ZERO : up));
        }
        return text.toString();
    }

    /** Where an instance's output is: its journal (systemd runner) or its release's log file. */
    String appLogName(DeployState.Instance instance) {
        String unit = config.app().name() + "@" + instance.port() + ".service";
        return config.app().runner() == DeployConfig.Runner.SYSTEMD
                ? "the journal of " + unit + " (journalctl -u " + unit + ", or --user-unit for a non-root deploy user)"
                : "the app log " + layout.log(instance.release(), instance.port());
    }

    /** The very process of {@code instance} still runs (not a zombie, same start time), read from /proc without a shell. */
    boolean isRunning(DeployState.Instance instance) throws SetupException {
        Optional<String> stat = transport.read("/proc/" + instance.pid() + "/stat");
        if (stat.isEmpty() || stat.get().isEmpty()) {
            return false;
        }
        String[] fields = stat.get().substring(stat.get().lastIndexOf(')') + 2).split(" ");
        return !fields[0].startsWith("Z") && !fields[0].startsWith("X") && (instance.start() == null || instance.start().equals(fields[19]));
    }
}
