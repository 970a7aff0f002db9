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
 * already switched go back (a pure switch: their old instances still run), unless {@code onFailure=continue}. One host is
 * exactly the single-server deploy.
 */
public final class Fleet {
    /** How the hosts are switched. */
    public enum SwitchMode { ROLLING, TOGETHER }

    /** What a failed switch on one host does to the hosts already switched. */
    public enum OnFailure { REVERT, CONTINUE }

    /** One host of the fleet: its name (for logs) and its deploy. */
    public record Member(String name, Deployment deployment) {}

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
                locked.forEach(other -> other.deployment().abandon("not deploying: " + reason));
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
        for (Member member : members) {
            if (failed.stream().noneMatch(outcome -> outcome.member() == member)) {
                member.deployment().abandon("not deploying: " + reason);
            }
        }
        raise(failed.get(0).error(), bluegreen(step) + " failed on " + failed.size() + " of " + members.size() + " hosts, nothing was"
                + " switched anywhere and every new instance was stopped: " + reason);
    }

    private void switchAll() throws SetupException, DeployFailedException {
        if (settings.switchMode() == SwitchMode.TOGETHER) {
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
            try {
                member.deployment().run(Step.SWITCH);
                member.deployment().waitForDrain();
                switched.add(member);
            } catch (DeployFailedException | SetupException | RuntimeException e) {
                if (settings.onFailure() == OnFailure.CONTINUE) {
                    log.warn("host " + member.name() + ": its switch failed (" + e.getMessage() + "); the other hosts go on"
                            + " (bluegreen.onFailure=continue)");
                    continue;
                }
                afterFailedSwitch(switched, member, e);
            }
        }
    }

    /** The hosts already switched go back to their old instance (which still runs), and the deploy is stopped everywhere. */
    private void afterFailedSwitch(List<Member> switched, Member failed, Exception e) throws SetupException, DeployFailedException {
        String reason = "host " + failed.name() + ": " + e.getMessage();
        if (settings.onFailure() == OnFailure.CONTINUE) {
            log.warn(reason + "; the hosts switched keep the new release (bluegreen.onFailure=continue)");
            return;
        }
        for (Member member : switched) {
            member.deployment().revert("switched back: " + reason);
        }
        for (Member member : members) {
            if (member != failed && !switched.contains(member)) {
                member.deployment().abandon("not switching: " + reason);
            }
        }
        raise(e, "the switch failed on host " + failed.name() + ": " + e.getMessage() + (switched.isEmpty() ? ""
                : " The hosts already switched (" + names(switched) + ") went back to their old instance;") + " nothing runs the new"
                + " release anywhere now (bluegreen.onFailure=continue keeps the hosts that switched)");
    }

    /** Cleanup on every host whose switch went through; one summary; the build fails if a host did not get the release. */
    private void cleanupAll() throws SetupException, DeployFailedException {
        List<Member> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Member member : members) {
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
            throw new DeployFailedException("the new release runs on " + (done.size() - outcomes.stream().filter(o -> o.error() != null).count())
                    + " of " + members.size() + " hosts; not on " + String.join(", ", failed));
        }
    }

    /** Per host: port, PID, release, the goals' times; the slowest host named. */
    String summary() {
        StringBuilder text = new StringBuilder("FLEET SUMMARY (" + members.size() + " hosts):");
        Member slowest = null;
        long slowestMillis = -1;
        for (Member member : members) {
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
