package io.github.bluegreen.core.ssh;

import java.nio.file.Path;

/**
 * How to reach the server over SSH, as the user configured it: every value that is null was not set, and comes from the
 * OpenSSH client config ({@code sshConfigFile}) or OpenSSH's default (see {@link HostConfig}). Secrets (password, key
 * passphrase) never appear in {@link #toString()}.
 *
 * @param host          a host name, an address, or a {@code Host} alias of the OpenSSH client config
 * @param identityFile  private key file, or null: the config's IdentityFile, the SSH agent's keys, the default key files
 * @param knownHosts    known_hosts file used to verify the server's host key, or null: the config's, else ~/.ssh/known_hosts
 * @param strictHostKeyChecking false accepts any host key (an explicit, logged choice); null: the config's, else true
 * @param proxyJump     jump hosts ({@code [user@]host[:port]}, comma separated), or null: the config's ProxyJump
 * @param serverId      the settings.xml {@code <server>} the key, passphrase or password came from, or null
 * @param sshConfigFile the OpenSSH client config, or null: none
 */
public record SshConfig(String host, Integer port, String user, Path identityFile, String passphrase, String password, Path knownHosts,
        Boolean strictHostKeyChecking, int connectTimeoutSeconds, String serverId, String proxyJump, Path sshConfigFile) {

    /** The setting a user fixes when the key or its passphrase is wrong. */
    String keyParameter() {
        return serverId == null ? "bluegreen.identityFile" : "bluegreen.serverId";
    }

    /** Where the key and its passphrase come from, for messages. */
    String keyOrigin() {
        return serverId == null ? "bluegreen.identityFile" : "the settings.xml <server> " + serverId + " (<privateKey>, <passphrase>)";
    }

    @Override
    public String toString() {
        return "SshConfig[" + user + "@" + host + ":" + port + ", identityFile=" + identityFile
                + ", passphrase=" + (passphrase == null ? "none" : "***")
                + ", password=" + (password == null ? "none" : "***") + ", knownHosts=" + knownHosts
                + ", strictHostKeyChecking=" + strictHostKeyChecking + ", proxyJump=" + proxyJump + ", sshConfigFile=" + sshConfigFile + "]";
    }
}
