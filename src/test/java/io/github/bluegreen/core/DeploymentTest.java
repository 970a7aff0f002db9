package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The five steps end to end with the local transport, a fake nginx master and a real (tiny) app process. */
class DeploymentTest {
    @TempDir
    Path tmp;
    LocalServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new LocalServer(tmp);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void firstDeployThenSecondDeployMovesTrafficAndStopsTheOldApp() throws Exception {
        DeployState first = server.deploy("v1");
        int blue = server.ports.get(0);
        int green = server.ports.get(1);
        assertEquals(Phase.DONE, first.phase());
        assertEquals(blue, first.instance("live").port());
        assertEquals("set $service_url http://127.0.0.1:" + blue + ";", Files.readString(server.include).trim());
        assertEquals(Optional.of("version=v1"), server.get(blue, "/"));
        long v1 = first.instance("live").pid();

        DeployState second = server.deploy("v2");
        assertEquals(green, second.instance("live").port());
        assertEquals(blue, second.instance("previous").port());
        assertEquals("set $service_url http://127.0.0.1:" + green + ";", Files.readString(server.include).trim());
        assertEquals(Optional.of("version=v2"), server.get(green, "/"));
        assertFalse(LocalServer.alive(v1), "the old instance is stopped");
        assertFalse(Files.exists(tmp.resolve("base/deploy.lock")), "the lock is released");
        assertTrue(server.log.stream().anyMatch(line -> line.startsWith("INFO SUMMARY: release " + second.deployId())));
    }

