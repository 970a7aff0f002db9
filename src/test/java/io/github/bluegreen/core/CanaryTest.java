package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bluegreen.core.canary.CanaryPlan;
import io.github.bluegreen.core.canary.Split;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary releases end to end with the real server commands and the fake nginx master: what nginx would log while the
 * include splits is written by {@link NginxAnswers}, so each test decides what the canary answers.
 */
class CanaryTest {
    @TempDir
    Path tmp;
    LocalServer server;
    NginxAnswers answers;
    Path canaryLog;

    @BeforeEach
    void startServer() throws Exception {
        server = new LocalServer(tmp);
        canaryLog = tmp.resolve("nginx/bluegreen-canary.log");
        Files.writeString(canaryLog, "");
        canary(List.of(20, 50));
        answers = new NginxAnswers(server.include, canaryLog);
    }

    @AfterEach
    void stopServer() throws Exception {
        answers.close();
        server.close();
    }

    private void canary(List<Integer> steps) {
        server.traffic = new DeployConfig.Traffic("", Duration.ofMillis(50), false, List.of(), 0, 1,
                new CanaryPlan(steps, Duration.ofSeconds(1), 1.0, 10, 0, false, canaryLog.toString()));
    }

    @Test
    void aGoodReleaseIsPromotedThroughEveryStepThenSwitchedAndTheOldInstanceStopped() throws Exception {
        DeployState v1 = server.deploy("v1");
        assertTrue(server.logged("No canary: nothing is live to compare the new version with"), String.join("\n", server.log));
        int blue = v1.live().port();

        DeployState v2 = server.deploy("v2");
        int green = v2.live().port();
        assertEquals(Phase.DONE, v2.phase());
        assertEquals(server.routeTo(green), Files.readString(server.include).trim());
        assertTrue(server.logged("Canary: 20 % of the requests to the new version on port " + green + " (request_id split, 19.9 % exactly)"),
                String.join("\n", server.log));
        assertTrue(server.logged("Canary: 50 % of the requests"), String.join("\n", server.log));
        assertEquals(2, server.log.stream().filter(line -> line.matches("INFO \\| \\d+ % \\| [0-9.]+ % \\| \\d+ / \\d+ \\| 0 / 0 \\|.* passed \\|")).count(),
                "a row per step, both passed: " + String.join("\n", server.log));
        assertFalse(LocalServer.alive(v1.live().pid()), "the old instance is stopped after the full switch");
        assertTrue(answers.sawCanary.get(), "the include split the requests during the steps");
        assertTrue(server.history().contains("\tDONE\t"), server.history());
        assertEquals(blue, v2.previous().port());
    }

    @Test
    void aFailingCanaryRoutesEveryRequestBackStopsTheNewInstanceAndFailsWithTheNumbers() throws Exception {
        DeployState v1 = server.deploy("v1");
        answers.canaryStatus = 500;
        DeployFailedException failed = assertThrows(DeployFailedException.class, () -> server.deploy("v2"));
        int blue = v1.live().port();
        assertTrue(failed.getMessage().startsWith("the canary failed at 20 %: the canary failed "), failed.getMessage());
        assertTrue(failed.getMessage().matches("(?s).*the canary failed \\d+ of \\d+ requests \\(100\\.0 %\\), the stable instance 0 of \\d+ \\(0\\.0 %\\).*"),
                failed.getMessage());
        assertTrue(failed.getMessage().contains("nginx routes every request to the live instance on port " + blue + " again"), failed.getMessage());
        assertTrue(failed.getMessage().contains("It was stopped"), failed.getMessage());
        assertEquals(server.routeTo(blue), Files.readString(server.include).trim());
        DeployState after = server.state();
        assertEquals(Phase.FAILED, after.phase());
        assertEquals(List.of(v1.live().pid()), server.appPids(), "only the live instance runs");
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
        assertTrue(server.logged("| 20 % |") && server.logged("failed: the canary failed"), String.join("\n", server.log));
    }

