package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each server.sh command: its command line as a string, and run for real through the local transport. */
class ServerCommandsTest {
    @TempDir
    Path tmp;
    LocalServer server;
    ServerCommands commands;
    ServerLayout layout;

    @BeforeEach
    void setUp() throws Exception {
        server = new LocalServer(tmp);
        layout = new ServerLayout(tmp.resolve("base").toString());
        commands = new ServerCommands(new LocalTransport(), layout, server.config());
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    // ---- command lines, as strings

    @Test
    void startCommandLine() {
        ServerLayout srv = new ServerLayout("/srv/app");
        DeployConfig config = configFor("/etc/nginx/service-url.inc");
        ServerCommands.StartRequest request = new ServerCommands.StartRequest(8081, "r1", "/srv/app/releases/r1/app.jar", 10L, "abc",
                "/srv/app/releases/r1/8081.log", "/srv/app/instances/8081.env", Duration.ofSeconds(30), Duration.ofSeconds(60),
                List.of("java", "-Dx=it's", "-jar", "/srv/app/releases/r1/app.jar"), "(unit)",
                new ServerCommands.Upload(null, "/srv/app/releases/r1/app.jar.bundle", 1, 9, 0, 0), false);
        assertEquals("'start' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'port=8081' 'release=r1'"
                + " 'jar=/srv/app/releases/r1/app.jar' 'jar_name=app.jar' 'size=10' 'sha256=abc' 'log=/srv/app/releases/r1/8081.log'"
                + " 'env=/srv/app/instances/8081.env' 'stop_s=30' 'drain_ms=60000' 'runner=process' 'unit=app'"
                + " 'bundle=/srv/app/releases/r1/app.jar.bundle' 'umask=0077'"
                + " '--' 'java' '-Dx=it'\"'\"'s' '-jar' '/srv/app/releases/r1/app.jar'",
                ServerCommands.startCommand(srv, config, request).toString());
    }

    @Test
    void switchCommandLineCarriesTheCommandsQuoted() {
        DeployConfig config = configFor("/etc/nginx/service-url.inc");
        String line = ServerCommands.switchCommand(new ServerLayout("/srv/app"), config,
                new DeployState.Instance(8081, 42L, "777", "r1", null), "/actuator/health").toString();
        assertEquals("'switch' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'port=8081' 'health=/actuator/health' 'probe_ms=2000' 'pid=42' 'start=777'"
                + " 'pidfile=/run/nginx.pid' 'test='\"'\"'sudo'\"'\"' '\"'\"'nginx'\"'\"' '\"'\"'-t'\"'\"''"
                + " 'reload='\"'\"'sudo'\"'\"' '\"'\"'systemctl'\"'\"' '\"'\"'reload'\"'\"' '\"'\"'nginx'\"'\"''"
                + " 'helper=' 'timeout_ms=10000' 'errorlog=/var/log/nginx/error.log' 'release=r1' 'unit=app'", line);
    }

    @Test
    void otherCommandLines() {
        ServerLayout srv = new ServerLayout("/srv/app");
        DeployConfig config = configFor("/etc/nginx/service-url.inc");
        DeployState.Instance old = new DeployState.Instance(8080, 41L, "555", "r0", null);
        assertEquals("'stop' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'port=8080' 'pid=41' 'start=555' 'release=r0'"
                + " 'stop_s=30' 'drain_ms=0' 'unit=app'", ServerCommands.stopCommand(srv, config, old, Duration.ZERO).toString());
        assertEquals("'cleanup' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'port=8080' 'pid=41' 'start=555' 'release=r0'"
                + " 'stop_s=30' 'drain_ms=60000' 'unit=app' 'keep_old_s=0' 'keep=3' 'protect=r1 r0'",
                ServerCommands.cleanupCommand(srv, config, old, List.of("r1", "r0")).toString());
        assertEquals("'cleanup' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'drain_ms=60000' 'unit=app' 'keep_old_s=0' 'keep=3' 'protect=r1'",
                ServerCommands.cleanupCommand(srv, config, null, List.of("r1")).toString());
        assertEquals("'inspect' 'base=/srv/app' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'errorlog=/var/log/nginx/error.log' 'ports=8080 8081' 'unit=app' 'health=/actuator/health' 'probe_ms=2000'",
                ServerCommands.inspectCommand(srv, config).toString());
        assertEquals("'owner' 'ports=8080'", ServerCommands.ownerCommand(8080).toString());
        assertEquals("'unlock' 'base=/srv/app' 'deploy=d1'", ServerCommands.unlockCommand(srv, "d1").toString());
        assertEquals("'tail' 'file=/srv/app/history.log' 'lines=5'", ServerCommands.tailCommand("/srv/app/history.log", 5).toString());
        LockOwner me = new LockOwner("d1", "deploy", "ann", "ci", "b00t", "pid:[4026531836]", 42, "777", Instant.parse("2026-11-25T10:00:00Z"));
        assertEquals("'lock' 'base=/srv/app' 'owner=deployId=d1\nkind=deploy\nuser=ann\nhost=ci\nbootId=b00t\npidNs=pid:[4026531836]\npid=42\npidStart=777\n"
                + "since=2026-11-25T10:00:00Z' 'expect=dead1' 'wait_s=90' 'include=/etc/nginx/service-url.inc' 'pidfile=/run/nginx.pid' 'errorlog=/var/log/nginx/error.log' 'ports=8080 8081'"
                + " 'unit=app' 'health=/actuator/health' 'probe_ms=2000'",
                ServerCommands.lockCommand(srv, config, me, "dead1", Duration.ofSeconds(90)).toString());
    }

    @Test
    void anArgumentThatIsNotNameEqualsValueIsRefused() throws Exception {
        ExecResult result = new LocalTransport().exec(List.of("sh", "-c", ServerCommands.SCRIPT, "bluegreen", "owner", "x;y=1"),
                Duration.ofSeconds(10));
        assertEquals(ServerCommands.FAILED, result.exitCode());
        assertTrue(result.stdout().contains("error=bad argument 'x;y=1'"), result.stdout());
    }

    // ---- run for real

    @Test
    void ownerFindsTheListenerAndItsStartTime() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerCommands.Listener owner = commands.owner(socket.getLocalPort());
            assertEquals(String.valueOf(ProcessHandle.current().pid()), owner.pid());
            assertEquals(LockOwner.startOf(ProcessHandle.current().pid()).orElseThrow(), owner.start());
        }
        assertEquals("", commands.owner(LocalServer.freePort()).pid());
    }

    @Test
    void findsTheListeningProcessFromProcWhenSsIsMissingOrRefused() throws Exception {
        // a PATH with only the tools the /proc scan needs
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : new String[] {"awk", "find", "tr", "cat"}) {
            executable(bin.resolve(tool), "exec /usr/bin/" + tool + " \"$@\"");
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String expected = "port." + socket.getLocalPort() + ".pid=" + ProcessHandle.current().pid() + "\n";
            String withoutSs = ownerWithPath(bin, socket.getLocalPort());
            assertTrue(withoutSs.contains(expected), withoutSs);

            // an ss that cannot open its netlink socket (e.g. in a locked-down container) prints nothing and fails
            executable(bin.resolve("ss"), "echo 'Cannot open netlink socket: Permission denied' >&2; exit 1");
            String ssRefused = ownerWithPath(bin, socket.getLocalPort());
            assertTrue(ssRefused.contains(expected), ssRefused);
        }
    }

    private static void executable(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String ownerWithPath(Path bin, int port) throws Exception {
        ProcessBuilder owner = new ProcessBuilder("/bin/sh", "-c", ServerCommands.SCRIPT, "bluegreen", "owner", "ports=" + port);
        owner.environment().put("PATH", bin.toString());
        Process process = owner.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output;
    }

    @Test
    void stopEndsAProcessWithSigtermAndOneThatIgnoresItWithSigkillAtTheDeadline() throws Exception {
        Process polite = new ProcessBuilder("sleep", "60").start();
        Process stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 60 & wait; sleep 60").start();
        routeToTheOtherPort();

        assertEquals("terminated", commands.stop(instance(polite), Duration.ZERO).stopped().verdict());
        Instant begin = Instant.now();
        ServerCommands.StopResult killed = commands.stop(instance(stubborn), Duration.ZERO);
        Duration took = Duration.between(begin, Instant.now());
        assertEquals("killed", killed.stopped().verdict());
        // stop_s=1 (LocalServer): SIGKILL one second after SIGTERM, by the clock
        assertTrue(took.compareTo(Duration.ofMillis(950)) > 0 && took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
        assertTrue(polite.waitFor(5, TimeUnit.SECONDS));
        assertTrue(stubborn.waitFor(5, TimeUnit.SECONDS));
    }

    @Test
    void stopLeavesAProcessThatIsNotTheOneRecorded() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            DeployState.Instance reused = new DeployState.Instance(server.ports.get(0), other.pid(), "1", "r", null);
            assertEquals("gone", commands.stop(reused, Duration.ZERO).stopped().verdict());
            assertTrue(other.isAlive(), "a reused PID is another process: it must survive");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void stopRefusesTheInstanceNginxRoutesTo() throws Exception {
        Process live = new ProcessBuilder("sleep", "60").start();
        try {
            int port = server.ports.get(0);
            Files.writeString(server.include, server.routeTo(port) + "\n");
            ServerCommands.StopResult result = commands.stop(new DeployState.Instance(port, live.pid(),
                    LockOwner.startOf(live.pid()).orElseThrow(), "r", null), Duration.ZERO);
            assertEquals(ServerCommands.REFUSED, result.exit());
            assertTrue(result.refused().contains("nginx routes to port " + port), result.refused());
            assertTrue(live.isAlive());
        } finally {
            live.destroyForcibly();
        }
    }

    /** A server whose nginx workers of before a reload linger (finishing long requests) for {@code linger} seconds. */
    private void lingeringNginx(double linger) throws Exception {
        lingeringNginx(linger, 0);
    }

    private void lingeringNginx(double linger, double quitDelay) throws Exception {
        server.close();
        server = new LocalServer(tmp.resolve("lingering"), linger, quitDelay);
        layout = new ServerLayout(server.dir.resolve("base").toString());
        commands = new ServerCommands(new LocalTransport(), layout, server.config());
    }

    private DeployState.Instance instanceOn(int port, Process process, String release) {
        return new DeployState.Instance(port, process.pid(), LockOwner.startOf(process.pid()).orElseThrow(), release, null);
    }

    @Test
    void aStopWaitsUntilNoNginxWorkerMayStillRouteToItsPortAndNoLongerThanTheDrainTimeout() throws Exception {
        lingeringNginx(60);
        int blue = server.ports.get(0);
        int green = server.ports.get(1);
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(blue, null, null, null, null)).exit());
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(green, null, null, null, null)).exit());
            // the worker loaded when nginx routed to blue still finishes a request, for a minute
            Instant begin = Instant.now();
            ServerCommands.StopResult result = commands.stop(instanceOn(blue, app, "r"), Duration.ofMillis(1000));
            Duration took = Duration.between(begin, Instant.now());
            assertEquals(1L, result.stopped().drainWorkers(), "one worker could still route to blue: " + result);
            assertTrue(result.stopped().drainTimedOut(), "a worker that never ends: the drain times out");
            assertTrue(result.stopped().drainMillis() >= 1000 && took.compareTo(Duration.ofMillis(2500)) < 0, "took " + took);
            assertEquals("terminated", result.stopped().verdict());
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void aWorkerOfBeforeAReloadThatNginxIsSlowToRetireIsWaitedForNotTakenForTheRunningConfiguration() throws Exception {
        // a very busy machine: nginx's master tells the worker of before the reload to shut down seconds after the new one
        // started (past the 3 s after which a reload counts as settled)
        lingeringNginx(0, 4.5);
        int blue = server.ports.get(0);
        int green = server.ports.get(1);
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(blue, null, null, null, null)).exit());
            Thread.sleep(1200);   // the next reload's workers are a generation of their own
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(green, null, null, null, null)).exit());
            Thread.sleep(3200);
            ServerCommands.StopResult result = commands.stop(instanceOn(blue, app, "r"), Duration.ofSeconds(10));
            assertNull(result.refused(), "not refused: " + result);
            assertTrue(result.stopped().drainWorkers() >= 1, "the worker of before the reload was waited for: " + result);
            assertFalse(result.stopped().drainTimedOut(), String.valueOf(result));
            assertEquals("terminated", result.stopped().verdict());
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void aStopAfterASettledSwitchWaitsForTheWorkersThatLoadedTheIncludeOfBefore() throws Exception {
        // the story of a deploy killed between the include's write and nginx's reload: the next deploy reloads (settles)
        // the switch; nginx's workers of before still route to the old port, though the include already named the new one
        lingeringNginx(1.5);
        int blue = server.ports.get(0);
        int green = server.ports.get(1);
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(blue, null, null, null, null)).exit());
            Thread.sleep(1600);   // blue's switch is long done: only workers that loaded blue remain
            Files.writeString(server.dir.resolve("base/switch.journal"), "from=" + blue + "\nto=" + green + "\n");
            Files.writeString(server.include, server.routeTo(green) + "\n");   // written, never reloaded: the deploy was killed
            assertTrue(commands.stop(instanceOn(blue, app, "r"), Duration.ofSeconds(5)).refused().contains("did not end"),
                    "no stop while a switch is left halfway");
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(green, null, null, null, null)).exit());
            ServerCommands.StopResult result = commands.stop(instanceOn(blue, app, "r"), Duration.ofSeconds(5));
            assertEquals(1L, result.stopped().drainWorkers(), "the worker of before the settling reload routed to blue: " + result);
            assertTrue(result.stopped().drainMillis() >= 1000, "it was waited for: " + result);
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void noStopWhileNginxsRunningConfigurationRoutesToThePortWhateverTheIncludeSays() throws Exception {
        int blue = server.ports.get(0);
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(blue, null, null, "r", null)).exit());
            Files.delete(server.include);   // a config restore removed it; nginx was not reloaded
            Instant begin = Instant.now();
            ServerCommands.StopResult result = commands.stop(instanceOn(blue, app, "r"), Duration.ofSeconds(30));
            assertTrue(result.refused().startsWith("nginx's running configuration routes to port " + blue), String.valueOf(result));
            assertTrue(Duration.between(begin, Instant.now()).toSeconds() < 15, "refused once nginx's workers settled, not after the drain timeout");
            assertTrue(app.isAlive());
            ServerCommands.Inspection seen = commands.inspect();
            assertEquals(java.util.Set.of(String.valueOf(blue)), seen.nginxRoutes(), "inspect tells where nginx routes");
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void anInstanceThatNeverServedIsStoppedWithoutADrainWhateverNginxsWorkers() throws Exception {
        // a first deploy that failed: no include, no record of nginx's routes, the new instance recorded by start
        lingeringNginx(60);
        int blue = server.ports.get(0);
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            Files.createDirectories(server.dir.resolve("base/instances"));
            Files.writeString(server.dir.resolve("base/instances/" + blue), "pid=" + app.pid() + "\nstart="
                    + LockOwner.startOf(app.pid()).orElseThrow() + "\nrelease=r1\nrunner=process\n");
            ServerCommands.StopResult result = commands.stop(instanceOn(blue, app, "r1"), Duration.ofSeconds(30));
            assertEquals("terminated", result.stopped().verdict(), String.valueOf(result));
            assertEquals(null, result.stopped().drainWorkers(), "never served: not drained");
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void aCleanupWithNothingToStopStillWaitsForTheWorkersOfBeforeTheSwitch() throws Exception {
        // a first deploy: nginx's workers of before the switch have no route and may still accept a connection
        lingeringNginx(1);
        String master = Files.readString(server.nginxPid).trim();
        long old = Long.parseLong(Files.readString(Path.of("/proc/" + master + "/task/" + master + "/children")).trim());
        assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(server.ports.get(0), null, null, null, null)).exit());
        commands.cleanup(null, List.of());
        assertFalse(LocalServer.alive(old), "the deploy ends once every nginx worker has the new configuration");
    }

    @Test
    void theLockIsExclusiveShowsItsOwnerAndIsTakenOverOnlyFromTheExpectedHolder() throws Exception {
        LockOwner ann = new LockOwner("one", "deploy", "ann", "ci", "", "", 1, "", Instant.parse("2026-11-25T10:00:00Z"));
        LockOwner bob = new LockOwner("two", "deploy", "bob", "ci", "", "", 2, "", Instant.parse("2026-11-25T10:00:00Z"));
        assertTrue(commands.lock(ann, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        ServerCommands.LockResult second = commands.lock(bob, null, Duration.ofSeconds(5));
        assertTrue(second instanceof ServerCommands.Held held && held.holder().deployId().equals("one") && held.holder().user().equals("ann"),
                String.valueOf(second));
        assertTrue(commands.lock(bob, "someone-else", Duration.ofSeconds(5)) instanceof ServerCommands.Held, "expected another holder");
        assertTrue(commands.lock(bob, "one", Duration.ofSeconds(5)) instanceof ServerCommands.Taken, "taken over from the expected one");
        assertTrue(Files.readString(server.lockFile()).contains("deployId=two"));
        assertTrue(Files.readString(tmp.resolve("base/deploy.lock.taken-over")).contains("deployId=one"), "the dead lock is kept aside");
        assertFalse(commands.unlock("one"), "only its holder releases a lock");
        assertTrue(commands.unlock("two"));
        assertFalse(Files.exists(server.lockFile()));
    }

    @Test
    void aDeploysOwnCommandsAreRefusedOnceItsLockWasTakenOver() throws Exception {
        LockOwner ann = new LockOwner("one", "deploy", "ann", "ci", "", "", 1, "", Instant.parse("2026-11-25T10:00:00Z"));
        LockOwner bob = new LockOwner("two", "deploy", "bob", "ci", "", "", 2, "", Instant.parse("2026-11-25T10:00:00Z"));
        Process app = new ProcessBuilder("sleep", "60").start();
        try {
            routeToTheOtherPort();
            assertTrue(commands.lock(ann, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
            commands.holder("one");
            assertTrue(commands.lock(bob, "one", Duration.ofSeconds(5)) instanceof ServerCommands.Taken, "bob takes it over");

            SetupException refused = assertThrows(SetupException.class, () -> commands.stop(instance(app), Duration.ZERO));
            assertTrue(refused.getMessage().startsWith("deploy one no longer holds the deploy lock (held by deploy two by bob@ci"),
                    refused.getMessage());
            assertTrue(refused.getMessage().endsWith("the server refused its stop and changed nothing"), refused.getMessage());
            assertTrue(commands.lockLost());
            assertTrue(app.isAlive(), "nothing was stopped");
            String include = Files.readString(server.include);
            assertThrows(SetupException.class, () -> commands.switchTo(instance(app)));
            assertEquals(include, Files.readString(server.include), "nginx's include is untouched");

            commands.holder("two");   // the holder's own commands run
            assertEquals("terminated", commands.stop(instance(app), Duration.ZERO).stopped().verdict());
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void theSwitchChecksOnTheServerThatTheNewInstanceAnswersUpFirst() throws Exception {
        int port = server.ports.get(1);
        String[] answer = {"503", "{\"status\":\"DOWN\"}"};
        com.sun.net.httpserver.HttpServer app = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", port), 0);
        app.createContext("/actuator/health", exchange -> {
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        app.start();
        try {
            long me = ProcessHandle.current().pid();
            DeployState.Instance target = new DeployState.Instance(port, me, LockOwner.startOf(me).orElseThrow(), "r", null);
            ServerCommands.SwitchResult down = commands.switchTo(target, "/actuator/health");
            assertEquals(ServerCommands.REFUSED, down.exit());
            assertTrue(down.unhealthy(), String.valueOf(down));
            assertTrue(down.error().endsWith("no longer answers UP (HTTP 503 {\"status\":\"DOWN\"}): not switching"), down.error());
            assertFalse(Files.exists(server.include), "nothing written");

            answer[0] = "200";   // pretty-printed, a component UP but the app not
            answer[1] = "{\n  \"status\" : \"WARNING\",\n  \"components\" : {\n    \"db\" : {\n      \"status\" : \"UP\"\n    }\n  }\n}";
            assertTrue(commands.switchTo(target, "/actuator/health").unhealthy(), "only the top level's status counts");
            assertFalse(commands.awaitHealth(target, Duration.ofMillis(300)).orElseThrow().healthy(), "for the health wait too");

            answer[1] = "{\n  \"status\" : \"UP\",\n  \"components\" : {\n    \"db\" : {\n      \"status\" : \"DOWN\"\n    }\n  }\n}";
            assertTrue(commands.awaitHealth(target, Duration.ofMillis(300)).orElseThrow().healthy(), "UP, pretty-printed");
            // Spring Boot 4 puts the probes' groups first; a component's text may hold quotes and braces
            answer[1] = "{\"components\":{\"db\":{\"status\":\"UP\",\"details\":{\"error\":\"\\\"}{\"}}},\"groups\":[\"liveness\",\"readiness\"],\"status\":\"DOWN\"}";
            assertTrue(commands.switchTo(target, "/actuator/health").unhealthy(), "DOWN after the groups");
            answer[1] = "{\"groups\":[\"liveness\",\"readiness\"],\"status\":\"UP\"}";
            assertTrue(commands.awaitHealth(target, Duration.ofMillis(300)).orElseThrow().healthy(), "UP after the groups");
            answer[1] = "{\"components\":{\"db\":{\"status\":\"DOWN\",\"details\":{\"error\":\"\\\"}{\"}}},\"status\":\"UP\"}";
            assertTrue(commands.awaitHealth(target, Duration.ofMillis(300)).orElseThrow().healthy(), "UP after a text with a quote and braces");
            answer[1] = "{\"status\":\"UP\",\"components\":{\"db\":{\"status\":\"DOWN\"}}}";
            assertEquals(ServerCommands.OK, commands.switchTo(target, "/actuator/health").exit());
            assertEquals(server.routeTo(port), Files.readString(server.include).trim());
        } finally {
            app.stop(0);
        }
    }

    @Test
    void anEmptyLockFileLeftByAFullDiskHoldsNothing() throws Exception {
        Files.createDirectories(server.lockFile().getParent());
        Files.writeString(server.lockFile(), "");
        LockOwner ann = new LockOwner("one", "deploy", "ann", "ci", "", "", 1, "", Instant.parse("2026-11-25T10:00:00Z"));
        assertTrue(commands.lock(ann, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        assertTrue(Files.readString(server.lockFile()).contains("deployId=one"));
    }

    @Test
    void theServersProbeTakesAPathWithBracketsAsItIs() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {   // answers with the request line it got
                try (var socket = listener.accept()) {
                    String requestLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                            StandardCharsets.UTF_8)).readLine();
                    socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + requestLine.length() + "\r\n\r\n"
                            + requestLine).getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the probe reports it
                }
            });
            answer.start();
            HttpResult result = ServerCommands.probe(new LocalTransport(), listener.getLocalPort(), "/health[0]", Duration.ofSeconds(5));
            answer.join();
            assertEquals("GET /health[0] HTTP/1.1", result.body(), "curl sends the path as it is, no [] ranges");
        }
    }

    @Test
    void withARouteHelperTheSwitchOnlyChoosesThePortAndTheHelpersWriteIsRecorded() throws Exception {
        // a stand-in for the root-owned helper (the real one runs nginx itself): writes the include, says when, reloads
        Path helper = tmp.resolve("route-helper");
        Files.writeString(helper, "#!/bin/sh\n"
                + "read -r up _ < /proc/uptime; t=$(( ${up%.*} * 1000 + ${up#*.} * 10 ))\n"
                + "echo \"$1 $2\" >> " + tmp.resolve("helper-calls") + "\n"
                + "[ \"$2\" != 1 ] || { echo 'error=nginx config test failed, include restored'; exit 3; }\n"
                + "printf 'set $service_url http://127.0.0.1:%s;\\n' \"$2\" > " + server.include + "\n"
                + "echo \"written=$t $t\"\n"
                + "kill -USR1 $(cat " + server.nginxPid + ")\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        server.routeHelper = helper.toString();
        commands = new ServerCommands(new LocalTransport(), layout, server.config());
        int green = server.ports.get(1);
        ServerCommands.SwitchResult result = commands.switchTo(new DeployState.Instance(green, null, null, null, null));
        assertEquals(ServerCommands.OK, result.exit(), result.error());
        assertEquals("testapp " + green, Files.readString(tmp.resolve("helper-calls")).trim(), "the helper gets the app and the port only");
        assertEquals(server.routeTo(green), Files.readString(server.include).trim());
        assertTrue(Files.readString(tmp.resolve("base/routes")).lines().reduce((a, b) -> b).orElseThrow().startsWith(green + " "),
                "the helper's write is recorded: the drain knows which workers route where");
        ServerCommands.SwitchResult refused = commands.switchTo(new DeployState.Instance(1, null, null, null, null));
        assertEquals(ServerCommands.REFUSED, refused.exit(), "the helper's config test failed");
        assertTrue(refused.error().contains("nginx config test failed, include restored"), refused.error());
        assertFalse(Files.exists(tmp.resolve("base/switch.journal")), "no switch left halfway");
    }

    @Test
    void aBaseDirectoryServesOneAppOnly() throws Exception {
        LockOwner ann = new LockOwner("one", "deploy", "ann", "ci", "", "", 1, "", Instant.now());
        assertTrue(commands.lock(ann, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        commands.unlock("one");
        DeployConfig other = configFor(server.config().nginx().include());
        ServerCommands otherApp = new ServerCommands(new LocalTransport(), layout, new DeployConfig(new DeployConfig.App("other-app",
                layout.base(), server.ports, List.of("java"), Map.of(), Duration.ofSeconds(1), 3, Duration.ZERO, DeployConfig.Runner.PROCESS,
                "0077"), other.health(), server.config().nginx(), null, DeployConfig.Lock.DEFAULT, DeployConfig.Hooks.NONE,
                DeployConfig.Traffic.NONE, false));
        SetupException refused = org.junit.jupiter.api.Assertions.assertThrows(SetupException.class,
                () -> otherApp.lock(ann, null, Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains(layout.base() + " holds the deploys of the app testapp, not of other-app: give each app"
                + " its own bluegreen.baseDir"), refused.getMessage());
        assertFalse(Files.exists(server.lockFile()), "nothing taken");
    }

    @Test
    void aProcessThatEndsDuringTheDrainIsNotSignalled() throws Exception {
        // the drain waits for a worker of before the switch; meanwhile the instance exits by itself: no signal to its PID
        // (it may name another process by then)
        lingeringNginx(2);
        int blue = server.ports.get(0);
        Process app = new ProcessBuilder("sleep", "60").start();
        assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(blue, null, null, null, null)).exit());
        assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(server.ports.get(1), null, null, null, null)).exit());
        DeployState.Instance instance = instanceOn(blue, app, "r");
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            app.destroyForcibly();
        });
        killer.start();
        ServerCommands.StopResult result = commands.stop(instance, Duration.ofSeconds(10));
        killer.join();
        assertEquals("gone", result.stopped().verdict(), String.valueOf(result));
    }

    @Test
    void aHolderInAnotherPidNamespaceOfThisKernelIsNeverJudgedDead() throws Exception {
        // two containers on one kernel share its boot id, not their PIDs: a PID that names nothing here may run there
        String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        String here = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        LockOwner elsewhere = new LockOwner("other", "deploy", "ann", "ci", boot, "pid:[1]", Integer.MAX_VALUE, "1", Instant.now());
        assertTrue(commands.lock(elsewhere, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        LockOwner me = new LockOwner("me", "deploy", "bob", "ci", boot, here, 2, "", Instant.now());
        ServerCommands.LockResult refused = commands.lock(me, null, Duration.ofSeconds(5));
        assertTrue(refused instanceof ServerCommands.Held held && held.alive().equals("unknown"), String.valueOf(refused));
        assertEquals("unknown", elsewhere.aliveHere());
        LockOwner deadHere = new LockOwner("dead", "deploy", "ann", "ci", boot, here, Integer.MAX_VALUE, "1", Instant.now());
        assertEquals("no", deadHere.aliveHere(), "in this namespace a PID that names nothing is dead for sure");
    }

    @Test
    void aTakeoverWaitsForTheCommandTheDeadHolderStillRuns() throws Exception {
        LockOwner dead = new LockOwner("dead", "deploy", "ann", "elsewhere", "", "", 1, "", Instant.now());
        assertTrue(commands.lock(dead, null, Duration.ofSeconds(5)) instanceof ServerCommands.Taken);
        // the dead deploy's last command: holds commands.lock for 2 s (as a switch blocked in its reload would)
        Process lingering = new ProcessBuilder("flock", tmp.resolve("base/commands.lock").toString(), "sleep", "2").start();
        Thread.sleep(300);
        LockOwner me = new LockOwner("me", "deploy", "bob", "ci", "", "", 2, "", Instant.now());
        assertTrue(commands.lock(me, "dead", Duration.ofSeconds(1)) instanceof ServerCommands.Busy, "still running after 1 s");
        Instant begin = Instant.now();
        assertTrue(commands.lock(me, "dead", Duration.ofSeconds(10)) instanceof ServerCommands.Taken);
        assertTrue(Duration.between(begin, Instant.now()).toMillis() > 500, "it waited for the command to end");
        assertTrue(lingering.waitFor(5, TimeUnit.SECONDS));
    }

    @Test
    void pruneKeepsTheNewestLiveReleasesTheNewestFailedOneAndEveryProtectedOne() throws Exception {
        Path releases = tmp.resolve("base/releases");
        for (String id : new String[] {"20260101-1", "20260102-1", "20260103-1", "20260104-1", "20260105-1", "20260106-1", "20260107-1"}) {
            Files.createDirectories(releases.resolve(id));
        }
        for (String id : new String[] {"20260101-1", "20260102-1", "20260104-1", "20260106-1"}) {
            Files.writeString(releases.resolve(id).resolve("went-live"), "");
        }
        // live 20260106-1 (protected), previous 20260101-1 (protected); failed: 03, 05, 07
        List<String> pruned = commands.cleanup(null, List.of("20260106-1", "20260101-1")).pruned();
        assertEquals(List.of("20260105-1", "20260103-1"), pruned, "older failed releases go first");
        assertTrue(Files.exists(releases.resolve("20260107-1")), "the newest failed release stays (its log says why)");
        assertTrue(Files.exists(releases.resolve("20260104-1")) && Files.exists(releases.resolve("20260102-1")), "live ones within keep=2");
        assertTrue(Files.exists(releases.resolve("20260101-1")), "protected");
    }

    @Test
    void switchWritesTheIncludeReloadsAndRecordsTheOldWorkers() throws Exception {
        int port = server.ports.get(1);
        ServerCommands.SwitchResult result = commands.switchTo(new DeployState.Instance(port, null, null, null, null));
        assertEquals(ServerCommands.OK, result.exit(), result.error());
        assertEquals(server.routeTo(port), Files.readString(server.include).trim());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.include)),
                "nginx may run as another user than the deploy user: the include (no secret in it) is readable by all");
        assertFalse(Files.exists(tmp.resolve("base/switch.journal")), "no journal after a switch that ended");
        assertTrue(Files.readString(tmp.resolve("base/routes")).lines().reduce((a, b) -> b).orElseThrow().startsWith(port + " "),
                "the write is recorded: the workers started since route to " + port);
        assertFalse(result.oldWorkers().equals(result.newWorkers()));
    }

    @Test
    void aReloadNginxRejectsFailsAtOnceWithNginxsReason() throws Exception {
        Path errorLog = tmp.resolve("error.log");
        Files.writeString(errorLog, "2026/11/25 10:00:00 [notice] 1#1: start\n");
        server.reloadCommand = List.of("sh", "-c", "echo '2026/11/25 10:00:01 [emerg] 12#12: bind() to 0.0.0.0:80 failed"
                + " (98: Address already in use)' >> " + Shell.quote(errorLog.toString()));
        server.errorLog = errorLog.toString();
        commands = new ServerCommands(new LocalTransport(), layout, server.config());
        Files.writeString(server.include, server.routeTo(server.ports.get(0)) + "\n");
        Instant begin = Instant.now();
        ServerCommands.SwitchResult result = commands.switchTo(new DeployState.Instance(server.ports.get(1), null, null, null, null));
        Duration took = Duration.between(begin, Instant.now());
        assertEquals(ServerCommands.FAILED, result.exit());
        assertTrue(result.error().contains("bind() to 0.0.0.0:80 failed"), result.error());
        assertFalse(result.timedOut(), "nginx said why: no doubt about the pid file");
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "not the whole reload timeout: " + took);
        assertEquals(server.routeTo(server.ports.get(0)), Files.readString(server.include).trim(), "include restored");
    }

    @Test
    void switchRefusesATargetThatNoLongerOwnsItsPort() throws Exception {
        int port = server.ports.get(1);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        ServerCommands.SwitchResult result = commands.switchTo(new DeployState.Instance(port, gone.pid(), "1", "r", null));
        assertEquals(ServerCommands.REFUSED, result.exit());
        assertTrue(result.error().contains("no longer listens on port " + port), result.error());
        assertFalse(Files.exists(server.include), "nothing written");
    }

    /** nginx routes to the second port, and the server knows it: the first port's instance may be stopped. */
    private void routeToTheOtherPort() throws Exception {
        assertEquals(ServerCommands.OK, commands.switchTo(new DeployState.Instance(server.ports.get(1), null, null, null, null)).exit());
    }

    private DeployState.Instance instance(Process process) {
        return new DeployState.Instance(server.ports.get(0), process.pid(), LockOwner.startOf(process.pid()).orElseThrow(), "r", null);
    }

    private static DeployConfig configFor(String include) {
        return new DeployConfig(
                new DeployConfig.App("app", "/srv/app", List.of(8080, 8081), List.of("java", "-jar", "{jar}"), Map.of(),
                        Duration.ofSeconds(30), 3, Duration.ZERO, DeployConfig.Runner.PROCESS, "0077"),
                new DeployConfig.Health("/actuator/health", Duration.ofSeconds(120), Duration.ofSeconds(2), Duration.ofMillis(100)),
                new DeployConfig.Nginx(include, "/run/nginx.pid", List.of("sudo", "nginx", "-t"), List.of("sudo", "systemctl", "reload", "nginx"),
                        Duration.ofSeconds(10), Duration.ofSeconds(60), "/var/log/nginx/error.log", ""),
                Path.of("app.jar"), DeployConfig.Lock.DEFAULT, DeployConfig.Hooks.NONE, DeployConfig.Traffic.NONE, false);
    }
}
