package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals(blue, first.live().port());
        assertEquals(server.routeTo(blue), Files.readString(server.include).trim());
        assertEquals(Optional.of("version=v1"), server.get(blue, "/"));
        long v1 = first.live().pid();

        DeployState second = server.deploy("v2");
        assertEquals(green, second.live().port());
        assertEquals(blue, second.previous().port());
        assertEquals(server.routeTo(green), Files.readString(server.include).trim());
        assertEquals(Optional.of("version=v2"), server.get(green, "/"));
        assertFalse(LocalServer.alive(v1), "the old instance is stopped");
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
        assertTrue(server.logged("INFO SUMMARY: release " + second.deployId()));
        assertTrue(server.logged("Old instance on port " + blue + " (PID " + v1 + "): terminated in ")
                && server.logged("after the 1 nginx worker that could still route to it finished in"), "cleanup waited for the old worker: " + server.log);
    }

    @Test
    void theAppRunsWithTheConfiguredUmaskAndAnUnreadableNginxErrorLogIsWarnedAbout() throws Exception {
        server.umask = "0027";
        server.errorLog = tmp.resolve("no-such-dir/error.log").toString();
        DeployState v1 = server.deploy("v1");
        String status = Files.readString(Path.of("/proc/" + v1.live().pid() + "/status"));
        assertTrue(status.contains("Umask:\t0027"), "the app's umask: " + status.lines().filter(l -> l.startsWith("Umask")).toList());
        assertTrue(server.logged("WARN nginx's error log " + server.errorLog + " is not readable by the deploy user"), String.join("\n", server.log));
    }

    @Test
    void theAppGetsACleanEnvironmentFromAPrivateFileNeverItsCommandLine() throws Exception {
        server.environment.put("SECRET_TOKEN", "s3cr3t 'quoted' $HOME");
        DeployState v1 = server.deploy("v1");
        long pid = v1.live().pid();
        String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
        assertTrue(environ.contains("SECRET_TOKEN=s3cr3t 'quoted' $HOME\n"), environ);
        assertFalse(environ.contains("MAVEN") || environ.contains("JAVA_HOME="), "no variable of the deploying JVM: " + environ);
        assertFalse(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("").contains("s3cr3t"));
        Path file = tmp.resolve("base/instances/" + v1.live().port() + ".env");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("base/state.properties"))));
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
        assertTrue(server.logged("APPLICATION FAILED TO START"), "log tail shown");
        assertLiveUntouched(live);
    }

    @Test
    void healthEndpointThatNeverAnswersIsCutByTheProbeTimeout() throws Exception {
        DeployState live = server.deploy("v1");
        server.environment.put("HEALTH", "HANG");
        server.healthTimeout = Duration.ofSeconds(3);
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().contains("last health answer: no answer within 500 ms"), failure.getMessage());
        assertLiveUntouched(live);
    }

    @Test
    void failedConfigTestRestoresTheIncludeAndStopsTheNewVersion() throws Exception {
        DeployState live = server.deploy("v1");
        String include = Files.readString(server.include);
        server.testCommand = List.of("sh", "-c", "echo 'nginx: [emerg] unexpected \"}\"'; exit 1");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().contains("nginx config test failed, include restored"), failure.getMessage());
        assertTrue(failure.getMessage().contains("unexpected"), failure.getMessage());
        assertEquals(include, Files.readString(server.include));
        assertFalse(Files.exists(tmp.resolve("base/switch.journal")), "no switch left halfway");
        assertLiveUntouched(live);
    }

    @Test
    void aDeployKilledRightAfterItTookTheLockIsInTheHistoryAllTheSame() throws Exception {
        server.deploy("v1");
        // a deploy took the lock and died before it recorded anything (its state file is still v1's)
        LockOwner dead = new LockOwner("20261206-000000-dead", "deploy", "ann", "ci", "", "", Integer.MAX_VALUE, "", Instant.now());
        ServerCommands commands = new ServerCommands(new LocalTransport(), new ServerLayout(tmp.resolve("base").toString()), server.config());
        assertTrue(commands.lock(dead, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        server.forceUnlock = true;   // its holder ran on another machine: only forceUnlock takes it over
        server.deploy("v2");
        assertTrue(server.history().contains("20261206-000000-dead\tdeploy\tINTERRUPTED\tann@ci\t"), server.history());
        assertTrue(server.logged("Deploy " + server.state().deployId() + " (deploy by "), "each deploy names itself: " + server.log);
    }

    @Test
    void aDamagedJarOfAnEarlierReleaseIsNeverReusedTheJarTravelsWhole() throws Exception {
        DeployState v1 = server.deploy("v1");
        DeployState v2 = server.deploy("v2");   // the same jar: v1's reused
        // the copy the server offers (the first release in name order: two ids of one second differ by their random
        // end) damaged on the server: a flipped byte, in a file of its own (the other release's jar is another link)
        String offered = v1.live().release().compareTo(v2.live().release()) < 0 ? v1.live().release() : v2.live().release();
        Path jar = tmp.resolve("base/releases/" + offered + "/TestApp.jar");
        byte[] bytes = Files.readAllBytes(jar);
        bytes[bytes.length / 2] ^= 0x55;
        Files.delete(jar);
        Files.write(jar, bytes);
        DeployState v3 = server.deploy("v3");
        assertTrue(server.logged("the same jar of an earlier release, " + jar + ", is damaged on the server"), String.join("\n", server.log));
        assertTrue(server.logged("Uploaded TestApp.jar whole instead: "), String.join("\n", server.log));
        assertEquals(Optional.of("version=v3"), server.get(v3.live().port(), "/"));
        assertFalse(Files.exists(Path.of(jar + ".sha256")), "the damaged copy is never offered again");
        server.deploy("v4");
        assertTrue(server.logged("Upload: nothing sent, the same jar as "), "an intact copy is reused again");
    }

    @Test
    void aStaleInstanceOfThisAppOnTheTargetPortIsReplaced() throws Exception {
        server.deploy("v1");
        // a half-finished deploy: detect, start, healthcheck, then Maven died
        server.environment.put("VERSION", "stale");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        long stale = server.state().target().pid();
        server.killLockHolder();

        DeployState next = server.deploy("v2");
        assertFalse(LocalServer.alive(stale), "the stale instance was stopped");
        assertTrue(server.logged("whose Maven process is gone: taking it over"), "the dead deploy's lock is taken over");
        assertTrue(server.logged("Stopped a stale instance on port"), String.join("\n", server.log));
        assertTrue(server.logged("was cut off after HEALTHY: it never went live"), String.join("\n", server.log));
        assertEquals(Optional.of("version=v2"), server.get(next.live().port(), "/"));
        assertTrue(server.history().contains("\tINTERRUPTED\t"), server.history());
    }

    @Test
    void twoDeploysTakingOverADeadLockAtOnceNeverBothWin() throws Exception {
        String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        String deadLock = "deployId=dead\nkind=deploy\nuser=ann\nhost=" + LockOwner.thisHost() + "\nbootId=" + bootId
                + "\npid=" + Integer.MAX_VALUE + "\npidStart=1\nsince=2026-01-01T00:00:00Z\n";
        for (int round = 0; round < 40; round++) {
            Files.createDirectories(server.lockFile().getParent());
            Files.writeString(server.lockFile(), deadLock);
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<java.util.concurrent.Future<Boolean>> won = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                won.add(two.submit(() -> {
                    Deployment d = server.deployment();
                    together.await();
                    try {
                        d.run(Step.DETECT);
                        return true;
                    } catch (DeployFailedException refused) {
                        return false;
                    }
                }));
            }
            int winners = 0;
            for (var result : won) {
                winners += result.get() ? 1 : 0;
            }
            two.shutdown();
            assertEquals(1, winners, "round " + round + ": exactly one deploy takes the dead lock over");
            Files.delete(server.lockFile());
        }
    }

    @Test
    void theInstanceOfAnUnfinishedDeployIsStoppedEvenBeforeItListens() throws Exception {
        server.deploy("v1");
        server.environment.put("VERSION", "stale");
        server.environment.put("LISTEN_AFTER_MS", "60000");   // listens only after a minute
        server.run(Step.DETECT, Step.START);
        long stale = server.state().target().pid();
        server.killLockHolder();
        Files.delete(tmp.resolve("base/state.properties"));   // even with its PID lost: the server recorded the instance

        server.environment.remove("LISTEN_AFTER_MS");
        server.deploy("v2");
        assertFalse(LocalServer.alive(stale), "the unfinished deploy's instance was stopped");
    }

    @Test
    void aDeployCutOffAfterItsSwitchStaysLiveAndTheNextDeployStopsOnlyTheOldInstance() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK, Step.SWITCH);   // v2: no cleanup, then Maven died
        DeployState v2 = server.state();
        server.killLockHolder();
        assertTrue(LocalServer.alive(v1.live().pid()), "cleanup never ran: v1 still runs");

        server.environment.put("VERSION", "v3");
        DeployState v3 = server.deploy("v3");
        assertTrue(server.logged("was cut off after SWITCHED: its switch had been done: its release " + v2.live().release()
                + " stays live on port " + v2.live().port()), String.join("\n", server.log));
        assertTrue(server.logged("Stopped a stale instance on port " + v1.live().port() + " (PID " + v1.live().pid()),
                "v1, not the live v2, was replaced: " + server.log);
        assertEquals(v1.live().port(), v3.live().port());
        assertEquals(v2.live().pid(), v3.previous().pid(), "v2 was live until v3's switch");
        assertFalse(LocalServer.alive(v2.live().pid()), "then drained and stopped by v3's cleanup");
        assertEquals(1, server.appPids().size(), "one app left: " + server.appPids());
    }

    @Test
    void aSwitchDoneOnTheServerButNotRecordedIsFoundFromNginxsInclude() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        DeployState v2 = server.state();
        // switch's server command ran (the SSH channel dropped, the server went on), its state was never saved
        Deployment d = server.deployment();
        assertEquals(0, d.server.switchTo(v2.target()).exit());
        server.killLockHolder();

        DeployState v3 = server.deploy("v3");
        assertTrue(LocalServer.alive(v3.live().pid()));
        assertEquals(v1.live().port(), v3.live().port(), "v3 went where v1 was: nginx routed to v2");
        assertEquals(v2.target().pid(), v3.previous().pid());
        assertTrue(server.logged("was cut off after HEALTHY: its switch had been done"), String.join("\n", server.log));
    }

    @Test
    void aSwitchCutOffBetweenIncludeAndReloadIsSettledBeforeAnythingElse() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        DeployState v2 = server.state();
        int green = v2.target().port();
        // what the switch command leaves when it dies after writing the include, before the reload
        Files.writeString(tmp.resolve("base/switch.journal"), "from=" + v1.live().port() + "\nto=" + green + "\n");
        Files.writeString(server.include, server.routeTo(green) + "\n");
        server.killLockHolder();

        server.run(Step.DETECT);
        assertTrue(server.logged("A switch to port " + green + " was cut off halfway"), String.join("\n", server.log));
        assertTrue(server.logged("routing to port " + green + ", whose new instance runs and answers UP"), String.join("\n", server.log));
        assertFalse(Files.exists(tmp.resolve("base/switch.journal")), "settled");
        assertEquals(v2.target().pid(), server.state().live().pid(), "the new instance is live");
        assertEquals(v1.live().port(), server.state().target().port());
    }

    @Test
    void aSwitchCutOffToAnInstanceThatDiedGoesBack() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        DeployState v2 = server.state();
        Files.writeString(tmp.resolve("base/switch.journal"), "from=" + v1.live().port() + "\nto=" + v2.target().port() + "\n");
        Files.writeString(server.include, server.routeTo(v2.target().port()) + "\n");
        ProcessHandle.of(v2.target().pid()).ifPresent(ProcessHandle::destroyForcibly);
        server.killLockHolder();

        server.deploy("v3");
        assertTrue(server.logged("routing to port " + v1.live().port() + ", where nginx routed before"), String.join("\n", server.log));
        assertEquals(Optional.of("version=v3"), server.get(v2.target().port(), "/"));
    }

    @Test
    void theKeepOldTimerNeverStopsWhatARollbackSwitchesTo() throws Exception {
        server.keepOld = Duration.ofSeconds(2);
        DeployState v1 = server.deploy("v1");
        server.deploy("v2");   // v1 kept; its timer fires in 2 s
        // the rollback decides "v1 still runs: a switch only", then its health check of v1 takes 3 s: the timer fires
        // in between, while the rollback holds the lock and before nginx routes to v1 again
        server.healthPath = "/slow-health";
        server.probeTimeout = Duration.ofSeconds(5);
        server.keepOld = Duration.ZERO;
        server.deployment().rollback();

        DeployState back = server.state();
        assertEquals(Phase.DONE, back.phase());
        assertEquals(v1.live().pid(), back.live().pid(), "the very v1 process is live");
        Thread.sleep(1500);   // the timer had waited for the lock; then it sees v1 live again and leaves it
        assertTrue(LocalServer.alive(v1.live().pid()), "v1 still runs: the timer did not stop the instance the rollback went to");
        assertEquals(Optional.of("version=v1"), server.get(v1.live().port(), "/"));
        assertFalse(Files.exists(server.lockFile()), "the timer released the lock");
    }

    @Test
    void theKeepOldTimerStopsTheOldInstanceUnderTheLock() throws Exception {
        server.keepOld = Duration.ofSeconds(1);
        DeployState v1 = server.deploy("v1");
        server.deploy("v2");
        assertTrue(LocalServer.alive(v1.live().pid()), "kept");
        for (int i = 0; i < 100 && LocalServer.alive(v1.live().pid()); i++) {
            Thread.sleep(100);
        }
        assertFalse(LocalServer.alive(v1.live().pid()), "stopped after the window");
        for (int i = 0; i < 50 && Files.exists(server.lockFile()); i++) {
            Thread.sleep(100);
        }
        assertFalse(Files.exists(server.lockFile()), "the timer released the lock");
    }

    @Test
    void aFailedRollbackKeepsWhatIsLiveAndItsTargetForTheNextTry() throws Exception {
        DeployState v1 = server.deploy("v1");
        DeployState v2 = server.deploy("v2");
        server.environment.put("HEALTH", "DOWN");   // v1's release started again never becomes healthy
        server.healthTimeout = Duration.ofSeconds(3);
        assertThrows(DeployFailedException.class, () -> server.deployment().rollback());
        DeployState failed = server.state();
        assertEquals(Phase.FAILED, failed.phase());
        assertEquals(v2.live().release(), failed.live().release(), "v2 stays live");
        assertEquals(v1.live().release(), failed.previous().release(), "the rollback's target stays the previous release");
        String row = server.history().lines().filter(line -> line.startsWith(failed.deployId() + "\t")).findFirst().orElseThrow();
        assertTrue(row.contains("\trollback\tFAILED\t") && row.contains("\t" + v2.live().port() + "\t" + v1.live().port() + "\t"
                + v1.live().release() + "\t"), "from the live port to the one it tried, with the release it went back to: " + row);

        server.environment.remove("HEALTH");
        server.deployment().rollback();
        assertEquals(v1.live().release(), server.state().live().release(), "the next try goes back to v1");
        assertEquals(v2.live().release(), server.state().previous().release());
    }

    @Test
    void cleanupRemovesWhatACutUploadLeftInTheReleasesKept() throws Exception {
        DeployState v1 = server.deploy("v1");
        Path leftover = tmp.resolve("base/releases/" + v1.live().release() + "/TestApp.jar.tmp");
        Files.writeString(leftover, "half of an upload");
        Files.writeString(tmp.resolve("base/releases/" + v1.live().release() + "/TestApp.jar.bundle.data"), "a rebuild's leftover");
        server.deploy("v2");
        assertFalse(Files.exists(leftover), "the cut upload's temp file is gone");
        assertFalse(Files.exists(tmp.resolve("base/releases/" + v1.live().release() + "/TestApp.jar.bundle.data")));
    }

    @Test
    void rollbackStartsThePreviousReleaseAgain() throws Exception {
        server.deploy("v1");
        DeployState v2 = server.deploy("v2");
        String v1Release = v2.previous().release();

        server.deployment().rollback();
        DeployState back = server.state();
        assertEquals(Phase.DONE, back.phase());
        assertEquals(v1Release, back.live().release());
        long pid = back.live().pid();
        String commandLine = ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
        assertTrue(commandLine.contains("/releases/" + v1Release + "/TestApp.jar"), "runs v1's jar again: " + commandLine);
        assertTrue(server.get(back.live().port(), "/").isPresent(), "and answers");
        assertFalse(LocalServer.alive(v2.live().pid()), "v2 is drained and stopped");
        assertTrue(server.logged("INFO Starting the previous release " + v1Release));
        assertTrue(server.history().contains("\trollback\tDONE\t"), "history records the rollback");
        assertTrue(server.history().lines().filter(line -> line.contains("\trollback\t")).allMatch(line -> line.contains("\t" + v1Release + "\t")),
                "with the release it went back to: " + server.history());
    }

    @Test
    void withinTheKeepOldWindowRollbackIsASwitchOnly() throws Exception {
        server.keepOld = Duration.ofSeconds(60);
        DeployState v1 = server.deploy("v1");
        DeployState v2 = server.deploy("v2");
        long v1Pid = v1.live().pid();
        assertTrue(LocalServer.alive(v1Pid), "v1 is kept for the rollback window");

        server.deployment().rollback();
        DeployState back = server.state();
        assertEquals(v1Pid, back.live().pid(), "the very same v1 process is live again");
        assertTrue(server.logged("still runs on port " + v1.live().port() + " (PID " + v1Pid + "): rolling back is a switch only"));
        assertTrue(LocalServer.alive(v2.live().pid()), "v2 is kept in turn");
        assertEquals(server.routeTo(v1.live().port()), Files.readString(server.include).trim());
    }

    @Test
    void rollbackWithNothingToGoBackToIsRefusedAndReleasesTheLock() throws Exception {
        server.deploy("v1");
        SetupException refused = assertThrows(SetupException.class, () -> server.deployment().rollback());
        assertTrue(refused.getMessage().startsWith("nothing to roll back to"), refused.getMessage());
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
    }

    @Test
    void anIncludeNamingAnUnconfiguredPortIsRefusedAndReleasesTheLock() throws Exception {
        Files.writeString(server.include, "set $service_url http://127.0.0.1:1;\n");
        SetupException refused = assertThrows(SetupException.class, () -> server.run(Step.DETECT));
        assertTrue(refused.getMessage().contains("neither of the configured ports"), refused.getMessage());
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
        assertTrue(server.history().contains("\tFAILED\t"), "the failure is recorded");
    }

    @Test
    void anIoErrorMidDeployStopsTheNewInstanceReleasesTheLockAndSaysWhy() throws Exception {
        DeployState live = server.deploy("v1");
        server.run(Step.DETECT, Step.START);
        long started = server.state().target().pid();
        server.failStateWrites(true);   // the state save after the health check fails
        SetupException failure = assertThrows(SetupException.class, () -> server.run(Step.HEALTHCHECK));
        server.failStateWrites(false);

        assertTrue(failure.getMessage().contains("disk full"), failure.getMessage());
        assertFalse(LocalServer.alive(started), "the instance this deploy started is stopped");
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
        assertTrue(LocalServer.alive(live.live().pid()), "the live app still runs");
        assertTrue(server.history().contains("\tFAILED\t"), server.history());
        assertTrue(server.history().contains("disk full"), "with the real reason: " + server.history());
    }

    @Test
    void aStateSaveThatFailsAfterTheSwitchLeavesTheNewReleaseLiveAndTheNextDeployTidiesUp() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.environment.put("VERSION", "v2");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        long v2 = server.state().target().pid();
        server.failStateWrites(true);
        SetupException failure = assertThrows(SetupException.class, () -> server.run(Step.SWITCH));
        server.failStateWrites(false);

        assertTrue(failure.getMessage().contains("(is the disk full?) The switch had gone through on the server"), failure.getMessage());
        assertTrue(LocalServer.alive(v2), "the new release is live: never stopped");
        assertEquals(Optional.of("version=v2"), server.get(server.state().target().port(), "/"));
        assertFalse(Files.exists(server.lockFile()), "the lock is released");

        DeployState v3 = server.deploy("v3");
        assertEquals(v1.live().port(), v3.live().port(), "v3 replaced the old v1, not the live v2");
        assertFalse(LocalServer.alive(v2), "v2 was stopped after v3's switch");
        assertEquals(List.of(v3.live().pid()), server.appPids());
    }

    @Test
    void aFailingBeforeSwitchHookStopsTheDeploySafelyAndTheAfterDeployHookHearsOfIt() throws Exception {
        DeployState live = server.deploy("v1");
        Path outcomes = tmp.resolve("outcomes.txt");
        server.afterDeployHook = List.of("sh", "-c", "echo \"$BLUEGREEN_OUTCOME $BLUEGREEN_DEPLOY_ID $BLUEGREEN_REASON\" >> " + outcomes);
        server.beforeSwitchHook = List.of("sh", "-c", "echo smoke test of port $BLUEGREEN_PORT PID $BLUEGREEN_PID; exit 3");
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));

        assertTrue(failure.getMessage().startsWith("the beforeSwitch hook exited with 3 (bluegreen.beforeSwitchHook): not switching"),
                failure.getMessage());
        assertTrue(server.logged("[beforeSwitch] smoke test of port " + server.ports.get(1) + " PID "), String.join("\n", server.log));
        assertLiveUntouched(live);
        assertTrue(Files.readString(outcomes).startsWith("FAILED " + server.state().deployId() + " the beforeSwitch hook exited with 3"),
                Files.readString(outcomes));

        server.beforeSwitchHook = List.of("sh", "-c", "curl -s http://127.0.0.1:$BLUEGREEN_PORT/ || true");
        DeployState v2 = server.deploy("v2");
        assertTrue(Files.readString(outcomes).contains("DONE " + v2.deployId()), Files.readString(outcomes));
    }

    @Test
    void aHookThatRunsTooLongIsStoppedEvenIfItIgnoresSigterm() throws Exception {
        server.deploy("v1");
        Path pidFile = tmp.resolve("hook.pid");
        List<String> stubborn = List.of("sh", "-c", "echo $$ > " + pidFile + "; trap '' TERM; while :; do sleep 1; done");
        Deployment hooked = Deployment.open(new DeployConfig(server.config().app(), server.config().health(), server.config().nginx(),
                server.artifact, DeployConfig.Lock.DEFAULT, new DeployConfig.Hooks(stubborn, List.of(), Duration.ofSeconds(1)),
                DeployConfig.Traffic.NONE, false), new LocalTransport(), new DeployLog() {
                    @Override public void info(String message) {}
                    @Override public void warn(String message) {}
                    @Override public void debug(String message) {}
                });
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> hooked.run(Step.SWITCH));
        assertTrue(failure.getMessage().contains("ran out of time (bluegreen.hookTimeoutSeconds: 1.0 s)"), failure.getMessage());
        assertFalse(LocalServer.alive(Long.parseLong(Files.readString(pidFile).trim())), "a hook that ignores SIGTERM is killed: the"
                + " deploy never ends while it still runs");
    }

    @Test
    void hooksGetTheDeploysFactsInACleanEnvironmentAndTheDoneDeployIsRecordedBeforeTheAfterDeployHook() throws Exception {
        Path seen = tmp.resolve("hook.txt");
        server.afterDeployHook = List.of("sh", "-c", "{ env; echo ---; cat " + tmp.resolve("base/history.log") + "; } > " + seen);
        DeployState v1 = server.deploy("v1");
        String[] parts = Files.readString(seen).split("---\n");
        assertTrue(parts[0].contains("BLUEGREEN_OUTCOME=DONE") && parts[0].contains("BLUEGREEN_DEPLOY_ID=" + v1.deployId()), parts[0]);
        assertFalse(parts[0].contains("JAVA_HOME=") || parts[0].contains("MAVEN") || parts[0].contains("JDK_JAVA_OPTIONS"),
                "nothing of the deploying process's environment: " + parts[0]);
        assertTrue(parts[1].contains(v1.deployId() + "\tdeploy\tDONE\t"), "the deploy is in history.log when the hook runs: " + parts[1]);
    }

    @Test
    void aDeployWaitsForAHeldLockWithLockWait() throws Exception {
        server.run(Step.DETECT);   // holds the lock (this JVM: alive)
        String holder = server.state().deployId();
        server.lockWait = Duration.ofSeconds(30);
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(2500);
                new ServerCommands(new LocalTransport(), new ServerLayout(tmp.resolve("base").toString()), server.config()).unlock(holder);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        Instant begin = Instant.now();
        server.run(Step.DETECT);
        release.join();
        assertTrue(Duration.between(begin, Instant.now()).toMillis() >= 2000, "it waited for the lock");
        assertTrue(server.logged("Waiting for the deploy lock, held by deploy " + holder), String.join("\n", server.log));
        assertFalse(holder.equals(server.state().deployId()), "and then took it");
    }

    @Test
    void aDryRunShowsWhatWouldHappenAndChangesNothing() throws Exception {
        DeployState v1 = server.deploy("v1");
        String stateBefore = Files.readString(tmp.resolve("base/state.properties"));
        String includeBefore = Files.readString(server.include);
        long releases = Files.list(tmp.resolve("base/releases")).count();
        server.dryRun = true;
        server.environment.put("SECRET", "not-shown");
        server.deploy("v2");

        String output = String.join("\n", server.log);
        assertTrue(output.contains("DRY RUN: what a deploy would do now; nothing on the server is changed"), output);
        assertTrue(output.contains("lock: free"), output);
        assertTrue(output.contains("live: port " + v1.live().port() + " (PID " + v1.live().pid()), output);
        assertTrue(output.contains("target: port " + server.ports.get(1) + ", free"), output);
        assertTrue(output.contains("  start: 'start' 'base=" + tmp.resolve("base")), output);
        assertTrue(output.contains("  switch: 'switch' "), output);
        assertTrue(output.contains("  cleanup: 'cleanup' "), output);
        assertTrue(output.contains("BLUEGREEN_JAR, ") && output.contains("SECRET (values not shown)") && !output.contains("not-shown"), output);
        assertEquals(stateBefore, Files.readString(tmp.resolve("base/state.properties")), "the state file is untouched");
        assertEquals(includeBefore, Files.readString(server.include));
        assertEquals(releases, Files.list(tmp.resolve("base/releases")).count(), "nothing uploaded");
        assertFalse(Files.exists(server.lockFile()));
        assertEquals(List.of(v1.live().pid()), server.appPids());
    }

    @Test
    void logsShowsTheLiveInstancesOutput() throws Exception {
        server.deploy("v1");
        List<String> lines = new java.util.ArrayList<>();
        AppLogs.show(server.deployment(), null, 10, false, lines::add);
        assertTrue(lines.get(0).startsWith("== " + tmp.resolve("base/releases")), lines.toString());
        assertTrue(lines.stream().anyMatch(line -> line.contains("TestApp v1 starting on " + server.ports.get(0))), lines.toString());
    }

    @Test
    void warmUpRequestsReachTheNewInstanceAndNotTheLiveOne() throws Exception {
        DeployState v1 = server.deploy("v1");
        server.traffic = new DeployConfig.Traffic("", java.time.Duration.ofMillis(50), false, List.of("/warm", "/warm-too"), 60, 3);
        DeployState v2 = server.deploy("v2");
        assertEquals(Optional.of("30"), server.get(v2.live().port(), "/hits?path=/warm"), "the new instance got its share");
        assertEquals(Optional.of("30"), server.get(v2.live().port(), "/hits?path=/warm-too"));
        assertTrue(server.logged("Warm-up: 60 requests to port " + v2.live().port() + " [/warm, /warm-too]"), String.join("\n", server.log));
        assertFalse(v1.live().port() == v2.live().port());
    }

    @Test
    void theProofReportsProbesAndAFailureCanFailTheBuild() throws Exception {
        server.deploy("v1");
        int green = server.ports.get(1);
        // the fake nginx proxies nothing: the proof probes the new instance's port itself here (through nginx in the ITs)
        server.traffic = new DeployConfig.Traffic("http://127.0.0.1:" + green + "/", java.time.Duration.ofMillis(20), false, List.of(), 0, 1);
        server.deploy("v2");
        String proof = server.log.stream().filter(line -> line.contains("PROOF: ")).findFirst().orElseThrow();
        assertTrue(proof.matches("INFO PROOF: \\d+ probes of http://127.0.0.1:" + green + "/ during the switch and the drain, 0 failed; .*"), proof);

        int nothing = LocalServer.freePort();
        server.traffic = new DeployConfig.Traffic("http://127.0.0.1:" + nothing + "/", java.time.Duration.ofMillis(20), true, List.of(), 0, 1);
        DeployFailedException failure = assertThrows(DeployFailedException.class, () -> server.deploy("v3"));
        assertTrue(failure.getMessage().startsWith("the deploy is done, but requests failed during it (bluegreen.requireZeroFailures): PROOF: "),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("x Connection refused"), failure.getMessage());
        assertEquals(Phase.DONE, server.state().phase(), "the deploy itself went through");
    }

    @Test
    void statusShowsLivePortReleaseAndHistory() throws Exception {
        server.deploy("v1");
        String v1 = server.state().sha256();
        String afterV1 = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(afterV1.contains("(live, TestApp.jar sha256 " + v1 + ")"), afterV1);

        server.environment.put("HEALTH", "EXIT");
        assertThrows(DeployFailedException.class, () -> server.deploy("v2"));
        List<String> report = StatusReport.of(server.deployment(), 5);
        String text = String.join("\n", report);
        int blue = server.ports.get(0);
        assertTrue(text.contains("port " + blue + " (LIVE): PID "), text);
        assertTrue(text.contains("health HTTP 200 {\"status\":\"UP\"}"), text);
        assertTrue(text.contains("(live, TestApp.jar sha256 " + v1 + ")"), "the live release's own jar, as the server recorded it: " + text);
        assertTrue(text.contains("port " + server.ports.get(1) + ": nothing listening"), text);
        assertTrue(text.contains("lock: free"), text);
        assertEquals(2, report.stream().filter(line -> line.matches("  \\d{8}-\\d{6}-[0-9a-f]{4} deploy (DONE|FAILED) .*")).count(), text);
        assertFalse(text.contains("null"), "only facts: " + text);
    }

    @Test
    void statusShowsADeployThatWasCutOff() throws Exception {
        server.deploy("v1");
        server.run(Step.DETECT, Step.START);
        server.killLockHolder();
        String text = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(text.contains("STARTED (INTERRUPTED: cut off after STARTED"), text);
        assertTrue(text.contains("whose process is gone: the next deploy takes it over"), text);
    }

    @Test
    void statusWarnsAboutACorruptStateFileAndStillReportsWhatRuns() throws Exception {
        server.deploy("v1");
        Files.writeString(tmp.resolve("base/state.properties"), "phase=NOT_A_PHASE\n");
        String text = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(server.logged("Ignoring the state file"), String.join("\n", server.log));
        assertTrue(text.contains("port " + server.ports.get(0) + " (LIVE): PID "), text);
    }

    @Test
    void goalsOutOfOrderAreRefusedWithWhatToRun() throws Exception {
        server.run(Step.DETECT);
        SetupException refused = assertThrows(SetupException.class, () -> server.run(Step.SWITCH));
        assertTrue(refused.getMessage().contains("needs the phase HEALTHY but deploy"), refused.getMessage());
        assertTrue(refused.getMessage().contains("run the goals in order"), refused.getMessage());
    }

    @Test
    void aSecondDeployIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        server.run(Step.DETECT);   // held by this (live) JVM
        DeployFailedException refused = assertThrows(DeployFailedException.class, () -> server.run(Step.DETECT));
        assertTrue(refused.getMessage().startsWith("another deploy is running: deploy "), refused.getMessage());
        assertTrue(refused.getMessage().contains("-Dbluegreen.forceUnlock=true"), refused.getMessage());

        server.forceUnlock = true;
        server.run(Step.DETECT);
        assertTrue(server.logged("Removing the deploy lock of deploy"));
    }

    @Test
    void aDeployWhoseLockIsTakenOverBetweenItsGoalsChangesNothingMore() throws Exception {
        DeployState live = server.deploy("v1");
        server.environment.put("VERSION", "v2");
        Deployment first = server.deployment();   // one invocation: its goals keep the state they saved
        first.run(Step.DETECT);
        first.run(Step.START);
        first.run(Step.HEALTHCHECK);
        long started = first.state().target().pid();

        server.forceUnlock = true;   // another deploy removes its lock and takes the server
        server.deployment(new java.util.HashMap<>()).run(Step.DETECT);
        String includeBefore = Files.readString(server.include);
        SetupException refused = assertThrows(SetupException.class, () -> first.run(Step.SWITCH));

        assertTrue(refused.getMessage().startsWith("deploy " + first.state().deployId() + " no longer holds the deploy lock (held by deploy "),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("the server refused its switch and changed nothing"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Its lock was taken over"), refused.getMessage());
        assertEquals(includeBefore, Files.readString(server.include), "nginx's include is untouched");
        assertTrue(LocalServer.alive(live.live().pid()), "the live app still runs");
        assertTrue(LocalServer.alive(started), "what it started is left to the lock's new holder");
        assertFalse(server.state().deployId().equals(first.state().deployId()) && server.state().phase() == Phase.FAILED,
                "it recorded nothing over the new holder's state");
        assertTrue(Files.readString(server.lockFile()).contains("deployId=" + server.state().deployId()), "the new holder keeps its lock");
    }

    @Test
    void aPortTakenByAnotherProcessIsRefusedAndThatProcessLives() throws Exception {
        try (var foreign = new java.net.ServerSocket(server.ports.get(0), 1, java.net.InetAddress.getLoopbackAddress())) {
            server.run(Step.DETECT);
            DeployFailedException refused = assertThrows(DeployFailedException.class, () -> server.run(Step.START));
            assertTrue(refused.getMessage().contains("is taken by PID " + ProcessHandle.current().pid()), refused.getMessage());
            assertTrue(refused.getMessage().contains("bluegreen.bluePort"), refused.getMessage());
            assertFalse(foreign.isClosed());
            assertEquals(Phase.FAILED, server.state().phase());
            assertFalse(Files.exists(server.lockFile()), "the lock is released");
        }
    }

    @Test
    void nginxIncludeWinsOverAStateFileThatDisagrees() throws Exception {
        DeployState live = server.deploy("v1");
        Path stateFile = tmp.resolve("base/state.properties");
        Files.writeString(stateFile, Files.readString(stateFile).replace("live.port=" + server.ports.get(0), "live.port=" + server.ports.get(1)));
        server.run(Step.DETECT);
        assertTrue(server.logged("nginx's include wins"), String.join("\n", server.log));
        assertEquals(live.live().pid(), server.state().live().pid());
        assertEquals(server.ports.get(1), server.state().target().port());

        Files.writeString(stateFile, "phase=NOT_A_PHASE\n");
        server.forceUnlock = true;
        server.run(Step.DETECT);
        assertTrue(server.logged("Ignoring the state file"), String.join("\n", server.log));
    }

    private void assertLiveUntouched(DeployState live) throws Exception {
        int port = live.live().port();
        assertTrue(LocalServer.alive(live.live().pid()), "the live app still runs");
        assertEquals(server.routeTo(port), Files.readString(server.include).trim());
        DeployState after = server.state();
        assertEquals(Phase.FAILED, after.phase());
        Long started = after.target().pid();
        assertTrue(started == null || !LocalServer.alive(started), "the new instance is stopped");
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
        assertNull(server.history().lines().filter(line -> line.contains("null")).findAny().orElse(null), "only facts in the history");
    }
}
