package io.github.bluegreen.core;

import java.io.ByteArrayOutputStream;
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
 * marker and the command's exit status; stderr is merged into stdout. A command can be sent ahead ({@link #send}: a
 * file written before the command that needs it) and is answered with the next one {@link #run} waits for, with no
 * round trip of its own; once a command sent ahead failed, the commands after it do not run. A long word (server.sh's
 * text, 45 KB) travels once: the shell keeps it in a variable that later command lines name. After a timeout or an
 * error the stream's position is unknown: the owner must discard this shell.
 */
final class RemoteShell {
    /** Words longer than this are kept in a shell variable after their first use. */
    static final int LONG_WORD = 4096;
    /** The status of a command that did not run because one sent ahead of it failed. */
    static final int SKIPPED = 125;
    private static final String FAILED = "__bluegreen_failed";
    private final OutputStream stdin;
    private final InputStream stdout;
    private final ExecutorService reader;
    /** The long words this shell keeps, by the name of the variable that holds each. */
    private final Map<String, String> kept = new HashMap<>();
    /** Commands sent ahead and not answered yet, in order. */
    private final List<Sent> unanswered = new ArrayList<>();

    private record Sent(String marker, String what) {}

    /** A command sent ahead failed: {@code what} it was, and its output. */
    static final class SentCommandFailed extends IOException {
        final String what;
        final String output;

        SentCommandFailed(String what, String output) {
            super(what + " failed: " + output);
            this.what = what;
            this.output = output;
        }
    }

    /** @param stdin the shell's standard input; {@code stdout} its output; {@code reader} runs the blocking reads */
    RemoteShell(OutputStream stdin, InputStream stdout, ExecutorService reader) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.reader = reader;
    }

    /** What {@link #run} writes to a new shell for {@code argv} ending with {@code marker}: every word quoted. */
    static String frame(List<String> argv, String marker) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        new RemoteShell(frame, null, null).write(frame, argv, null, marker, true);
        return frame.toString(StandardCharsets.UTF_8);
    }

    /** Whether commands were sent ahead and not answered yet. */
    boolean hasUnanswered() {
        return !unanswered.isEmpty();
    }

    /**
     * Sends {@code argv} without waiting, with {@code data} (if not null) on its standard input as base64 lines of a
     * here-document (binary-safe: a shell's here-document carries text): its answer is read with the next {@link #run},
     * which fails with {@link SentCommandFailed} naming {@code what} if it failed.
     */
    void send(List<String> argv, InputStream data, String what) throws IOException {
        String marker = marker();
        write(stdin, argv, data, marker, false);
        unanswered.add(new Sent(marker, what));
    }

    /** Runs {@code argv} and waits for its answer, after the answers of the commands sent ahead of it. */
    ExecResult run(List<String> argv, Duration timeout) throws IOException, TimeoutException, InterruptedException {
        String marker = marker();
        write(stdin, argv, null, marker, true);
        stdin.flush();
        List<Sent> before = List.copyOf(unanswered);
        unanswered.clear();
        Future<List<String>> answers = reader.submit(() -> {
            List<String> outputs = new ArrayList<>();
            for (Sent sent : before) {
                outputs.add(readUntil(sent.marker()));
            }
            outputs.add(readUntil(marker));
            return outputs;
        });
        List<String> outputs;
        try {
            outputs = answers.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            answers.cancel(true);
        }
        for (int i = 0; i < before.size(); i++) {
            ExecResult sent = result(outputs.get(i), before.get(i).marker());
            if (sent.exitCode() != 0) {
                throw new SentCommandFailed(before.get(i).what(), sent.output().trim());
            }
        }
        return result(outputs.get(before.size()), marker);
    }

    private static String marker() {
        return "__bluegreen_end_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static ExecResult result(String output, String marker) {
        int end = output.lastIndexOf("\n" + marker + " ");
        int exitCode = Integer.parseInt(output.substring(end + marker.length() + 2).trim());
        return new ExecResult(exitCode, output.substring(0, end), "");
    }

    /**
     * Writes the command to {@code out}: it runs unless a command sent ahead of it failed, then its end marker and
     * status; {@code waited}: the end of a batch, after which the next commands run again.
     */
    private void write(OutputStream out, List<String> argv, InputStream data, String marker, boolean waited) throws IOException {
        StringBuilder definitions = new StringBuilder();
        String line = commandLine(argv, definitions);
        out.write((definitions + "if [ -z \"$" + FAILED + "\" ]; then " + line).getBytes(StandardCharsets.UTF_8));
        if (data == null) {
            out.write(" 2>&1 < /dev/null\n".getBytes(StandardCharsets.UTF_8));
        } else {
            out.write((" 2>&1 <<'" + marker + "'\n").getBytes(StandardCharsets.UTF_8));
            OutputStream lines = Base64.getMimeEncoder(76, new byte[] {'\n'}).wrap(new FilterOutputStream(out) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                    flush();   // the encoder's last bytes; the shell's input stays open
                }
            });
            data.transferTo(lines);
            lines.close();
            out.write(("\n" + marker + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String status = waited ? FAILED + "=" : "[ \"$__bluegreen_status\" = 0 ] || " + FAILED + "=1";
        out.write(("else (exit " + SKIPPED + "); fi; __bluegreen_status=$?; " + status + "; printf '\\n%s %s\\n' " + marker
                + " \"$__bluegreen_status\"\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code argv} as a command line, every word quoted; a long word as the variable that keeps it, its definition
     * added to {@code definitions} the first time.
     */
    private String commandLine(List<String> argv, StringBuilder definitions) {
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
        return String.join(" ", words);
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
