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
        servers.get(1).testCommand = List.of("sh", "-c", "echo 'nginx: [emerg] unknown directive'; exit 1");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> deploy("v2", Fleet.SwitchMode.ROLLING,
                Fleet.OnFailure.REVERT));
        assertTrue(failure.getMessage().startsWith("the switch failed on host host-b: nginx config test failed"), failure.getMessage());
        assertTrue(failure.getMessage().contains("The hosts already switched (host-a) went back to their old instance"), failure.getMessage());
        assertTrue(servers.get(0).log.stream().anyMatch(line -> line.matches(".*Stopped the new instance \\(PID \\d+\\): terminated in .*, after nginx's old workers"
                + " finished in [0-9.]+ ms")), "host-a's new instance, routed to until the switch back, is drained first: " + servers.get(0).log);
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
}
