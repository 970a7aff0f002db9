package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One deploy on several servers (here three local ones, each with its own fake nginx and ports). */
class FleetTest {
    @TempDir
    Path tmp;
    final List<LocalServer> servers = new ArrayList<>();
    final List<String> log = new ArrayList<>();

    @BeforeEach
    void startServers() throws Exception {
        for (String name : new String[] {"host-a", "host-b", "host-c"}) {
            servers.add(new LocalServer(Files.createDirectories(tmp.resolve(name))));
        }
    }

    @AfterEach
    void stopServers() throws Exception {
        for (LocalServer server : servers) {
            server.close();
        }
    }

    private Fleet fleet(Fleet.SwitchMode mode, Fleet.OnFailure onFailure) throws SetupException {
        List<Fleet.Member> members = new ArrayList<>();
        for (LocalServer server : servers) {
            members.add(new Fleet.Member(server.dir.getFileName().toString(), server.deployment()));
        }
        return new Fleet(members, new Fleet.Settings(3, mode, onFailure), new DeployLog() {
            @Override public void info(String message) { log.add("INFO " + message); }
            @Override public void warn(String message) { log.add("WARN " + message); }
            @Override public void debug(String message) {}
        });
    }

    private void deploy(String version, Fleet.SwitchMode mode, Fleet.OnFailure onFailure) throws Exception {
        servers.forEach(server -> server.environment.put("VERSION", version));
        for (Step step : Step.values()) {
            fleet(mode, onFailure).run(step);   // each goal a Maven invocation of its own
        }
    }

