package io.github.bluegreen.core;

import java.util.stream.Collectors;

/**
 * The template unit {@code <appName>@.service} of the systemd runner: one instance per port ({@code %i}), the jar of the
 * release from the instance's environment file ({@code BLUEGREEN_JAR}), restarted when it crashes, stopped with SIGTERM
 * and SIGKILL after the stop timeout. The server installs it (with {@code [Install]} for its scope) when it changed.
 */
final class SystemdUnit {
    private SystemdUnit() {}

    static String text(DeployConfig config, ServerLayout layout) {
        String exec = config.app().command().stream().map(SystemdUnit::word).collect(Collectors.joining(" "));
        return String.join("\n",
                "# Written by bluegreen-maven-plugin at every start (a change applies to instances started afterwards).",
                "[Unit]",
                "Description=" + config.app().name() + " on port %i (bluegreen-maven-plugin)",
                "After=network.target",
                "",
                "[Service]",
                "Type=exec",
                "WorkingDirectory=" + path(layout.base()),
                // the release's jar and the app's variables; readable only by the deploy user
                "EnvironmentFile=" + path(layout.base()) + "/instances/%i.env",
                "ExecStart=" + exec,
                "SuccessExitStatus=143",   // the JVM's exit code after SIGTERM
                "Restart=on-failure",
                "RestartSec=1",
                "TimeoutStopSec=" + config.app().stopTimeout().toSeconds(),
                "KillSignal=SIGTERM",
                "UMask=0077");
    }

    /** One word of ExecStart, quoted: systemd reads it back as the word, {jar} and {port} replaced. */
    static String word(String word) {
        String quoted = word.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("%", "%%").replace("$", "$$");
        return "\"" + quoted.replace("{jar}", "${BLUEGREEN_JAR}").replace("{port}", "%i") + "\"";
    }

    private static String path(String path) {
        return path.replace("%", "%%");
    }
}
