package io.github.bluegreen.core;

import java.nio.file.Path;

/**
 * How to reach the server over SSH. Secrets (password, key passphrase) never appear in
 * {@link #toString()}.
 *
 * @param identityFile private key file, or null for the user's default keys
 * @param knownHosts   known_hosts file used to verify the server's host key
 * @param strictHostKeyChecking false accepts any host key (an explicit, logged choice)
 * @param serverId     the settings.xml {@code <server>} the key, passphrase or password came from, or null
 */
public record SshConfig(String host, int port, String user, Path identityFile, String passphrase,
        String password, Path knownHosts, boolean strictHostKeyChecking, int connectTimeoutSeconds, String serverId) {

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
                + ", strictHostKeyChecking=" + strictHostKeyChecking + "]";
    }
}
