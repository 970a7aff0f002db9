package io.github.bluegreen.core;

import io.github.bluegreen.core.ServerCommands.Inspection;
import io.github.bluegreen.core.ServerCommands.PortState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * What detect makes of the server, whatever an earlier deploy left behind: which port is live, which port the new
 * version gets, whether a switch cut off halfway must be settled first, and what became of an interrupted deploy.
 * A pure function of what the server shows ({@link Inspection}) and the state file, so that every case is a unit
 * test. The rules ({@link Phase} describes them per phase):
 * <ul>
 * <li>nginx's include decides what is live, never the state file; the port it names is never freed;</li>
 * <li>without an include, nginx's running workers may still route to this app (the include was removed without a
 * reload): if they do, or if the server has no record of where they route while an instance of this app listens,
 * nothing is touched and the deploy is refused, saying how to restore the include;</li>
 * <li>a switch journal (a switch that began and did not end) is settled first: to the new instance if it still runs
 * and answers UP, else back to where nginx routed before; a canary's step, or a canary's include, always back;</li>
 * <li>the target is the other port; what of this app runs there is stale and is replaced by start (the server drains
 * it first if nginx routed to it until the last switch).</li>
 * </ul>
 */
final class Recovery {
    private Recovery() {}

    /**
     * @param livePort    the port nginx routes to (after settling), or null: nothing deployed yet
     * @param live        the instance on that port (its PID null if nothing listens there)
     * @param targetPort  where the new version starts
     * @param settlePort  a switch was cut off halfway: route to this port before anything else, or null
     * @param previous    the release before the live one (for a rollback), or null
     * @param interrupted the deploy that was cut off, or null
     */
    record Plan(Integer livePort, DeployState.Instance live, int targetPort, Integer settlePort, DeployState.Instance previous,
            Interrupted interrupted, List<String> warnings) {}

    /** A deploy that did not end: its id, the phase it reached, and what recovery made of it. */
    record Interrupted(String deployId, DeployState.Kind kind, Phase phase, String outcome) {}

    /**
     * @param routed the port nginx's include names (null: no include)
     * @param isUp   answers whether the app on a port is UP now (only asked when a switch journal is left)
     */
    static Plan plan(DeployState before, Inspection seen, Integer routed, List<Integer> ports, IntPredicate isUp)
            throws SetupException {
        List<String> warnings = new ArrayList<>();
        Integer settle = null;
        if (seen.journal() != null) {
            settle = settlePort(seen, isUp);
            warnings.add((seen.journal().canary() ? "A canary's step" : "A switch") + " to port " + seen.journal().to()
                    + " was cut off halfway (nginx may or may not have reloaded): routing to port " + settle
                    + (settle == seen.journal().to() ? ", whose new instance runs and answers UP" : ", where nginx routed before"));
            routed = settle;
        } else if (seen.canary() != null && routed != null) {
            settle = routed;
            warnings.add("A canary was left: nginx sends " + seen.canary().share() + " % of the requests to port " + seen.canary().port()
                    + ": routing every request to port " + routed + " again");
        }
        if (routed == null) {
            refuseWhileNginxMayRouteToThisApp(seen, ports);
        }
        DeployState.Instance recordedLive = before.live();
        if (routed == null && recordedLive != null && before.phase() != null) {
            warnings.add("The state file says port " + recordedLive.port() + " is live, but nginx's include does not exist:"
                    + " treating this as a first deploy");
        } else if (routed != null && recordedLive != null && recordedLive.port() != routed && !switchedBy(before, routed)) {
            warnings.add("The state file says port " + recordedLive.port() + " is live, but nginx routes to " + routed
                    + ": nginx's include wins");
        }
        DeployState.Instance live = routed == null ? null : instanceOn(seen.port(routed), before);
        int target = routed == null ? ports.get(0) : ports.get(0).equals(routed) ? ports.get(1) : ports.get(0);
        return new Plan(routed, live, target, settle, previousOf(before, live), interrupted(before, routed, target), warnings);
    }

