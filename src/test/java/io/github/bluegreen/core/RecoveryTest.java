package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bluegreen.core.ServerCommands.InstanceRecord;
import io.github.bluegreen.core.ServerCommands.Inspection;
import io.github.bluegreen.core.ServerCommands.Journal;
import io.github.bluegreen.core.ServerCommands.PortState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol's decisions for every phase a deploy can be cut off in, from what the server shows. */
class RecoveryTest {
    private static final List<Integer> PORTS = List.of(8080, 8081);
    private static final DeployState.Instance V1 = new DeployState.Instance(8080, 101L, "1001", "r1", "/b/releases/r1/app.jar");
    private static final DeployState.Instance V2 = new DeployState.Instance(8081, 202L, "2002", "r2", "/b/releases/r2/app.jar");

    @Test
    void anEmptyServerIsAFirstDeployToTheFirstPort() throws Exception {
        Recovery.Plan plan = Recovery.plan(new DeployState(), seen(null, null, free(8080), free(8081)), null, PORTS, port -> true);
        assertNull(plan.livePort());
        assertEquals(8080, plan.targetPort());
        assertNull(plan.interrupted());
        assertTrue(plan.warnings().isEmpty());
    }

    @Test
    void afterAFinishedDeployTheLiveReleaseIsKnownAndTheOtherPortIsTheTarget() throws Exception {
        DeployState done = state("d1", Phase.DONE, V1, null, new DeployState.Instance(8081, 99L, "9", "r0", "/b/r0.jar"));
        Recovery.Plan plan = Recovery.plan(done, seen(null, null, running(V1), free(8081)), 8080, PORTS, port -> true);
        assertEquals(V1, plan.live());
        assertEquals(8081, plan.targetPort());
        assertEquals("r0", plan.previous().release(), "the release before the live one, for a rollback");
        assertNull(plan.interrupted());
    }

    @Test
    void cutOffBeforeTheSwitchTheLiveInstanceStaysAndTheNewOneIsReplaced() throws Exception {
        for (Phase phase : List.of(Phase.DETECTED, Phase.STARTED, Phase.HEALTHY)) {
            DeployState cut = state("d2", phase, V1, V2, null);
            Recovery.Plan plan = Recovery.plan(cut, seen(null, null, running(V1), running(V2)), 8080, PORTS, port -> true);
            assertEquals(V1.pid(), plan.live().pid(), phase + ": nginx still routes to v1");
            assertEquals(8081, plan.targetPort(), phase + ": v2's port is the target: its instance is replaced");
            assertEquals(phase, plan.interrupted().phase());
            assertTrue(plan.interrupted().outcome().startsWith("it never went live"), plan.interrupted().outcome());
        }
    }

    @Test
    void cutOffAfterTheSwitchTheNewReleaseStaysLiveAndTheOldOneIsTheTarget() throws Exception {
        // SWITCHED: cleanup never ran; HEALTHY with nginx on v2: the switch ran on the server, its state was not saved
        for (Phase phase : List.of(Phase.HEALTHY, Phase.SWITCHED)) {
            DeployState cut = state("d2", phase, V1, V2, null);
            Recovery.Plan plan = Recovery.plan(cut, seen(null, null, running(V1), running(V2)), 8081, PORTS, port -> true);
            assertEquals(V2, plan.live(), phase + ": v2 is live and is never stopped");
            assertEquals(8080, plan.targetPort(), phase + ": the old v1 is what the next start replaces");
            assertEquals(V1, plan.previous(), phase + ": a rollback goes back to v1");
            assertTrue(plan.interrupted().outcome().startsWith("its switch had been done: its release r2 stays live on port 8081"),
                    plan.interrupted().outcome());
            assertTrue(plan.warnings().isEmpty(), "the state file is not 'disagreeing': " + plan.warnings());
        }
    }

