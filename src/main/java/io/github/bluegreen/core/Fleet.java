package io.github.bluegreen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One deploy on several servers, each keeping its own blue/green switch behind its own nginx (a balancer in front needs
 * no change): every step acts on every host. The locks are taken one host after the other in a fixed order (two fleet
 * deploys cannot deadlock), all or none; start and health check run in parallel (at most {@code parallelism} hosts at
 * once); the switch is rolling (host by host, each drained before the next) or together (all at once, once all are
 * healthy). A failure on any host before the switch stops the deploy everywhere; during a rolling switch, the hosts
 * already switched go back (a pure switch: their old instances still run), unless {@code onFailure=continue}; a host whose
 * own switch went through before it failed goes back in its failure contract. A host that cannot be reached stops the
 * deploy on the others (before the switch) or is reported as it was left (cleanup). Every failure says, host by host,
 * what each one runs now. One host is exactly the single-server deploy.
 */
public final class Fleet {
    /** How the hosts are switched. */
    public enum SwitchMode { ROLLING, TOGETHER }

    /** What a failed switch on one host does to the hosts already switched. */
    public enum OnFailure { REVERT, CONTINUE }

    /** One host of the fleet: its name (for logs) and its deploy, or (no deploy) why it cannot be reached. */
    public record Member(String name, Deployment deployment, String unreachable) {
        public Member(String name, Deployment deployment) {
            this(name, deployment, null);
        }
    }

    /** @param parallelism hosts started and health-checked at once ({@code bluegreen.parallelism}) */
    public record Settings(int parallelism, SwitchMode switchMode, OnFailure onFailure) {
        public static final Settings SINGLE = new Settings(1, SwitchMode.ROLLING, OnFailure.REVERT);
    }

    private final List<Member> members;
    private final Settings settings;
    private final DeployLog log;

    /** @param members in any order: the locks are taken in the order of their names */
    public Fleet(List<Member> members, Settings settings, DeployLog log) {
        this.members = members.stream().sorted(Comparator.comparing(Member::name)).toList();
        this.settings = settings;
        this.log = log;
        boolean revertHost = this.members.size() > 1 && settings.onFailure() == OnFailure.REVERT;
        reachable().forEach(member -> member.deployment().revertOnFailure = revertHost);
    }

    private List<Member> reachable() {
        return members.stream().filter(member -> member.deployment() != null).toList();
    }

    public List<Member> members() {
        return members;
    }

    /** What a line about {@code member} starts with: its name in brackets, or nothing for a single server. */
    public String label(Member member) {
        return members.size() == 1 ? "" : "[" + member.name() + "] ";
    }

    /** Runs one goal on every host. */
    public void run(Step step) throws SetupException, DeployFailedException {
        if (members.size() == 1) {
            members.get(0).deployment().run(step);
            return;
        }
        if (reachable().get(0).deployment().config.dryRun()) {   // prints what would happen; nothing to stop or revert
            for (Member member : members) {
                if (member.deployment() == null) {
                    log.warn("host " + member.name() + ": " + member.unreachable());
                } else {
                    member.deployment().run(step);
                }
            }
            return;
        }
        List<Member> unreachable = members.stream().filter(member -> member.deployment() == null).toList();
        if (!unreachable.isEmpty() && step != Step.CLEANUP) {
            stopForUnreachable(step, unreachable);
        }
        switch (step) {
            case DETECT -> lockAll(Deployment::run, step);
            case START, HEALTHCHECK -> inParallel(step);
            case SWITCH -> switchAll();
            case CLEANUP -> cleanupAll();
        }
    }

    /** Back to the previous release on every host, with the deploy's own steps (see {@link Deployment#rollback()}). */
    public void rollback() throws SetupException, DeployFailedException {
        if (members.size() == 1) {
            members.get(0).deployment().rollback();
            return;
        }
        List<Member> unreachable = members.stream().filter(member -> member.deployment() == null).toList();
        if (!unreachable.isEmpty()) {
            stopForUnreachable(Step.DETECT, unreachable);
        }
        lockAll((deployment, step) -> deployment.rollbackDetect(), Step.DETECT);
        List<Member> toStart = new ArrayList<>();
        for (Member member : members) {
            if (!member.deployment().rollbackIsASwitch()) {
                toStart.add(member);
            }
        }
        inParallel(toStart, Step.START);
        run(Step.HEALTHCHECK);
        run(Step.SWITCH);
        run(Step.CLEANUP);
    }

