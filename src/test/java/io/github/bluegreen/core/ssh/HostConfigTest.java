package io.github.bluegreen.core.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.OpenSSHConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A host as OpenSSH's client resolves it: the plugin's parameters win, then the ssh config, then OpenSSH's defaults. */
class HostConfigTest {
    private static final Path HOME = Path.of("/home/ci");
    private static final String CONFIG = """
            Host app
              HostName app1.internal.example
              User deploy
              Port 2222
              IdentityFile ~/.ssh/deploy_ed25519
              IdentitiesOnly yes
              ProxyJump jump@bastion.example:2200, second
              UserKnownHostsFile ~/.ssh/known_hosts.d/prod "~/ignored"
              StrictHostKeyChecking accept-new   # refuses unknown keys here: JSch cannot accept them safely
            Host second
              HostName 10.0.0.9
              IdentityFile "~/.ssh/second key"
              StrictHostKeyChecking no
            Host *
              IdentityAgent ~/.ssh/agent.sock
            """;

    private static SshConfig ssh(String host) {
        return new SshConfig(host, null, null, null, null, null, null, null, 15, null, null, null);
    }

    @Test
    void anAliasTakesEverythingFromItsHostBlock() throws Exception {
        HostConfig app = HostConfig.target(ssh("app"), OpenSSHConfig.parse(CONFIG), HOME, "runner", "/run/agent");
        assertEquals("app1.internal.example", app.hostName());
        assertEquals(2222, app.port());
        assertEquals("deploy", app.user());
        assertEquals(List.of(Path.of("/home/ci/.ssh/deploy_ed25519")), app.identityFiles());
        assertTrue(app.identitiesOnly());
        assertEquals(Path.of("/home/ci/.ssh/known_hosts.d/prod"), app.knownHosts());
        assertTrue(app.strict(), "accept-new: an unknown key is refused, with how to trust it");
        assertEquals(Path.of("/home/ci/.ssh/agent.sock"), app.identityAgent(), "IdentityAgent of Host *");
        assertEquals(List.of("jump@bastion.example:2200", "second"), app.proxyJump());
    }

    @Test
    void theParametersWinWhereBothSaySomething() throws Exception {
        SshConfig set = new SshConfig("app", 22, "ops", Path.of("/keys/ops"), null, null, Path.of("/pinned/known_hosts"), false, 15, null,
                "none", null);
        HostConfig app = HostConfig.target(set, OpenSSHConfig.parse(CONFIG), HOME, "runner", null);
        assertEquals("app1.internal.example", app.hostName(), "the alias still names the host");
        assertEquals(22, app.port());
        assertEquals("ops", app.user());
        assertEquals(List.of(Path.of("/keys/ops")), app.identityFiles());
        assertEquals(Path.of("/pinned/known_hosts"), app.knownHosts());
        assertFalse(app.strict());
        assertTrue(app.proxyJump().isEmpty(), "bluegreen.proxyJump=none: direct");
    }

    @Test
    void withoutAConfigOpenSshsDefaultsApply() {
        HostConfig plain = HostConfig.target(ssh("192.0.2.10"), null, HOME, "runner", null);
        assertEquals("192.0.2.10", plain.hostName());
        assertEquals(22, plain.port());
        assertEquals("runner", plain.user());
        assertEquals(Path.of("/home/ci/.ssh/known_hosts"), plain.knownHosts());
        assertTrue(plain.strict());
        assertNull(plain.identityAgent(), "no SSH_AUTH_SOCK: no agent");
        assertTrue(plain.proxyJump().isEmpty());
    }

    @Test
    void eachJumpHostHasItsOwnBlockAndElseTheServersSettings() throws Exception {
        OpenSSHConfig config = OpenSSHConfig.parse(CONFIG);
        HostConfig app = HostConfig.target(ssh("app"), config, HOME, "runner", null);
        HostConfig first = HostConfig.jump("jump@bastion.example:2200", config, app, HOME, "runner");
        assertEquals("bastion.example", first.hostName());
        assertEquals(2200, first.port());
        assertEquals("jump", first.user());
        assertEquals(app.knownHosts(), first.knownHosts(), "no block of its own: the server's known_hosts");
        assertEquals(app.identityFiles(), first.identityFiles());
        HostConfig second = HostConfig.jump("second", config, app, HOME, "runner");
        assertEquals("10.0.0.9", second.hostName());
        assertEquals(22, second.port());
        assertEquals("runner", second.user());
        assertEquals(List.of(Path.of("/home/ci/.ssh/second key")), second.identityFiles(), "quotes are not part of the path");
        assertFalse(second.strict());
    }
}