    @Test
    void everyHostGetsTheReleaseRollingAndTogether() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        deploy("v2", Fleet.SwitchMode.TOGETHER, Fleet.OnFailure.REVERT);
        for (LocalServer server : servers) {
            DeployState state = server.state();
            assertEquals(Phase.DONE, state.phase());
            assertEquals(java.util.Optional.of("version=v2"), server.get(state.live().port(), "/"));
            assertEquals(List.of(state.live().pid()), server.appPids(), "one app per host");
            assertFalse(Files.exists(server.lockFile()));
        }
        String summary = log.stream().filter(line -> line.contains("FLEET SUMMARY (3 hosts)")).reduce((a, b) -> b).orElseThrow();
        assertTrue(summary.contains("host-a: DONE, release ") && summary.contains("host-c: DONE") && summary.contains("slowest: host-"), summary);
    }

    @Test
    void togetherTheHostsTakeTheCanarysStepsTogetherAndOneFailingCanaryEndsThemAll() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        List<NginxAnswers> answers = new ArrayList<>();
        List<Long> live = new ArrayList<>();
        try {
            for (LocalServer server : servers) {
                Path canaryLog = server.dir.resolve("nginx/bluegreen-canary.log");
                Files.writeString(canaryLog, "");
                server.traffic = new DeployConfig.Traffic("", java.time.Duration.ofMillis(50), false, List.of(), 0, 1,
                        new io.github.bluegreen.core.canary.CanaryPlan(List.of(10, 50), java.time.Duration.ofSeconds(2), 1.0, 10, 0, false,
                                canaryLog.toString()));
                answers.add(new NginxAnswers(server.include, canaryLog));
                live.add(server.state().live().pid());
            }
            answers.get(2).canaryStatus = 502;
            DeployFailedException failed = assertThrows(DeployFailedException.class, () -> deploy("v2", Fleet.SwitchMode.TOGETHER,
                    Fleet.OnFailure.REVERT));
            assertTrue(failed.getMessage().contains("the canary failed at 10 %"), failed.getMessage());
            for (int i = 0; i < servers.size(); i++) {
                LocalServer server = servers.get(i);
                assertEquals(List.of(live.get(i)), server.appPids(), server.dir + ": only the instance live before runs");
                assertEquals(server.routeTo(server.state().live().port()), Files.readString(server.include).trim(), server.dir + ": all to it");
                assertEquals(Phase.FAILED, server.state().phase());
                assertFalse(Files.exists(server.lockFile()));
            }
            List<String> hostLogs = servers.stream().flatMap(server -> server.log.stream()).toList();
            assertEquals(3, hostLogs.stream().filter(line -> line.contains("Canary: 10 %")).count(), "every host took the first step");
            assertFalse(hostLogs.stream().anyMatch(line -> line.contains("Canary: 50 %")), "no host took the second: " + hostLogs);
            assertEquals(3, hostLogs.stream().filter(line -> line.contains("The canary is ended: nginx routes every request to port")).count(),
                    String.join("\n", hostLogs));
            assertTrue(failed.getMessage().matches("(?s).*the canary failed \\d+ of \\d+ requests \\(100\\.0 %\\).*"),
                    "host-c's numbers: " + failed.getMessage());
        } finally {
            for (NginxAnswers writer : answers) {
                writer.close();
            }
        }
    }

    @Test
    void aHostThatFailsItsHealthCheckStopsTheDeployEverywhere() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        List<Long> live = new ArrayList<>();
        for (LocalServer server : servers) {
            live.add(server.state().live().pid());
            server.healthTimeout = java.time.Duration.ofSeconds(4);
        }
        servers.get(1).environment.put("HEALTH", "DOWN");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> deploy("v2", Fleet.SwitchMode.ROLLING,
                Fleet.OnFailure.REVERT));
        assertTrue(failure.getMessage().startsWith("bluegreen:healthcheck failed on 1 of 3 hosts, nothing was switched anywhere"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("host host-b: the new version on port"), failure.getMessage());
        for (int i = 0; i < servers.size(); i++) {
            LocalServer server = servers.get(i);
            assertEquals(Phase.FAILED, server.state().phase());
            assertEquals(List.of(live.get(i)), server.appPids(), "only the old instance runs on " + server.dir);
            assertFalse(Files.exists(server.lockFile()), "lock released on " + server.dir);
        }
    }

    @Test
    void aSwitchThatFailsMidRollingSwitchesTheOthersBack() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        String v1 = servers.get(0).state().live().release();
        servers.get(1).testCommand = List.of("sh", "-c", "echo 'nginx: [emerg] unknown directive'; exit 1");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> deploy("v2", Fleet.SwitchMode.ROLLING,
                Fleet.OnFailure.REVERT));
        assertTrue(failure.getMessage().startsWith("the switch failed on host host-b: nginx config test failed"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Now host-a went back to release " + v1 + " on port"), failure.getMessage());
        assertTrue(failure.getMessage().contains("; host-b still runs release " + v1) && failure.getMessage().contains("; host-c still runs release "
                + v1), failure.getMessage());
        assertTrue(servers.get(0).log.stream().anyMatch(line -> line.matches(".*Stopped the new instance \\(PID \\d+\\): terminated in .*, after the 1"
                + " nginx worker that could still route to it finished in [0-9.]+ ms")),
                "host-a's new instance, routed to until the switch back, is drained first: " + servers.get(0).log);
        for (LocalServer server : servers) {
            DeployState state = server.state();
            java.util.regex.Matcher routed = java.util.regex.Pattern.compile(":(\\d+);").matcher(Files.readString(server.include));
            assertTrue(routed.find());
            int port = Integer.parseInt(routed.group(1));
            assertEquals(java.util.Optional.of("version=v1"), server.get(port, "/"), "v1 serves on " + server.dir);
            assertEquals(1, server.appPids().size(), "one app on " + server.dir + ": " + server.appPids());
            assertFalse(Files.exists(server.lockFile()), "lock released on " + server.dir);
            assertEquals(Phase.FAILED, state.phase());
        }
    }

    @Test
    void aLockHeldOnOneHostReleasesTheLocksTakenBeforeIt() throws Exception {
        servers.get(2).deployment().run(Step.DETECT);   // host-c's lock is held by a running deploy (this JVM)
        DeployFailedException refused = assertThrows(DeployFailedException.class, () -> fleet(Fleet.SwitchMode.ROLLING,
                Fleet.OnFailure.REVERT).run(Step.DETECT));
        assertTrue(refused.getMessage().startsWith("host host-c: another deploy is running"), refused.getMessage());
        assertTrue(refused.getMessage().contains("the locks taken on host-a, host-b were released"), refused.getMessage());
        assertFalse(Files.exists(servers.get(0).lockFile()));
        assertFalse(Files.exists(servers.get(1).lockFile()));
    }

    @Test
    void aHostWhoseSwitchWentThroughBeforeItFailedGoesBackWithTheOthers() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        String v1 = servers.get(0).state().live().release();
        servers.forEach(server -> server.environment.put("VERSION", "v2"));
        for (Step step : List.of(Step.DETECT, Step.START, Step.HEALTHCHECK)) {
            fleet(Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT).run(step);
        }
        servers.get(1).failStateWrites(true);   // host-b switches, then cannot record it
        SetupException failure = assertThrows(SetupException.class, () -> fleet(Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT)
                .run(Step.SWITCH));
        servers.get(1).failStateWrites(false);
        assertTrue(failure.getMessage().startsWith("the switch failed on host host-b: "), failure.getMessage());
        assertTrue(failure.getMessage().contains("Now host-a went back to release " + v1 + " on port")
                && failure.getMessage().contains("; host-b went back to release " + v1 + " on port")
                && failure.getMessage().contains("; host-c still runs release " + v1 + " on port"), failure.getMessage());
        assertAllOn("version=v1");
    }

    @Test
    void cleanupWithAHostThatCannotBeReachedFinishesTheOthersAndSaysWhatIsLeft() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        servers.forEach(server -> server.environment.put("VERSION", "v2"));
        for (Step step : List.of(Step.DETECT, Step.START, Step.HEALTHCHECK, Step.SWITCH)) {
            fleet(Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT).run(step);
        }
        List<Fleet.Member> members = new ArrayList<>();
        members.add(new Fleet.Member("host-a", servers.get(0).deployment()));
        members.add(new Fleet.Member("host-b", servers.get(1).deployment()));
        members.add(new Fleet.Member("host-c", null, "cannot connect to deploy@host-c:22: Connection refused"));
        Fleet withOneDown = new Fleet(members, new Fleet.Settings(3, Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT), servers.get(0).deployment().log);
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> withOneDown.run(Step.CLEANUP));
        assertTrue(failure.getMessage().startsWith("the deploy finished on 2 of 3 hosts; not on host-c (cannot be reached: cannot connect"
                + " to deploy@host-c:22: Connection refused; it stays as the switch left it"), failure.getMessage());
        for (LocalServer server : servers.subList(0, 2)) {
            assertEquals(Phase.DONE, server.state().phase());
            assertEquals(1, server.appPids().size(), "the old instance was stopped on " + server.dir);
            assertFalse(Files.exists(server.lockFile()));
        }
        assertTrue(Files.exists(servers.get(2).lockFile()), "the host that was not reached keeps its lock: its next deploy recovers");
    }

    @Test
    void aFleetDryRunChangesNothingAndTouchesNoOtherDeploy() throws Exception {
        deploy("v1", Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT);
        servers.get(1).deployment().run(Step.DETECT);   // host-b: another deploy holds its lock
        String other = servers.get(1).state().deployId();
        String lock = Files.readString(servers.get(1).lockFile());
        servers.forEach(server -> server.dryRun = true);
        for (Step step : Step.values()) {
            fleet(Fleet.SwitchMode.ROLLING, Fleet.OnFailure.REVERT).run(step);   // the whole goal list: no failure
        }
        assertEquals(lock, Files.readString(servers.get(1).lockFile()), "the other deploy's lock is untouched");
        assertEquals(other, servers.get(1).state().deployId());
        assertEquals(Phase.DETECTED, servers.get(1).state().phase());
        assertFalse(Files.exists(servers.get(0).lockFile()) || Files.exists(servers.get(2).lockFile()), "no lock taken");
    }

    private void assertAllOn(String version) throws Exception {
        for (LocalServer server : servers) {
            java.util.regex.Matcher routed = java.util.regex.Pattern.compile(":(\\d+);").matcher(Files.readString(server.include));
            assertTrue(routed.find());
            assertEquals(java.util.Optional.of(version), server.get(Integer.parseInt(routed.group(1)), "/"), "on " + server.dir);
            assertEquals(1, server.appPids().size(), "one app on " + server.dir + ": " + server.appPids());
            assertFalse(Files.exists(server.lockFile()), "lock released on " + server.dir);
        }
    }
}
