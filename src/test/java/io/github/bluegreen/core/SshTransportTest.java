package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bluegreen.core.ssh.SshConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What SshTransport says before it touches the network. */
class SshTransportTest {
    @TempDir
    Path tmp;

    @Test
    void aWrongPassphraseNamesWhereTheKeyAndPassphraseCameFrom() throws Exception {
        Path key = tmp.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "right", "-f", key.toString()).start();
        assertEquals(0, keygen.waitFor());
        DeployLog quiet = new DeployLog() {
            @Override public void info(String message) {}
            @Override public void warn(String message) {}
            @Override public void debug(String message) {}
        };

        SshConfig fromSettings = new SshConfig("127.0.0.1", 1, "deploy", key, "wrong", null, tmp.resolve("known_hosts"), false, 5, "app1",
                null, null);
        SetupException e = assertThrows(SetupException.class, () -> SshTransport.connect(fromSettings, quiet));
        assertEquals("bluegreen.serverId", e.parameter());
        assertTrue(e.getMessage().contains("check the passphrase in the settings.xml <server> app1"), e.getMessage());

        SshConfig fromParameter = new SshConfig("127.0.0.1", 1, "deploy", key, "wrong", null, tmp.resolve("known_hosts"), false, 5, null,
                null, null);
        assertEquals("bluegreen.identityFile", assertThrows(SetupException.class, () -> SshTransport.connect(fromParameter, quiet)).parameter());
    }
}
