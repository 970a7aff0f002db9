package io.github.bluegreen.core;

import java.time.Duration;

/** Human-readable durations for logs: {@code 850 ms}, {@code 5.3 s}, {@code 2 min 05 s}. */
public final class Durations {
    private Durations() {}

    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        return String.format(java.util.Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
    }
}
