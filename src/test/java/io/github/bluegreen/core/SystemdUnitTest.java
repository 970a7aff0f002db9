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

/** The systemd runner's template unit, an instance's drop-in, and the environment file both runners read. */
class SystemdUnitTest {
    @TempDir
    Path tmp;

    @Test
    void theTemplateNamesItsOwnerAndEachInstanceRunsTheReleaseOfItsEnvironmentFile() {
        DeployConfig config = new DeployConfig(
                new DeployConfig.App("pium", "~/bluegreen/pium", List.of(8080, 8081),
                        List.of("java", "-Xmx512m", "-Dname=it's \"x\" 100% $HOME", "-jar", "{jar}", "--server.port={port}"),
                        Map.of(), Duration.ofSeconds(30), 3, Duration.ZERO, DeployConfig.Runner.SYSTEMD, "0027"),
                new DeployConfig.Health("/actuator/health", Duration.ofSeconds(120), Duration.ofSeconds(2), Duration.ofMillis(100)),
                new DeployConfig.Nginx("/etc/nginx/service-url.inc", "/run/nginx.pid", List.of("nginx", "-t"), List.of("nginx", "-s", "reload"),
                        Duration.ofSeconds(10), Duration.ofSeconds(60), "", ""),
                Path.of("app.jar"), DeployConfig.Lock.DEFAULT, DeployConfig.Hooks.NONE, DeployConfig.Traffic.NONE, false);
        ServerLayout layout = new ServerLayout("/home/deploy/bluegreen/pium");
        assertEquals("""
                # Written once by bluegreen-maven-plugin; each instance's settings are in its drop-in pium@<port>.service.d/instance.conf, written when a deploy starts it.
                [Unit]
                Description=pium on port %i (bluegreen-maven-plugin)
                After=network.target
                X-BluegreenBase=/home/deploy/bluegreen/pium

                [Service]
                Type=exec""", SystemdUnit.template(config, layout));
        assertEquals("""
                # Written by bluegreen-maven-plugin when a deploy started this instance.
                [Service]
                WorkingDirectory=/home/deploy/bluegreen/pium
                EnvironmentFile=
                EnvironmentFile=/home/deploy/bluegreen/pium/instances/%i.env
                ExecStart=
                ExecStart="java" "-Xmx512m" "-Dname=it's \\"x\\" 100%% $$HOME" "-jar" "${BLUEGREEN_JAR}" "--server.port=%i"
                SuccessExitStatus=143
                Restart=on-failure
                RestartSec=1
                TimeoutStopSec=30
                KillSignal=SIGTERM
                UMask=0027""", SystemdUnit.instance(config, layout));
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
