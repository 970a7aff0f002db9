package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The framing of commands over one kept shell, over piped streams and over a real {@code /bin/sh}. */
class RemoteShellTest {
    private final ExecutorService reader = Executors.newSingleThreadExecutor();

    /** A real {@code /bin/sh}, and a shell over it. */
    private Process sh;
    private RemoteShell shell;

    @BeforeEach
    void start() throws IOException {
        sh = new ProcessBuilder("/bin/sh").start();
        shell = new RemoteShell(sh.getOutputStream(), sh.getInputStream(), reader);
    }

    @AfterEach
    void stop() {
        sh.destroyForcibly();
        reader.shutdownNow();
    }

    @Test
    void theFrameQuotesEveryWordAndEndsWithTheMarkerLine() throws Exception {
        assertEquals("if [ -z \"$__bluegreen_failed\" ]; then 'echo' 'it'\"'\"'s' 2>&1 < /dev/null\n"
                + "else (exit 125); fi; __bluegreen_status=$?; __bluegreen_failed=; printf '\\n%s %s\\n' END \"$__bluegreen_status\"\n",
                RemoteShell.frame(List.of("echo", "it's"), "END"));
    }

    @Test
    void aLongWordTravelsOncePerShell() throws Exception {
        String script = "echo \"$1\"; : '" + "x".repeat(RemoteShell.LONG_WORD) + "'";
        assertTrue(RemoteShell.frame(List.of("sh", "-c", script, "a"), "END").startsWith("__bluegreen_word1='echo"), "defined the first time");
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        java.io.OutputStream counted = new java.io.FilterOutputStream(sh.getOutputStream()) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                sent.addAndGet(length);
                out.write(bytes, offset, length);
            }
        };
        RemoteShell counting = new RemoteShell(counted, sh.getInputStream(), reader);
        assertEquals("one\n", counting.run(List.of("sh", "-c", script, "test", "one"), Duration.ofSeconds(5)).stdout());
        assertTrue(sent.getAndSet(0) > RemoteShell.LONG_WORD, "sent the first time");
        assertEquals("two\n", counting.run(List.of("sh", "-c", script, "test", "two"), Duration.ofSeconds(5)).stdout());
        assertTrue(sent.get() < 500, "then only named: " + sent.get() + " bytes");
    }

    @Test
    void commandsRunOneAfterTheOtherInOneRealShell() throws Exception {
        ExecResult first = shell.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(5));
        assertEquals(3, first.exitCode());
        assertEquals("out\nerr\n", first.stdout());
        ExecResult second = shell.run(List.of("printf", "%s", "no newline; $HOME `x`"), Duration.ofSeconds(5));
        assertEquals(0, second.exitCode());
        assertEquals("no newline; $HOME `x`", second.stdout(), "nothing expanded; the marker still found");
    }

    @Test
    void dataTravelsWithItsCommandByteForByte() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(7).nextBytes(data);   // every byte value, NULs and newlines among them
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("data");
        shell.send(List.of("sh", "-c", "base64 -d > \"$1\"", "sh", dir + "/data"), new java.io.ByteArrayInputStream(data), "write data");
        ExecResult sum = shell.run(List.of("sha256sum", dir + "/data"), Duration.ofSeconds(10));
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(0, sum.exitCode(), sum.output());
        assertEquals(expected, sum.stdout().split(" ")[0]);
        shell.send(List.of("sh", "-c", "base64 -d > \"$1\"", "sh", dir + "/empty"), new java.io.ByteArrayInputStream(new byte[0]), "write empty");
        ExecResult empty = shell.run(List.of("wc", "-c", dir + "/empty"), Duration.ofSeconds(5));
        assertEquals("0", empty.stdout().trim().split(" ")[0]);
        assertEquals("next", shell.run(List.of("echo", "next"), Duration.ofSeconds(5)).stdout().trim(), "the shell reads commands again");
    }

    @Test
    void commandsSentAheadAreAnsweredWithTheNextAndAFailureStopsWhatFollows() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sent");
        shell.send(List.of("sh", "-c", "base64 -d > \"$1\"", "sh", dir + "/a"), new java.io.ByteArrayInputStream("one".getBytes()), "write a");
        shell.send(List.of("sh", "-c", "cat \"$1\" > \"$2\"", "sh", dir + "/a", dir + "/b"), null, "copy a");
        ExecResult both = shell.run(List.of("cat", dir + "/b"), Duration.ofSeconds(5));
        assertEquals("one", both.stdout(), "the sent commands ran first, in order");

        shell.send(List.of("sh", "-c", "echo no room >&2; exit 1"), null, "write c");
        shell.send(List.of("touch", dir + "/d"), null, "write d");
        RemoteShell.SentCommandFailed failed = assertThrows(RemoteShell.SentCommandFailed.class,
                () -> shell.run(List.of("touch", dir + "/e"), Duration.ofSeconds(5)));
        assertEquals("write c", failed.what);
        assertEquals("no room", failed.output);
        assertTrue(!java.nio.file.Files.exists(dir.resolve("d")) && !java.nio.file.Files.exists(dir.resolve("e")),
                "nothing after the failed command ran");
        assertEquals("again", shell.run(List.of("echo", "again"), Duration.ofSeconds(5)).stdout().trim(), "the next batch runs");
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsATimeout() throws Exception {
        assertThrows(TimeoutException.class, () -> shell.run(List.of("sleep", "5"), Duration.ofMillis(300)));
    }

    @Test
    void aShellThatEndsMidCommandIsAnIoErrorWithWhatItSaid() throws Exception {
        PipedInputStream commands = new PipedInputStream();
        PipedOutputStream toShell = new PipedOutputStream(commands);
        PipedOutputStream fromShell = new PipedOutputStream();
        PipedInputStream output = new PipedInputStream(fromShell);
        Thread fakeShell = new Thread(() -> {
            try {
                commands.read(new byte[64]);   // reads part of the command, answers half, then the connection drops
                fromShell.write("partial output\n".getBytes(StandardCharsets.UTF_8));
                fromShell.close();
            } catch (IOException ignored) {
                // the test ends
            }
        });
        fakeShell.start();
        RemoteShell shell = new RemoteShell(toShell, output, reader);
        IOException dropped = assertThrows(IOException.class, () -> shell.run(List.of("true"), Duration.ofSeconds(5)));
        assertTrue(dropped.getMessage().contains("the remote shell ended: partial output"), dropped.getMessage());
        fakeShell.join();
    }
}
