package io.github.bluegreen.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What nginx would write to its canary log, for the core tests (whose fake nginx proxies nothing): every 20 ms, while
 * the include splits, four answers of the stable port and one of the canary's (with {@link #canaryStatus}).
 */
final class NginxAnswers implements AutoCloseable {
    private static final Pattern SPLIT = Pattern.compile("# bluegreen canary: stable=(\\d+) canary=(\\d+) share=\\d+");
    volatile int canaryStatus = 200;
    final AtomicBoolean sawCanary = new AtomicBoolean();
    private final Path include;
    private final Path log;
    private volatile boolean closed;
    private final Thread thread = new Thread(this::write, "canary-log");

    NginxAnswers(Path include, Path log) {
        this.include = include;
        this.log = log;
        thread.setDaemon(true);
        thread.start();
    }

    private void write() {
        while (!closed) {
            try {
                Matcher split = SPLIT.matcher(Files.exists(include) ? Files.readString(include) : "");
                StringBuilder lines = new StringBuilder();
                String now = String.format(java.util.Locale.ROOT, "%.3f", System.currentTimeMillis() / 1000.0);
                if (split.find()) {
                    sawCanary.set(true);
                    for (int i = 0; i < 4; i++) {
                        lines.append(now).append(" 200 0.005 127.0.0.1:").append(split.group(1)).append('\n');
                    }
                    lines.append(now).append(' ').append(canaryStatus).append(" 0.006 127.0.0.1:").append(split.group(2)).append('\n');
                }
                Files.writeString(log, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                Thread.sleep(20);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join();
    }
}