    @Test
    void unhealthyVersionFailsAtTheTimeoutAndLeavesTheLiveAppAlone() throws Exception {
        DeployState live = server.deploy("v1");
        server.environment.put("HEALTH", "DOWN");
        server.healthTimeout = Duration.ofSeconds(3);
        Instant begin = Instant.now();
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));
        Duration took = Duration.between(begin, Instant.now());

        assertTrue(failure.getMessage().contains("did not become healthy within 3.0 s"), failure.getMessage());
        assertTrue(failure.getMessage().contains("HTTP 503 {\"status\":\"DOWN\"}"), failure.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "gave up at the timeout, took " + took);
        assertLiveUntouched(live);
    }

    @Test
    void versionThatExitsAtStartFailsFastWithTheLogTail() throws Exception {
        DeployState live = server.deploy("v1");
        server.environment.put("HEALTH", "EXIT");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().contains("exited during startup"), failure.getMessage());
        assertTrue(server.log.stream().anyMatch(line -> line.contains("APPLICATION FAILED TO START")), "log tail shown");
        assertLiveUntouched(live);
    }

    @Test
    void healthEndpointThatNeverAnswersIsCutByTheProbeTimeout() throws Exception {
        DeployState live = server.deploy("v1");
        server.environment.put("HEALTH", "HANG");
        server.healthTimeout = Duration.ofSeconds(3);
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().contains("last health answer: Read timed out"), failure.getMessage());
        assertLiveUntouched(live);
    }

    @Test
    void failedConfigTestRestoresTheIncludeAndStopsTheNewVersion() throws Exception {
        DeployState live = server.deploy("v1");
        String include = Files.readString(server.include);
        server.testCommand = java.util.List.of("sh", "-c", "echo 'nginx: [emerg] unexpected \"}\"'; exit 1");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().contains("nginx config test failed, include restored"), failure.getMessage());
        assertTrue(failure.getMessage().contains("unexpected"), failure.getMessage());
        assertEquals(include, Files.readString(server.include));
        assertLiveUntouched(live);
    }

    @Test
    void aStaleInstanceOfThisAppOnTheTargetPortIsReplaced() throws Exception {
        server.deploy("v1");
        // a half-finished deploy: detect, start, healthcheck, then Maven died
        server.environment.put("VERSION", "stale");
        server.deployment().run(Step.detect());
        server.deployment().run(Step.start());
        server.deployment().run(Step.healthcheck());
        long stale = server.state().instance("target").pid();
        Path lock = tmp.resolve("base/deploy.lock");
        Files.writeString(lock, Files.readString(lock).replace("pid=" + ProcessHandle.current().pid(), "pid=" + Integer.MAX_VALUE));

        DeployState next = server.deploy("v2");
        assertFalse(LocalServer.alive(stale), "the stale instance was stopped");
        assertTrue(server.log.stream().anyMatch(line -> line.contains("taking it over")), "the dead deploy's lock is taken over");
        assertTrue(server.log.stream().anyMatch(line -> line.contains("Stopped a stale instance")), String.join("\n", server.log));
        assertEquals(Optional.of("version=v2"), server.get(next.instance("live").port(), "/"));
    }

    @Test
    void theInstanceOfAnUnfinishedDeployIsStoppedEvenBeforeItListens() throws Exception {
        server.deploy("v1");
        server.environment.put("VERSION", "stale");
        server.deployment().run(Step.detect());
        server.deployment().run(Step.start());
        long stale = server.state().instance("target").pid();
        server.forceUnlock = true;

        server.deploy("v2");
        assertFalse(LocalServer.alive(stale), "the unfinished deploy's instance was stopped");
    }

    @Test
    void rollbackStartsThePreviousReleaseAgain() throws Exception {
        server.deploy("v1");
        DeployState v2 = server.deploy("v2");
        String v1Release = v2.instance("previous").release();

        server.deployment().rollback();
        DeployState back = server.state();
        assertEquals(Phase.DONE, back.phase());
        assertEquals(v1Release, back.instance("live").release());
        long pid = back.instance("live").pid();
        String commandLine = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
        assertTrue(commandLine.contains("/releases/" + v1Release + "/TestApp.java"), "runs v1's jar again: " + commandLine);
        assertTrue(server.get(back.instance("live").port(), "/").isPresent(), "and answers");
        assertFalse(LocalServer.alive(v2.instance("live").pid()), "v2 is drained and stopped");
        assertTrue(server.log.stream().anyMatch(line -> line.startsWith("INFO Starting the previous release " + v1Release)));
        assertTrue(Files.readString(tmp.resolve("base/history.log")).contains("\trollback\tDONE\t"), "history records the rollback");
    }

    @Test
    void withinTheKeepOldWindowRollbackIsASwitchOnly() throws Exception {
        server.keepOld = Duration.ofSeconds(60);
        DeployState v1 = server.deploy("v1");
        DeployState v2 = server.deploy("v2");
        long v1Pid = v1.instance("live").pid();
        assertTrue(LocalServer.alive(v1Pid), "v1 is kept for the rollback window");

        server.deployment().rollback();
        DeployState back = server.state();
        assertEquals(v1Pid, back.instance("live").pid(), "the very same v1 process is live again");
        assertTrue(server.log.stream().anyMatch(line -> line.contains("still runs on port " + v1.instance("live").port()
                + " (PID " + v1Pid + "): rolling back is a switch only")));
        assertTrue(LocalServer.alive(v2.instance("live").pid()), "v2 is kept in turn");
        assertEquals("set $service_url http://127.0.0.1:" + v1.instance("live").port() + ";", Files.readString(server.include).trim());
    }

    @Test
    void rollbackWithNothingToGoBackToIsRefused() throws Exception {
        server.deploy("v1");
        SetupException refused = assertThrows(SetupException.class, () -> server.deployment().rollback());
        assertTrue(refused.getMessage().startsWith("nothing to roll back to"), refused.getMessage());
    }

    @Test
    void statusShowsLivePortReleaseAndHistory() throws Exception {
        server.deploy("v1");
        String afterV1 = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(afterV1.contains("(live, TestApp.java sha256 " + server.state().get("target.sha256") + ")"), afterV1);

        server.environment.put("HEALTH", "EXIT");
        assertThrows(DeployFailedException.class, () -> server.deploy("v2"));
        List<String> report = StatusReport.of(server.deployment(), 5);
        String text = String.join("\n", report);
        int blue = server.ports.get(0);
        assertTrue(text.contains("port " + blue + " (LIVE): PID "), text);
        assertTrue(text.contains("health HTTP 200 {\"status\":\"UP\"}"), text);
        assertTrue(text.contains("(live)"), "the failed upload's hash is not the live one's: " + text);
        assertTrue(text.contains("port " + server.ports.get(1) + ": nothing listening"), text);
        assertTrue(text.contains("lock: free"), text);
        assertEquals(2, report.stream().filter(line -> line.matches("  \\d{8}-\\d{6}-[0-9a-f]{4} deploy (DONE|FAILED) .*")).count(), text);
    }

    @Test
    void statusWarnsAboutACorruptStateFileAndStillReportsWhatRuns() throws Exception {
        server.deploy("v1");
        Files.writeString(tmp.resolve("base/state.properties"), "phase=NOT_A_PHASE\n");
        String text = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(server.log.stream().anyMatch(line -> line.contains("Ignoring the state file")), String.join("\n", server.log));
        assertTrue(text.contains("port " + server.ports.get(0) + " (LIVE): PID "), text);
    }

    @Test
    void goalsOutOfOrderAreRefusedWithWhatToRun() throws Exception {
        server.deployment().run(Step.detect());
        SetupException refused = assertThrows(SetupException.class, () -> server.deployment().run(Step.switchTraffic()));
        assertTrue(refused.getMessage().contains("needs the phase HEALTHY but deploy"), refused.getMessage());
        assertTrue(refused.getMessage().contains("run the goals in order"), refused.getMessage());
    }

    @Test
    void aSecondDeployIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        server.deployment().run(Step.detect());   // held by this (live) JVM
        DeployFailedException refused = assertThrows(DeployFailedException.class, () -> server.deployment().run(Step.detect()));
        assertTrue(refused.getMessage().startsWith("another deploy is running: deploy "), refused.getMessage());
        assertTrue(refused.getMessage().contains("-Dbluegreen.forceUnlock=true"), refused.getMessage());

        server.forceUnlock = true;
        server.deployment().run(Step.detect());
        assertTrue(server.log.stream().anyMatch(line -> line.contains("Removing the deploy lock of deploy")));
    }

    @Test
    void aPortTakenByAnotherProcessIsRefusedAndThatProcessLives() throws Exception {
        try (var foreign = new java.net.ServerSocket(server.ports.get(0), 1, java.net.InetAddress.getLoopbackAddress())) {
            server.deployment().run(Step.detect());
            DeployFailedException refused = assertThrows(DeployFailedException.class, () -> server.deployment().run(Step.start()));
            assertTrue(refused.getMessage().contains("is taken by PID " + ProcessHandle.current().pid()), refused.getMessage());
            assertTrue(refused.getMessage().contains("bluegreen.bluePort"), refused.getMessage());
            assertFalse(foreign.isClosed());
            assertEquals(Phase.FAILED, server.state().phase());
            assertFalse(Files.exists(tmp.resolve("base/deploy.lock")), "the lock is released");
        }
    }

    @Test
    void nginxIncludeWinsOverAStateFileThatDisagrees() throws Exception {
        DeployState live = server.deploy("v1");
        Path stateFile = tmp.resolve("base/state.properties");
        Files.writeString(stateFile, Files.readString(stateFile).replace("live.port=" + server.ports.get(0), "live.port=" + server.ports.get(1)));
        server.deployment().run(Step.detect());
        assertTrue(server.log.stream().anyMatch(line -> line.contains("nginx's include wins")), String.join("\n", server.log));
        assertEquals(live.instance("live").pid(), server.state().instance("live").pid());
        assertEquals(String.valueOf(server.ports.get(1)), server.state().get("target.port"));

        Files.writeString(stateFile, "phase=NOT_A_PHASE\n");
        server.forceUnlock = true;
        server.deployment().run(Step.detect());
        assertTrue(server.log.stream().anyMatch(line -> line.contains("Ignoring the state file")), String.join("\n", server.log));
    }

    private void assertLiveUntouched(DeployState live) throws Exception {
        int port = live.instance("live").port();
        assertTrue(LocalServer.alive(live.instance("live").pid()), "the live app still runs");
        assertEquals("set $service_url http://127.0.0.1:" + port + ";", Files.readString(server.include).trim());
        DeployState after = server.state();
        assertEquals(Phase.FAILED, after.phase());
        Long started = after.instance("target").pid();
        assertTrue(started == null || !LocalServer.alive(started), "the new instance is stopped");
        assertFalse(Files.exists(tmp.resolve("base/deploy.lock")), "the lock is released");
    }
}