    @Test
    void aSwitchLeftHalfwayIsSettledToTheNewInstanceOnlyIfItRunsAndIsUp() throws Exception {
        DeployState cut = state("d2", Phase.HEALTHY, V1, V2, null);
        Inspection halfway = seen(new Journal(8080, 8081, false), null, running(V1), running(V2));
        Recovery.Plan forward = Recovery.plan(cut, halfway, 8081, PORTS, port -> port == 8081);
        assertEquals(8081, forward.settlePort());
        assertEquals(V2.pid(), forward.live().pid());

        Recovery.Plan back = Recovery.plan(cut, halfway, 8081, PORTS, port -> false);
        assertEquals(8080, back.settlePort(), "not UP: back to where nginx routed before");
        assertEquals(V1.pid(), back.live().pid());
        assertEquals(8081, back.targetPort());

        Recovery.Plan dead = Recovery.plan(cut, seen(new Journal(8080, 8081, false), null, running(V1), free(8081)), 8081, PORTS, port -> true);
        assertEquals(8080, dead.settlePort(), "the new instance is gone: back");

        Recovery.Plan first = Recovery.plan(cut, seen(new Journal(null, 8081, false), null, free(8080), free(8081)), 8081, PORTS, port -> false);
        assertEquals(8081, first.settlePort(), "a first deploy has nowhere to go back to");
    }

    @Test
    void aCanaryNeverSettlesForwardEvenToANewInstanceThatIsUp() throws Exception {
        DeployState cut = state("d2", Phase.CANARY, V1, V2, null);
        Recovery.Plan stepCut = Recovery.plan(cut, seen(new Journal(8080, 8081, true), "set $service_url http://127.0.0.1:8080;",
                running(V1), running(V2)), 8080, PORTS, port -> true);
        assertEquals(8080, stepCut.settlePort(), "a canary's step cut off halfway goes back");
        assertTrue(stepCut.warnings().get(0).startsWith("A canary's step to port 8081 was cut off halfway"), stepCut.warnings().toString());

        Recovery.Plan left = Recovery.plan(cut, seen(null, "set $service_url http://127.0.0.1:8080;", running(V1), running(V2), Set.of(),
                new ServerCommands.CanaryRoute(8081, 25)), 8080, PORTS, port -> true);
        assertEquals(8080, left.settlePort(), "a canary's include left behind: every request to the live instance again");
        assertEquals(V1.pid(), left.live().pid());
        assertEquals(8081, left.targetPort(), "the canary's instance is what start replaces (drained first)");
        assertTrue(left.warnings().get(0).contains("nginx sends 25 % of the requests to port 8081"), left.warnings().toString());
        assertTrue(left.interrupted().outcome().startsWith("its canary was ended: every request goes to port 8080 again"),
                left.interrupted().outcome());
        assertEquals(Phase.CANARY, left.interrupted().phase());
    }

    @Test
    void nginxsIncludeWinsOverTheStateFile() throws Exception {
        DeployState wrong = state("d1", Phase.DONE, V2, null, null);
        Recovery.Plan plan = Recovery.plan(wrong, seen(null, null, running(V1), free(8081)), 8080, PORTS, port -> true);
        assertEquals(8080, plan.livePort());
        assertTrue(plan.warnings().get(0).contains("nginx's include wins"), plan.warnings().toString());
    }

    @Test
    void withoutAnIncludeNothingIsTouchedWhileNginxMayStillRouteToThisApp() throws Exception {
        DeployState done = state("d1", Phase.DONE, V2, null, V1);
        // the include was removed (a config restore) while nginx, not reloaded since, still routes to v2
        SetupException removed = assertThrows(SetupException.class, () -> Recovery.plan(done,
                seen(null, null, free(8080), running(V2), Set.of("8081")), null, PORTS, port -> true));
        assertTrue(removed.getMessage().startsWith("nginx's include does not exist, but nginx's running configuration routes to port 8081"
                + " (the include was removed without a reload): restore it with the line 'set $service_url http://127.0.0.1:8081;'"),
                removed.getMessage());
        // no include and no record of where nginx routes, while this app listens: it may be live
        SetupException unknown = assertThrows(SetupException.class, () -> Recovery.plan(new DeployState(),
                seen(null, null, free(8080), running(V2), Set.of("?")), null, PORTS, port -> true));
        assertTrue(unknown.getMessage().contains("no record of where nginx routes, while this app's instance on port 8081 (PID 202"),
                unknown.getMessage());
        // nothing of this app listens: a first deploy
        Recovery.Plan first = Recovery.plan(new DeployState(), seen(null, null, free(8080), free(8081), Set.of("?")), null, PORTS,
                port -> true);
        assertNull(first.livePort());
        assertEquals(8080, first.targetPort());
    }