    /** No include: a first deploy only if nginx cannot be routing to an instance of this app. */
    private static void refuseWhileNginxMayRouteToThisApp(Inspection seen, List<Integer> ports) throws SetupException {
        for (int port : ports) {
            if (seen.nginxRoutes().contains(String.valueOf(port))) {
                throw new SetupException("bluegreen.nginxInclude", "nginx's include does not exist, but nginx's running configuration"
                        + " routes to port " + port + " (the include was removed without a reload): restore it with the line"
                        + " 'set $service_url http://127.0.0.1:" + port + ";' and deploy again; nothing was changed");
            }
        }
        if (seen.nginxRoutes().contains("?")) {
            for (int port : ports) {
                PortState state = seen.port(port);
                if (state.running() != null || state.ours()) {
                    throw new SetupException("bluegreen.nginxInclude", "nginx's include does not exist and the server has no record of"
                            + " where nginx routes, while this app's instance on port " + port + " (PID " + state.pid() + ": "
                            + state.command() + ") listens: it may be live. If it is, restore the include with the line"
                            + " 'set $service_url http://127.0.0.1:" + port + ";'; if it is not, stop PID " + state.pid()
                            + "; then deploy again. Nothing was changed");
                }
            }
        }
    }

    /** To the new instance if it runs (the very process start launched) and answers UP; else back where nginx was. */
    private static int settlePort(Inspection seen, IntPredicate isUp) {
        int to = seen.journal().to();
        PortState state = seen.port(to);
        boolean newRuns = state != null && state.running() != null && String.valueOf(state.running().pid()).equals(state.pid());
        if (seen.journal().canary() && seen.journal().from() != null) {
            return seen.journal().from();   // a canary never settles forward: it was being judged
        }
        if ((newRuns && isUp.test(to)) || seen.journal().from() == null) {
            return to;
        }
        return seen.journal().from();
    }

    /** True if the unfinished deploy in {@code before} had switched nginx to {@code port} when it was cut off. */
    private static boolean switchedBy(DeployState before, int port) {
        return before.target() != null && before.target().port() == port && before.phase() != null
                && (before.phase() == Phase.HEALTHY || before.phase() == Phase.CANARY || before.phase() == Phase.SWITCHED);
    }

    /**
     * The process on a port, with the release the server recorded for it there (whatever its PID now: systemd may have
     * restarted it), or the one the state file knows for that very process; "adopted" if none.
     */
    private static DeployState.Instance instanceOn(PortState port, DeployState before) {
        if (!port.visible()) {
            return new DeployState.Instance(port.port(), null, null, null, null);
        }
        long pid = Long.parseLong(port.pid());
        String release = port.running() != null && port.running().pid() == pid ? port.running().release() : null;
        for (DeployState.Instance known : new DeployState.Instance[] {before.live(), before.target(), before.previous()}) {
            boolean sameProcess = known != null && known.pid() != null && known.pid() == pid
                    && (known.start() == null || known.start().equals(port.start()));
            if (known != null && known.port() == port.port() && (release != null ? release.equals(known.release()) : sameProcess)) {
                return new DeployState.Instance(port.port(), pid, port.start(), known.release(), known.jar());
            }
        }
        return new DeployState.Instance(port.port(), pid, port.start(), release != null ? release : "adopted", null);
    }

    /** The release a rollback goes back to: the one before the live one, as the state file knows it. */
    private static DeployState.Instance previousOf(DeployState before, DeployState.Instance live) {
        if (live == null || live.pid() == null) {
            return null;
        }
        if (DeployState.same(live, before.live())) {
            return before.previous();   // the live one is the one the last deploy left live
        }
        if (DeployState.same(live, before.target())) {
            return before.live();   // the last deploy switched to its target and was cut off: the one it replaced
        }
        return null;
    }

    private static Interrupted interrupted(DeployState before, Integer routed, int nextTarget) {
        if (before.deployId() == null || before.phase() == null || !before.phase().unfinished()) {
            return null;
        }
        DeployState.Instance target = before.target();
        String outcome;
        if (target != null && routed != null && routed == target.port() && switchedBy(before, routed)) {
            outcome = "its switch had been done: its release " + target.release() + " stays live on port " + routed
                    + "; what runs on port " + nextTarget + " (the old instance) is stopped once nginx no longer uses it";
        } else if (target != null && before.phase() == Phase.CANARY) {
            outcome = "its canary was ended: every request goes to port " + routed + " again; its new instance on port " + target.port()
                    + " is stopped once nginx no longer uses it";
        } else if (target != null) {
            outcome = "it never went live: its new instance on port " + target.port() + " (if it was launched) is stopped";
        } else {
            outcome = "it had changed nothing";
        }
        return new Interrupted(before.deployId(), before.kind(), before.phase(), outcome);
    }
}