    @Test
    void aDeployCutOffDuringItsCanaryIsEndedByTheNextDeployFirst() throws Exception {
        int blue = server.deploy("v1").live().port();
        DeployState v2 = cutOffDuringACanary(blue);
        int green = v2.target().port();
        assertEquals("set $service_url http://127.0.0.1:" + blue + ";", Files.readAllLines(server.include).get(1));
        ServerCommands.StopResult refused = server.deployment().server.stop(v2.target(), Duration.ofSeconds(1));
        assertTrue(refused.canary(), "the canary's instance is not stopped while the include names it: " + refused.refused());
        String status = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(status.contains("nginx: a canary: 20 % of the requests to port " + green + ", the rest to the live instance (deploy "
                + v2.deployId()), status);

        DeployState v3 = server.deploy("v3");
        assertTrue(server.logged("A canary was left: nginx sends 20 % of the requests to port " + green + ": routing every request to port "
                + blue + " again"), String.join("\n", server.log));
        assertTrue(server.history().contains(v2.deployId() + "\tdeploy\tINTERRUPTED\t") && server.history().contains(
                "cut off after CANARY; its canary was ended: every request goes to port " + blue + " again"), server.history());
        assertFalse(LocalServer.alive(v2.target().pid()), "the canary's instance was replaced");
        assertEquals(Phase.DONE, v3.phase());
        assertEquals(green, v3.live().port());
    }

    @Test
    void aRollbackDuringACanaryGoesBackToTheLiveInstance() throws Exception {
        DeployState v1 = server.deploy("v1");
        int blue = v1.live().port();
        DeployState v2 = cutOffDuringACanary(blue);

        server.session.clear();
        server.deployment().rollback();
        assertEquals(server.routeTo(blue), Files.readString(server.include).trim());
        assertFalse(LocalServer.alive(v2.target().pid()), "the canary's instance is stopped");
        assertTrue(LocalServer.alive(v1.live().pid()), "the live instance kept serving");
        assertTrue(server.logged("Rollback: ended the canary of release " + v2.target().release()), String.join("\n", server.log));
        assertTrue(server.history().lines().anyMatch(line -> line.contains("\trollback\tDONE\t") && line.endsWith(
                "ended the canary of release " + v2.target().release() + " on port " + v2.target().port())), server.history());
        assertFalse(Files.exists(server.lockFile()), "the lock is released");
    }

    @Test
    void aDryRunShowsEachCanaryStepsCommandAndChangesNothing() throws Exception {
        server.deploy("v1");
        String include = Files.readString(server.include);
        server.dryRun = true;
        server.run(Step.DETECT);
        assertEquals(2, server.log.stream().filter(line -> line.contains("canary step, then 1.0 s of analysis (traffic every 2.0 s): 'switch' ")
                && line.contains("'split_on=request_id'")).count(), String.join("\n", server.log));
        assertTrue(server.logged("'share=20'") && server.logged("'share=50'"), String.join("\n", server.log));
        assertEquals(include, Files.readString(server.include));
    }

    @Test
    void theTrafficCommandCountsWhatNginxAnsweredEachPortFromAByteOn() throws Exception {
        server.deploy("v1");
        String before = "1.000 200 0.100 127.0.0.1:1\n";
        StringBuilder lines = new StringBuilder(before);
        for (int i = 1; i <= 100; i++) {   // 100 answers of port 1 taking 1..100 ms, every tenth failed
            lines.append("2.000 ").append(i % 10 == 0 ? 502 : 200).append(" 0.").append(String.format("%03d", i)).append(" 127.0.0.1:1\n");
        }
        lines.append("3.000 499 1.500 127.0.0.1:2\n3.000 200 0.004 127.0.0.1:3\n3.000 404 0.000 -\n");
        Files.writeString(canaryLog, lines);
        ServerCommands.TrafficResult seen = server.deployment().server.traffic(before.length(), 1, 2);
        assertEquals(lines.toString().getBytes(StandardCharsets.UTF_8).length, seen.logSize());
        assertEquals(new io.github.bluegreen.core.canary.Answers(100, 10, 50, 99), seen.canary());
        assertEquals(new io.github.bluegreen.core.canary.Answers(1, 1, 1500, 1500), seen.stable(), "a client that gave up counts as failed");
    }

    /**
     * What a deploy killed during its first canary step leaves: the real switch command's split (20 %), the state file at
     * CANARY, a lock whose holder is gone.
     */
    private DeployState cutOffDuringACanary(int blue) throws Exception {
        server.environment.put("VERSION", "v2");
        server.run(Step.DETECT, Step.START, Step.HEALTHCHECK);
        DeployState v2 = server.state();
        ServerCommands.SwitchResult step = server.deployment().server.canary(v2.target(), blue, Split.of(20, false), null);
        assertEquals(ServerCommands.OK, step.exit(), step.error());
        v2.phase(Phase.CANARY);
        Files.writeString(tmp.resolve("base/state.properties"), v2.text());
        server.killLockHolder();
        return v2;
    }
}