    private interface Detect {
        void run(Deployment deployment, Step step) throws SetupException, DeployFailedException;
    }

    /**
     * A host cannot be reached: before any change (detect, rollback) nothing is done anywhere; later, the deploy is
     * stopped on the others (nothing was switched yet: before the switch, or at its start) and the host is reported.
     */
    private void stopForUnreachable(Step step, List<Member> unreachable) throws SetupException {
        String hosts = unreachable.stream().map(member -> member.name() + ": " + member.unreachable()).reduce((a, b) -> a + "; " + b)
                .orElseThrow();
        String count = "cannot reach " + unreachable.size() + " of " + members.size() + " hosts (" + hosts + ")";
        if (step == Step.DETECT) {
            throw new SetupException("bluegreen.hosts", count + "; nothing was changed anywhere");
        }
        // this fleet's deploy, if every host it reaches shows it (a deploy of another's is never touched)
        List<String> ids = reachable().stream().map(member -> member.deployment().deployId()).distinct().toList();
        String fleetDeployId = ids.size() == 1 ? ids.get(0) : null;
        for (Member member : reachable()) {
            member.deployment().abandon("not deploying: " + count, fleetDeployId);
        }
        throw new SetupException("bluegreen.hosts", count + " at bluegreen:" + step.goal() + ": the deploy was stopped on the other"
                + " hosts (nothing was switched); now " + whereNow() + ". The next deploy recovers what the unreachable hosts were left with");
    }

    /** Detect (the lock) host by host in the fleet's order; a host that refuses releases the locks taken before it. */
    private void lockAll(Detect detect, Step step) throws SetupException, DeployFailedException {
        List<Member> locked = new ArrayList<>();
        String deployId = DetectStep.newDeployId();   // one release name on every host
        for (Member member : members) {
            member.deployment().sharedDeployId = deployId;
            try {
                detect.run(member.deployment(), step);
                locked.add(member);
            } catch (DeployFailedException | SetupException | RuntimeException e) {
                String reason = "host " + member.name() + " refused: " + e.getMessage();
                locked.forEach(other -> other.deployment().abandon("not deploying: " + reason, deployId));
                raise(e, "host " + member.name() + ": " + e.getMessage() + (locked.isEmpty() ? ""
                        : " (the locks taken on " + names(locked) + " were released; nothing was changed anywhere)"));
            }
        }
    }

    private void inParallel(Step step) throws SetupException, DeployFailedException {
        inParallel(members, step);
    }

    /** The step on the given hosts, at most {@code parallelism} at once; a failure anywhere stops the deploy everywhere. */
    private void inParallel(List<Member> on, Step step) throws SetupException, DeployFailedException {
        List<Outcome> outcomes = everywhere(on, member -> member.deployment().run(step));
        List<Outcome> failed = outcomes.stream().filter(outcome -> outcome.error() != null).toList();
        if (failed.isEmpty()) {
            return;
        }
        String reason = failed.stream().map(outcome -> "host " + outcome.member().name() + ": " + outcome.error().getMessage())
                .reduce((a, b) -> a + "; " + b).orElseThrow();
        String deployId = deployId(on);
        for (Member member : members) {
            if (failed.stream().noneMatch(outcome -> outcome.member() == member)) {
                member.deployment().abandon("not deploying: " + reason, deployId);
            }
        }
        raise(failed.get(0).error(), bluegreen(step) + " failed on " + failed.size() + " of " + members.size() + " hosts, nothing was"
                + " switched anywhere and every new instance was stopped: " + reason);
    }

