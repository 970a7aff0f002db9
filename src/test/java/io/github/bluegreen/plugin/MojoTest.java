package io.github.bluegreen.plugin;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoParameter;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mojos map parameters in and core exceptions out; each error names the parameter to fix. */
@org.apache.maven.api.plugin.testing.MojoTest
class MojoTest {
    private static final String POM = "src/test/resources/unit/pom.xml";
    private static final Path BASE = Path.of("target/mojo-tests/base");

    @BeforeEach
    void emptyServer() throws Exception {
        Files.createDirectories(BASE);
        Files.deleteIfExists(BASE.resolve("deploy.lock"));
        Files.deleteIfExists(BASE.resolve("state.properties"));
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "skip", value = "true")
    void skipDoesNothing(DetectMojo mojo) throws Exception {
        mojo.execute();   // no host is configured: anything but skipping would fail
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    void sshWithoutAHostNamesTheParameter(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("bluegreen.host (or bluegreen.hosts) is required"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "start", pom = POM)
    @MojoParameter(name = "host", value = "127.0.0.1")
    @MojoParameter(name = "sshPort", value = "1")
    @MojoParameter(name = "artifact", value = "target/mojo-tests/no-such.jar")
    void aMissingArtifactFailsBeforeConnecting(StartMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("no-such.jar, does not exist or is unreadable"), e.getMessage());
        assertTrue(e.getMessage().contains("(parameter bluegreen.artifact)"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "probeTimeoutMillis", value = "0")
    void aZeroTimeoutIsRefusedNotTakenAsNoLimit(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("bluegreen.probeTimeoutMillis must be at least 1: 0 (parameter bluegreen.probeTimeoutMillis)"),
                e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "baseDir", value = "bluegreen/app")
    void aRelativeBaseDirIsRefused(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("bluegreen.baseDir must be an absolute path or start with ~/"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "appName", value = "..")
    void anAppNameThatIsAPathIsRefused(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("bluegreen.appName must be a plain name"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "proofUrl", value = "http://127.0.0.1:80/a%zz")
    void aProofUrlThatIsNoUriIsRefusedBeforeAnythingRuns(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("bluegreen.proofUrl must be an http:// URL"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "host", value = "127.0.0.1")
    @MojoParameter(name = "serverId", value = "nowhere")
    void anUnknownServerIdNamesTheParameter(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("settings.xml has no <server> with <id>nowhere</id>"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "host", value = "127.0.0.1")
    void aMissingKnownHostsFileSaysHowToTrustTheHost(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("ssh-keyscan -p 22 127.0.0.1 >> "), e.getMessage());
        assertTrue(e.getMessage().contains("(parameter bluegreen.knownHosts)"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "transport", value = "local")
    @MojoParameter(name = "greenPort", value = "8080")
    void equalPortsAreRejected(DetectMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("must be two different TCP ports"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "detect", pom = POM)
    @MojoParameter(name = "transport", value = "local")
    void aLockHeldByARunningDeployIsAFailureVerdict(DetectMojo mojo) throws Exception {
        Files.writeString(BASE.resolve("deploy.lock"), "deployId=other\nuser=ann\nhost=" + InetAddress.getLocalHost().getHostName()
                + "\npid=" + ProcessHandle.current().pid() + "\nsince=2026-01-01T00:00:00Z\n");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().startsWith("another deploy is running: deploy other by ann@"), e.getMessage());
    }

    @Test
    @InjectMojo(goal = "healthcheck", pom = POM)
    @MojoParameter(name = "transport", value = "local")
    void aGoalWithoutADeployInProgressSaysWhatToRun(HealthcheckMojo mojo) {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, mojo::execute);
        assertTrue(e.getMessage().contains("does not exist. Run bluegreen:detect first"), e.getMessage());
    }
}
