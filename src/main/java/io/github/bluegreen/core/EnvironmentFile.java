package io.github.bluegreen.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The app's secrets, read from a file on the deploying machine when the goal runs ({@code bluegreen.environmentFile}),
 * so that they never pass through Maven's configuration (which {@code mvn -X} prints): {@code NAME=value} lines (the
 * value as it is, to the end of the line), or a {@code NAME} alone to take its value from this process's environment
 * (a CI secret); blank lines and {@code #} comments are skipped. No value is ever put into a message.
 */
public final class EnvironmentFile {
    private static final String PARAMETER = "bluegreen.environmentFile";

    private EnvironmentFile() {}

    /** @param processEnvironment this process's environment variables (System::getenv) */
    public static Map<String, String> read(Path file, UnaryOperator<String> processEnvironment) throws SetupException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SetupException(PARAMETER, "cannot read the environment file " + file + ": " + e.getClass().getSimpleName());
        }
        Map<String, String> variables = new LinkedHashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            String name = equals < 0 ? line : line.substring(0, equals).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new SetupException(PARAMETER, file + " line " + (n + 1) + ": '" + name + "' is not an environment variable name"
                        + " (write NAME=value, or NAME to take it from this process's environment)");
            }
            String value = equals < 0 ? processEnvironment.apply(name) : lines.get(n).substring(lines.get(n).indexOf('=') + 1);
            if (value == null) {
                throw new SetupException(PARAMETER, file + " line " + (n + 1) + ": " + name + " is not set in the environment of this"
                        + " build (export it, e.g. from a CI secret)");
            }
            variables.put(name, value);
        }
        return variables;
    }
}