    private void switchAll() throws SetupException, DeployFailedException {
        if (settings.switchMode() == SwitchMode.TOGETHER) {
            // the canary's steps too: each begins once every host passed the one before; one failing ends them everywhere
            var lockstep = new io.github.bluegreen.core.canary.Lockstep(reachable().size());
            reachable().forEach(member -> member.deployment().lockstep = lockstep);
            List<Outcome> outcomes = everywhere(members, member -> member.deployment().run(Step.SWITCH));
            List<Member> switched = outcomes.stream().filter(outcome -> outcome.error() == null).map(Outcome::member).toList();
            Outcome failed = outcomes.stream().filter(outcome -> outcome.error() != null).findFirst().orElse(null);
            if (failed != null) {
                afterFailedSwitch(switched, failed.member(), failed.error());
            }
            return;
        }
        List<Member> switched = new ArrayList<>();
        for (Member member : members) {
            Exception failure = null;
            try {
                member.deployment().run(Step.SWITCH);
                switched.add(member);
                member.deployment().waitForDrain();
            } catch (DeployFailedException | SetupException | RuntimeException e) {
                failure = e;
            }
            if (failure == null) {
                continue;
            }
            if (settings.onFailure() == OnFailure.CONTINUE) {
                log.warn("host " + member.name() + ": its switch failed (" + failure.getMessage() + "); the other hosts go on"
                        + " (bluegreen.onFailure=continue)");
                continue;
            }
            afterFailedSwitch(switched, member, failure);
        }
    }

    /**
     * The hosts already switched go back to their old instance (which still runs; a host whose own switch went through
     * before it failed went back in its failure contract), the deploy is stopped everywhere, and the failure says what
     * each host runs now.
     */
    private void afterFailedSwitch(List<Member> switched, Member failed, Exception e) throws SetupException, DeployFailedException {
        String reason = "host " + failed.name() + ": " + e.getMessage();
        if (settings.onFailure() == OnFailure.CONTINUE) {
            log.warn(reason + "; the hosts switched keep the new release (bluegreen.onFailure=continue)");
            return;
        }
        String deployId = failed.deployment().deployId();
        for (Member member : switched) {
            member.deployment().revert("switched back: " + reason);
        }
        for (Member member : members) {
            if (member != failed && !switched.contains(member)) {
                member.deployment().abandon("not switching: " + reason, deployId);
            }
        }
        raise(e, "the switch failed on host " + failed.name() + ": " + e.getMessage() + " Now " + whereNow()
                + " (bluegreen.onFailure=continue keeps the hosts that switched)");
    }

    /** Host by host, what each runs now, as this deploy last saw it. */
    private String whereNow() {
        return members.stream().map(member -> member.name() + " " + (member.deployment() == null ? "cannot be reached: "
                + member.unreachable() : member.deployment().whereNow())).reduce((a, b) -> a + "; " + b).orElse("");
    }

    /** The deploy the hosts that ran the step belong to (one id on every host). */
    private static String deployId(List<Member> ran) {
        return ran.stream().map(member -> member.deployment().deployId()).filter(java.util.Objects::nonNull).findFirst().orElse("");
    }

