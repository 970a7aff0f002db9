package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.sh's process and port handling, run for real through the local transport. */
class ServerScriptTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final ServerScript script = new ServerScript(new LocalTransport());

    @TempDir
    Path tmp;

    @Test
    void findsTheProcessThatListensOnAPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = socket.getLocalPort();
            Map<String, String> values = script.run(TIMEOUT, "owner", String.valueOf(port)).values();
            assertEquals(String.valueOf(ProcessHandle.current().pid()), values.get("port." + port + ".pid"));
            assertTrue(values.get("port." + port + ".command").contains("java"));
        }
        int free = LocalServer.freePort();
        assertEquals("", script.run(TIMEOUT, "owner", String.valueOf(free)).values().get("port." + free + ".pid"));
    }

    @Test
    void findsTheListeningProcessFromProcWhenSsIsMissingOrRefused() throws Exception {
        // a PATH with only the tools the /proc scan needs
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : new String[] {"awk", "find", "tr"}) {
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
        ProcessBuilder owner = new ProcessBuilder("/bin/sh", "-c", ServerScript.TEXT, "bluegreen", "owner", String.valueOf(port));
        owner.environment().put("PATH", bin.toString());
        Process process = owner.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        return output;
    }

    @Test
    void stopEndsAProcessWithSigtermAndOneThatIgnoresItWithSigkill() throws Exception {
        Process polite = new ProcessBuilder("sleep", "60").start();
        Process stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 60 & wait; sleep 60").start();
        Thread.sleep(200);

        assertEquals("terminated", script.run(TIMEOUT, "stop", "5", String.valueOf(polite.pid()), "sleep").values().get("stop." + polite.pid()));
        assertEquals("killed", script.run(TIMEOUT, "stop", "1", String.valueOf(stubborn.pid()), "trap").values().get("stop." + stubborn.pid()));
        assertTrue(polite.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(stubborn.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void stopLeavesAProcessWhoseCommandLineNoLongerMatches() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals("skipped", script.run(TIMEOUT, "stop", "5", String.valueOf(other.pid()), "/releases/app.jar").values()
                    .get("stop." + other.pid()));
            assertTrue(other.isAlive(), "a reused PID is not ours: it must survive");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void theLockIsExclusiveAndShowsItsOwner() throws Exception {
        String lock = tmp.resolve("app/deploy.lock").toString();
        String include = tmp.resolve("none.inc").toString();
        ExecResult first = script.run(TIMEOUT, "deployId=one\nuser=ann\n", "detect", java.util.List.of(lock, include));
        ExecResult second = script.run(TIMEOUT, "deployId=two\nuser=bob\n", "detect", java.util.List.of(lock, include));

        assertEquals(ServerScript.OK, first.exitCode());
        assertEquals("false", first.values().get("include.exists"));
        assertEquals(ServerScript.REFUSED, second.exitCode());
        assertEquals("one", second.values().get("owner.deployId"));
        assertEquals("deployId=one\nuser=ann\n", Files.readString(Path.of(lock)));
    }

    @Test
    void cleanupKeepsTheNewestReleasesAndNeverAProtectedOne() throws Exception {
        Path releases = tmp.resolve("releases");
        for (String id : new String[] {"20260101-1", "20260102-1", "20260103-1", "20260104-1", "20260105-1"}) {
            Files.createDirectories(releases.resolve(id));
        }
        Map<String, String> values = script.run(TIMEOUT, "cleanup", "1000", "", "5", "", "", releases.toString(), "2",
                "20260105-1 20260101-1", "0", tmp.resolve("service-url.inc").toString(), "").values();
        assertEquals("true", values.get("pruned.20260102-1"));
        assertTrue(Files.exists(releases.resolve("20260101-1")), "protected (previous) release kept");
        assertTrue(Files.exists(releases.resolve("20260103-1")) && Files.exists(releases.resolve("20260104-1")), "newest kept");
        assertFalse(Files.exists(releases.resolve("20260102-1")));
    }
}
