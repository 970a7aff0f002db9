package io.github.bluegreen.plugin;

import io.github.bluegreen.core.SetupException;
import io.github.bluegreen.core.ssh.SshConfig;
import java.io.File;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/** SSH settings from the goal's parameters and, with {@code bluegreen.serverId}, a decrypted settings.xml {@code <server>}. */
final class ServerCredentials {
    private final Settings settings;
    private final SettingsDecrypter decrypter;

    ServerCredentials(Settings settings, SettingsDecrypter decrypter) {
        this.settings = settings;
        this.decrypter = decrypter;
    }

    SshConfig sshConfig(String serverId, String host, Integer port, String user, File identityFile, File knownHosts,
            Boolean strictHostKeyChecking, int connectTimeoutSeconds, String proxyJump, File sshConfig) throws SetupException {
        String password = null;
        String passphrase = null;
        if (serverId != null && !serverId.isBlank()) {
            Server server = settings == null ? null : settings.getServer(serverId);
            if (server == null) {
                throw new SetupException("bluegreen.serverId", "settings.xml has no <server> with <id>" + serverId + "</id>");
            }
            SettingsDecryptionResult result = decrypter.decrypt(new DefaultSettingsDecryptionRequest(server));
            for (SettingsProblem problem : result.getProblems()) {
                if (problem.getSeverity() != SettingsProblem.Severity.WARNING) {
                    throw new SetupException("bluegreen.serverId", "cannot decrypt <server> " + serverId + " in settings.xml: "
                            + problem.getMessage());
                }
            }
            server = result.getServer();
            user = server.getUsername() != null ? server.getUsername() : user;
            password = server.getPassword();
            passphrase = server.getPassphrase();
            identityFile = server.getPrivateKey() != null ? new File(server.getPrivateKey()) : identityFile;
        }
        return new SshConfig(host, port, user, identityFile == null ? null : identityFile.toPath(), passphrase, password,
                knownHosts == null ? null : knownHosts.toPath(), strictHostKeyChecking, connectTimeoutSeconds,
                serverId == null || serverId.isBlank() ? null : serverId, proxyJump == null || proxyJump.isBlank() ? null : proxyJump,
                sshConfig == null ? null : sshConfig.toPath());
    }
}