    /** Cleanup on every host whose switch went through; one summary; the build fails if a host did not get the release. */
    private void cleanupAll() throws SetupException, DeployFailedException {
        List<Member> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Member member : members) {
            if (member.deployment() == null) {
                failed.add(member.name() + " (cannot be reached: " + member.unreachable() + "; it stays as the switch left it, its lock"
                        + " and old instance too, until the next deploy recovers it)");
                continue;
            }
            Phase phase = member.deployment().phaseOnServer();
            if (phase == Phase.SWITCHED) {
                done.add(member);
            } else {
                failed.add(member.name() + " (" + phase + ")");
            }
        }
        List<Outcome> outcomes = everywhere(done, member -> member.deployment().run(Step.CLEANUP));
        for (Outcome outcome : outcomes) {
            if (outcome.error() != null) {
                failed.add(outcome.member().name() + " (cleanup: " + outcome.error().getMessage() + ")");
            }
        }
        log.info(summary());
        if (!failed.isEmpty()) {
            throw new DeployFailedException("the deploy finished on " + (done.size() - outcomes.stream().filter(o -> o.error() != null).count())
                    + " of " + members.size() + " hosts; not on " + String.join(", ", failed));
        }
    }

    /**
     * The deploy as Markdown, for a CI job's summary page ({@code GITHUB_STEP_SUMMARY}): per host its outcome, release,
     * port, the goals' times, the upload and the proof.
     */
    public String markdownSummary(String goal) {
        StringBuilder text = new StringBuilder("### bluegreen:" + goal + "\n\n| host | outcome | release | port | ");
        for (Step step : Step.values()) {
            text.append(step.goal()).append(" | ");
        }
        text.append("upload | proof |\n|").append("---|".repeat(6 + Step.values().length)).append('\n');
        for (Member member : members) {
            if (member.deployment() == null) {
                text.append("| ").append(member.name()).append(" | cannot be reached |").append(" |".repeat(4 + Step.values().length)).append('\n');
                continue;
            }
            Deployment d = member.deployment();
            DeployState state = d.state();
            DeployState.Instance live = state.live();
            text.append("| ").append(member.name()).append(" | ").append(state.phase()).append(" | ")
                    .append(live == null ? "-" : live.release()).append(" | ").append(live == null ? "-" : String.valueOf(live.port())).append(" | ");
            for (Step step : Step.values()) {
                DeployState.StepTime time = state.steps().get(step);
                text.append(time == null ? "-" : Durations.format(Duration.ofMillis(time.millis()))).append(" | ");
            }
            ServerCommands.Upload upload = state.upload();
            text.append(upload == null ? "-" : upload.reuse() != null ? "nothing sent (same jar)"
                    : upload.sent() / 1024 + " KiB sent, " + upload.reused() / 1024 + " KiB reused").append(" | ")
                    .append(d.proofReport == null ? "-" : d.proofReport.replace('|', '/')).append(" |\n");
        }
        return text.toString();
    }

    /** Per host: port, PID, release, the goals' times; the slowest host named. */
    String summary() {
        StringBuilder text = new StringBuilder("FLEET SUMMARY (" + members.size() + " hosts):");
        Member slowest = null;
        long slowestMillis = -1;
        for (Member member : reachable()) {
            DeployState state = member.deployment().state();
            long total = state.steps().values().stream().mapToLong(DeployState.StepTime::millis).sum();
            DeployState.Instance live = state.live();
            text.append("\n  ").append(member.name()).append(": ").append(state.phase())
                    .append(live == null ? "" : ", release " + live.release() + " on port " + live.port() + " (PID " + live.pid() + ")");
            for (Step step : Step.values()) {
                DeployState.StepTime time = state.steps().get(step);
                if (time != null) {
                    text.append(' ').append(step.goal()).append(' ').append(Durations.format(Duration.ofMillis(time.millis())));
                }
            }
            text.append("; total ").append(Durations.format(Duration.ofMillis(total)));
            if (total > slowestMillis) {
                slowest = member;
                slowestMillis = total;
            }
        }
        return text.append("\n  slowest: ").append(slowest == null ? "-" : slowest.name() + " (" + Durations.format(Duration.ofMillis(slowestMillis)) + ")")
                .toString();
    }

    private interface Work {
        void run(Member member) throws SetupException, DeployFailedException;
    }

    private record Outcome(Member member, Exception error) {}

    /** The work on every given host, at most {@code parallelism} at once; each host's outcome. */
    private List<Outcome> everywhere(List<Member> on, Work work) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.parallelism(), on.size())));
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Member member : on) {
                futures.add(pool.submit(() -> {
                    try {
                        work.run(member);
                        return new Outcome(member, null);
                    } catch (DeployFailedException | SetupException | RuntimeException e) {
                        return new Outcome(member, e);
                    }
                }));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private static String bluegreen(Step step) {
        return "bluegreen:" + step.goal();
    }

    private static String names(List<Member> members) {
        return String.join(", ", members.stream().map(Member::name).toList());
    }

    /** Throws the same kind of exception (a verdict stays a verdict, a broken setup a broken setup) with the fleet's message. */
    private static void raise(Exception cause, String message) throws SetupException, DeployFailedException {
        if (cause instanceof SetupException setup) {
            throw new SetupException(setup.parameter(), message, cause);
        }
        throw new DeployFailedException(message);
    }
}
