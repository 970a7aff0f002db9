package io.github.bluegreen.core.canary;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The canary's steps as a table for the build log: one row per step watched, with each colour's answers and the verdict. */
public final class Report {
    private final List<String> rows = new ArrayList<>();

    public void add(Split split, Answers canary, Answers stable, Verdict verdict) {
        long all = canary.requests() + stable.requests();
        rows.add(String.format(Locale.ROOT, "| %d %% | %.1f %% | %d / %d | %d / %d | %d / %d ms | %d / %d ms | %s |",
                split.share(), all == 0 ? 0.0 : canary.requests() * 100.0 / all, canary.requests(), stable.requests(), canary.failed(), stable.failed(),
                canary.p50Millis(), canary.p99Millis(), stable.p50Millis(), stable.p99Millis(),
                verdict.outcome().name().toLowerCase(Locale.ROOT) + (verdict.why().isEmpty() ? "" : ": " + verdict.why())));
    }

    /** The table's lines, a header first. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>(List.of(
                "| step | share measured | requests canary / stable | failed canary / stable | canary p50 / p99 | stable p50 / p99 | verdict |",
                "|---|---|---|---|---|---|---|"));
        lines.addAll(rows);
        return lines;
    }
}
