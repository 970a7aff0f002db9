package io.github.bluegreen.core;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Commands over one kept shell ({@code /bin/sh} reading its standard input): a login shell and its rc files start
 * once per Maven invocation, not once per command. Each command line is followed by a line that prints an end
 * marker and the command's exit status; stderr is merged into stdout. A long word (server.sh's text, 45 KB) travels
 * once: the shell keeps it in a variable that later command lines name. After a timeout or an error the stream's
 * position is unknown: the owner must discard this shell.
 */
final class RemoteShell {
    /** Words longer than this are kept in a shell variable after their first use. */
    static final int LONG_WORD = 4096;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final ExecutorService reader;
    /** The long words this shell keeps, by the name of the variable that holds each. */
    private final Map<String, String> kept = new HashMap<>();

    /** @param stdin the shell's standard input; {@code stdout} its output; {@code reader} runs the blocking reads */
    RemoteShell(OutputStream stdin, InputStream stdout, ExecutorService reader) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.reader = reader;
    }

    /** What {@link #run} writes to the shell for {@code argv} ending with {@code marker}: every word quoted. */
    String frame(List<String> argv, String marker) {
        return commandLine(argv) + " 2>&1 < /dev/null\n" + end(marker);
    }

    /**
     * {@code argv} as a command line, every word quoted; a long word as the variable that keeps it, preceded by the
     * line that sets it the first time.
     */
    private String commandLine(List<String> argv) {
        StringBuilder definitions = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (String word : argv) {
            if (word.length() <= LONG_WORD) {
                words.add(Shell.quote(word));
                continue;
            }
            String name = kept.get(word);
            if (name == null) {
                name = "__bluegreen_word" + (kept.size() + 1);
                kept.put(word, name);
                definitions.append(name).append('=').append(Shell.quote(word)).append('\n');
            }
            words.add("\"$" + name + "\"");
        }
        return definitions + String.join(" ", words);
    }

    private static String end(String marker) {
        return "printf '\\n%s %s\\n' " + marker + " \"$?\"\n";
    }

    ExecResult run(List<String> argv, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        return run(argv, null, timeout);
    }

    /**
     * Runs {@code argv} with {@code data} (if not null) on its standard input, as base64 lines of a here-document
     * (binary-safe: a shell's here-document carries text): sent with the command, no round trip of its own.
     */
    ExecResult run(List<String> argv, InputStream data, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        String marker = "__bluegreen_end_" + UUID.randomUUID().toString().replace("-", "");
        if (data == null) {
            stdin.write(frame(argv, marker).getBytes(StandardCharsets.UTF_8));
        } else {
            stdin.write((commandLine(argv) + " 2>&1 <<'" + marker + "'\n").getBytes(StandardCharsets.UTF_8));
            OutputStream lines = Base64.getMimeEncoder(76, new byte[] {'\n'}).wrap(new FilterOutputStream(stdin) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    stdin.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                    flush();   // the encoder's last bytes; the shell's input stays open
                }
            });
            data.transferTo(lines);
            lines.close();
            stdin.write(("\n" + marker + "\n" + end(marker)).getBytes(StandardCharsets.UTF_8));
        }
        stdin.flush();
        Future<String> answer = reader.submit(() -> readUntil(marker));
        String output;
        try {
            output = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            answer.cancel(true);
        }
        int end = output.lastIndexOf("\n" + marker + " ");
        int exitCode = Integer.parseInt(output.substring(end + marker.length() + 2).trim());
        return new ExecResult(exitCode, output.substring(0, end), "");
    }

    /** Reads until the line "&lt;marker&gt; &lt;status&gt;" that follows a newline; each line is looked at once. */
    private String readUntil(String marker) throws IOException {
        byte[] end = ("\n" + marker + " ").getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[8192];
        int length = 0;
        int lineStart = 0;
        for (int b; (b = stdout.read()) >= 0; ) {
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, length * 2);
            }
            buffer[length++] = (byte) b;
            if (b == '\n') {
                if (lineStart > 0 && length - lineStart + 1 > end.length
                        && Arrays.equals(buffer, lineStart - 1, lineStart - 1 + end.length, end, 0, end.length)) {
                    return new String(buffer, 0, length, StandardCharsets.UTF_8);
                }
                lineStart = length;
            }
        }
        throw new IOException("the remote shell ended: " + new String(buffer, 0, length, StandardCharsets.UTF_8).trim());
    }
}
