package io.github.bluegreen.core;

import java.util.LinkedHashMap;
import java.util.Map;

/** Exit code and output of a command run through a {@link Transport}. */
public record ExecResult(int exitCode, String stdout, String stderr) {

    /** The {@code key=value} lines of stdout (the output format of server.sh); other lines are ignored. */
    public Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.substring(0, eq).contains(" ")) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** stdout and stderr as one text for error messages, trimmed. */
    public String output() {
        return (stdout + (stderr.isBlank() ? "" : "\n" + stderr)).trim();
    }
}