    @Test
    void anInstanceSystemdRestartedIsStillItsReleaseAndItsPreviousOneIsKnown() throws Exception {
        DeployState done = state("d2", Phase.DONE, V2, null, V1);
        // kill -9 of the live JVM: systemd started it again (another PID) from the same release
        DeployState.Instance restarted = new DeployState.Instance(8081, 303L, "3003", "r2", V2.jar());
        Recovery.Plan plan = Recovery.plan(done, seen(null, null, free(8080), running(restarted)), 8081, PORTS, port -> true);
        assertEquals(303L, plan.live().pid());
        assertEquals("r2", plan.live().release());
        assertEquals(V2.jar(), plan.live().jar(), "its jar is still known");
        assertEquals(V1, plan.previous(), "a rollback still goes back to v1");
    }

    @Test
    void anAppThePluginDidNotStartIsAdoptedAndADeadLivePortIsReported() throws Exception {
        PortState manual = new PortState(8080, "555", "5", "java -jar pium.jar", 100L, null, null, false, null);
        Recovery.Plan adopted = Recovery.plan(new DeployState(), seen(null, null, manual, free(8081)), 8080, PORTS, port -> true);
        assertEquals("adopted", adopted.live().release());
        assertEquals(555L, adopted.live().pid());

        Recovery.Plan nothing = Recovery.plan(new DeployState(), seen(null, null, free(8080), free(8081)), 8080, PORTS, port -> true);
        assertNull(nothing.live().pid(), "nginx routes to a port where nothing listens");
        assertEquals(8081, nothing.targetPort());
        assertNull(nothing.previous());
    }

    @Test
    void theProtocolTableNamesEveryPhase() throws Exception {
        String table = Phase.table();
        for (Phase phase : Phase.values()) {
            assertTrue(table.contains("| `" + phase + "` |"), table);
        }
    }

    private static DeployState state(String id, Phase phase, DeployState.Instance live, DeployState.Instance target,
            DeployState.Instance previous) {
        DeployState state = new DeployState();
        state.deployId(id);
        state.phase(phase);
        state.found(live, previous);
        state.target(target);
        return state;
    }

    private static PortState running(DeployState.Instance instance) {
        return new PortState(instance.port(), String.valueOf(instance.pid()), instance.start(), "java -jar " + instance.jar(), 10L,
                new InstanceRecord(instance.pid(), instance.start(), instance.release(), true, false, instance.jar(), null, null), null, true, null);
    }

    private static PortState free(int port) {
        return new PortState(port, "", null, "", null, null, null, false, null);
    }

    private static Inspection seen(Journal journal, String includeLine, PortState blue, PortState green) {
        return seen(journal, includeLine, blue, green, Set.of());
    }

    /** @param nginxRoutes where nginx's current workers route, as the server's records tell ("?": no record) */
    private static Inspection seen(Journal journal, String includeLine, PortState blue, PortState green, Set<String> nginxRoutes) {
        return seen(journal, includeLine, blue, green, nginxRoutes, null);
    }

    private static Inspection seen(Journal journal, String includeLine, PortState blue, PortState green, Set<String> nginxRoutes,
            ServerCommands.CanaryRoute canary) {
        return new Inspection(includeLine != null, includeLine == null ? "" : includeLine, journal, Map.of(8080, blue, 8081, green), null,
                "unknown", nginxRoutes, false, java.util.Optional.empty(), canary, "ok");
    }
}
