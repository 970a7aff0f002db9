package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd runner's template unit and the environment file both runners read. */
class SystemdUnitTest {
    @TempDir
    Path tmp;

    @Test
    void theTemplateUnitRunsTheReleaseOfTheInstanceEnvironmentFile() {
        DeployConfig config = new DeployConfig(
                new DeployConfig.App("pium", "~/bluegreen/pium", List.of(8080, 8081),
                        List.of("java", "-Xmx512m", "-Dname=it's \"x\" 100% $HOME", "-jar", "{jar}", "--server.port={port}"),
                        Map.of(), Duration.ofSeconds(30), 3, Duration.ZERO, DeployConfig.Runner.SYSTEMD),
                new DeployConfig.Health("/actuator/health", Duration.ofSeconds(120), Duration.ofSeconds(2), Duration.ofMillis(100)),
                new DeployConfig.Nginx("/etc/nginx/service-url.inc", "/run/nginx.pid", List.of("nginx", "-t"), List.of("nginx", "-s", "reload"),
                        Duration.ofSeconds(10), Duration.ofSeconds(60), ""),
                Path.of("app.jar"), DeployConfig.Lock.DEFAULT, DeployConfig.Hooks.NONE, DeployConfig.Traffic.NONE, false);
        assertEquals("""
                # Written by bluegreen-maven-plugin at every start (a change applies to instances started afterwards).
                [Unit]
                Description=pium on port %i (bluegreen-maven-plugin)
                After=network.target

                [Service]
                Type=exec
                WorkingDirectory=/home/deploy/bluegreen/pium
                EnvironmentFile=/home/deploy/bluegreen/pium/instances/%i.env
                ExecStart="java" "-Xmx512m" "-Dname=it's \\"x\\" 100%% $$HOME" "-jar" "${BLUEGREEN_JAR}" "--server.port=%i"
                SuccessExitStatus=143
                Restart=on-failure
                RestartSec=1
                TimeoutStopSec=30
                KillSignal=SIGTERM
                UMask=0077""", SystemdUnit.text(config, new ServerLayout("/home/deploy/bluegreen/pium")));
    }

    @Test
    void theEnvironmentFileGivesAShellTheExactValues() throws Exception {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("PLAIN", "prod");
        variables.put("TRICKY", "it's \"quoted\" $HOME `date` \\ back\nsecond line %i");
        Path file = tmp.resolve("app.env");
        Files.writeString(file, StartStep.environmentFile("/srv/my app/releases/r1/app.jar", variables));
        Process sh = new ProcessBuilder("sh", "-c", "set -a; . \"$1\"; printf '%s|%s|%s' \"$BLUEGREEN_JAR\" \"$PLAIN\" \"$TRICKY\"", "sh",
                file.toString()).start();
        String read = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, sh.waitFor());
        assertEquals("/srv/my app/releases/r1/app.jar|prod|" + variables.get("TRICKY"), read);
    }
}
