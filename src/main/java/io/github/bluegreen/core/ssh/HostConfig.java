package io.github.bluegreen.core.ssh;

import com.jcraft.jsch.ConfigRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One hop of an SSH connection, resolved as OpenSSH's client would: the plugin's own parameters where they are set, else
 * the {@code Host} block of the OpenSSH client config that matches the name (read by JSch's {@code OpenSSHConfig}),
 * else OpenSSH's defaults.
 *
 * @param name          what the user wrote: a host, an address or an alias (for messages)
 * @param identityFiles the key files to offer, after the agent's keys (none: no file)
 * @param identitiesOnly offer only the key files, not the agent's keys (IdentitiesOnly)
 * @param strict        verify the host key (StrictHostKeyChecking no: false; yes, ask and accept-new: true, an unknown key
 *                      is refused with how to trust it)
 * @param identityAgent the SSH agent's socket, or null: none
 * @param proxyJump     the jump hosts before this one, in order ({@code [user@]host[:port]}), empty: direct
 */
record HostConfig(String name, String hostName, int port, String user, List<Path> identityFiles, boolean identitiesOnly, Path knownHosts,
        boolean strict, Path identityAgent, List<String> proxyJump) {

    /** The server: the parameters of {@code ssh} win where set, then the config's block for its name, then the defaults. */
    static HostConfig target(SshConfig ssh, ConfigRepository file, Path home, String localUser, String agentSocket) {
        ConfigRepository.Config block = file == null ? null : file.getConfig(ssh.host());
        String hostName = orElse(value(block == null ? null : block.getHostname()), ssh.host());
        int port = ssh.port() != null ? ssh.port() : block != null && block.getPort() > 0 ? block.getPort() : 22;
        String user = ssh.user() != null ? ssh.user() : orElse(value(block == null ? null : block.getUser()), localUser);
        List<Path> files = ssh.identityFile() != null ? List.of(ssh.identityFile()) : identityFiles(block, home);
        Path knownHosts = ssh.knownHosts() != null ? ssh.knownHosts() : knownHosts(block, home);
        boolean strict = ssh.strictHostKeyChecking() != null ? ssh.strictHostKeyChecking() : strict(block);
        List<String> jumps = ssh.proxyJump() != null ? jumps(ssh.proxyJump()) : jumps(value(block, "ProxyJump"));
        return new HostConfig(ssh.host(), hostName, port, user, files, yes(value(block, "IdentitiesOnly")), knownHosts, strict,
                agent(block, home, agentSocket), jumps);
    }

    /**
     * A jump host, from a ProxyJump entry {@code [user@]host[:port]}: what the entry says, then the config's block for its
     * host, then the target's known_hosts file, host key checking and keys (as OpenSSH does with one config for all hops).
     */
    static HostConfig jump(String entry, ConfigRepository file, HostConfig target, Path home, String localUser) {
        String user = entry.contains("@") ? entry.substring(0, entry.lastIndexOf('@')) : null;
        String rest = entry.substring(entry.lastIndexOf('@') + 1);
        Integer port = null;
        if (rest.matches(".*:\\d+")) {
            port = Integer.valueOf(rest.substring(rest.lastIndexOf(':') + 1));
            rest = rest.substring(0, rest.lastIndexOf(':'));
        }
        ConfigRepository.Config block = file == null ? null : file.getConfig(rest);
        List<Path> files = identityFiles(block, home);
        return new HostConfig(rest, orElse(value(block == null ? null : block.getHostname()), rest),
                port != null ? port : block != null && block.getPort() > 0 ? block.getPort() : 22,
                user != null ? user : orElse(value(block == null ? null : block.getUser()), localUser),
                files.isEmpty() ? target.identityFiles() : files,
                block != null && value(block, "IdentitiesOnly") != null ? yes(value(block, "IdentitiesOnly")) : target.identitiesOnly(),
                value(block, "UserKnownHostsFile") != null ? knownHosts(block, home) : target.knownHosts(),
                value(block, "StrictHostKeyChecking") != null ? strict(block) : target.strict(), target.identityAgent(), List.of());
    }

    /** For messages: {@code user@host:port}. */
    String address() {
        return user + "@" + hostName + ":" + port;
    }

    private static List<Path> identityFiles(ConfigRepository.Config block, Path home) {
        String[] values = block == null ? null : block.getValues("IdentityFile");
        if (values != null && values.length > 0) {
            return Arrays.stream(values).map(HostConfig::unquote).map(value -> path(value, home)).toList();
        }
        List<Path> defaults = new ArrayList<>();
        for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {   // OpenSSH's default keys that exist
            Path key = home.resolve(".ssh").resolve(name);
            if (Files.isReadable(key)) {
                defaults.add(key);
            }
        }
        return defaults;
    }

    private static Path knownHosts(ConfigRepository.Config block, Path home) {
        String value = value(block, "UserKnownHostsFile");
        // OpenSSH takes several files; the first is the one kept (and the one written)
        return path(value == null ? "~/.ssh/known_hosts" : value.split("\\s+")[0], home);
    }

    private static boolean strict(ConfigRepository.Config block) {
        String value = value(block, "StrictHostKeyChecking");
        return value == null || !List.of("no", "off", "false").contains(value.toLowerCase(Locale.ROOT));
    }

    private static Path agent(ConfigRepository.Config block, Path home, String agentSocket) {
        String value = value(block, "IdentityAgent");
        if (value == null || value.equals("SSH_AUTH_SOCK")) {
            return agentSocket == null || agentSocket.isBlank() ? null : Path.of(agentSocket);
        }
        return value.equalsIgnoreCase("none") ? null : path(value, home);
    }

    private static List<String> jumps(String value) {
        return value == null || value.isBlank() || value.equalsIgnoreCase("none") ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(hop -> !hop.isEmpty()).toList();
    }

    /** A path of the config: ~ and %d are the home directory. */
    private static Path path(String value, Path home) {
        String expanded = value.startsWith("~/") ? home + value.substring(1) : value.replace("%d", home.toString());
        return Path.of(expanded);
    }

    private static String value(ConfigRepository.Config block, String key) {
        return block == null ? null : value(block.getValue(key));
    }

    /** JSch keeps a value as written: quotes and a trailing comment are not the value. */
    private static String value(String raw) {
        if (raw == null) {
            return null;
        }
        String value = raw.strip();
        if (!value.startsWith("\"") && value.contains(" #")) {
            value = value.substring(0, value.indexOf(" #")).strip();
        }
        value = unquote(value);
        return value.isEmpty() ? null : value;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private static boolean yes(String value) {
        return value != null && value.equalsIgnoreCase("yes");
    }

    private static String orElse(String value, String otherwise) {
        return value != null ? value : otherwise;
    }
}
