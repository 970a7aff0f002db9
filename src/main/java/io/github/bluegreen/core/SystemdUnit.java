package io.github.bluegreen.core;

import java.util.stream.Collectors;

/**
 * The systemd runner's units: a template {@code <appName>@.service} (one instance per port, {@code %i}), written once and
 * never changed, and each instance's settings in its own drop-in {@code <appName>@<port>.service.d/instance.conf},
 * written when a deploy starts that instance: the jar of the release from the instance's environment file
 * ({@code BLUEGREEN_JAR}), restarted when it crashes, stopped with SIGTERM and SIGKILL after the stop timeout. A deploy
 * so never changes what the live instance runs, not even at its next restart.
 */
final class SystemdUnit {
    private SystemdUnit() {}

    /** The template: names the base directory whose deploys own it (the server refuses another's). */
    static String template(DeployConfig config, ServerLayout layout) {
        return String.join("\n",
                "# Written once by bluegreen-maven-plugin; each instance's settings are in its drop-in " + config.app().name()
                        + "@<port>.service.d/instance.conf, written when a deploy starts it.",
                "[Unit]",
                "Description=" + config.app().name() + " on port %i (bluegreen-maven-plugin)",
                "After=network.target",
                "X-BluegreenBase=" + path(layout.base()),
                "",
                "[Service]",
                "Type=exec");
    }

    /** One instance's drop-in: every setting of its own (lists reset first: a template written earlier may set them). */
    static String instance(DeployConfig config, ServerLayout layout) {
        return instance(config, layout, config.app().command());
    }

    /** @param command the start command's words, {jar} and {port} not yet replaced */
    static String instance(DeployConfig config, ServerLayout layout, java.util.List<String> command) {
        String exec = command.stream().map(SystemdUnit::word).collect(Collectors.joining(" "));
        return String.join("\n",
                "# Written by bluegreen-maven-plugin when a deploy started this instance.",
                "[Service]",
                "WorkingDirectory=" + path(layout.base()),
                // the release's jar and the app's variables; readable only by the deploy user
                "EnvironmentFile=",
                "EnvironmentFile=" + path(layout.base()) + "/instances/%i.env",
                "ExecStart=",
                "ExecStart=" + exec,
                "SuccessExitStatus=143",   // the JVM's exit code after SIGTERM
                "Restart=on-failure",
                "RestartSec=1",
                "TimeoutStopSec=" + config.app().stopTimeout().toSeconds(),
                "KillSignal=SIGTERM",
                "UMask=" + config.app().umask());
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
