package io.github.bluegreen.core.ssh;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.UnixDomainSocketFactory;
import io.github.bluegreen.core.SetupException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Vector;

/**
 * The keys one hop offers the server, in OpenSSH's order: the SSH agent's (unless IdentitiesOnly), then the key files.
 * Each key the server is offered is remembered, so that a refusal names them and where they came from. A read-only view:
 * JSch's {@code add}/{@code remove} never reach the user's agent.
 */
final class Identities implements IdentityRepository {
    private final List<Identity> identities = new ArrayList<>();
    private final Set<String> offered = Collections.synchronizedSet(new LinkedHashSet<>());
    private final List<String> notes = new ArrayList<>();

    /**
     * @param keyParameter the setting to fix when a key file cannot be used, {@code keyOrigin} where it came from (messages)
     */
    static Identities of(HostConfig hop, String passphrase, String keyParameter, String keyOrigin) throws SetupException {
        Identities all = new Identities();
        if (hop.identityAgent() != null && !hop.identitiesOnly()) {
            all.addAgent(hop.identityAgent());
        }
        byte[] secret = passphrase == null ? null : passphrase.getBytes(StandardCharsets.UTF_8);
        for (Path file : hop.identityFiles()) {
            all.addFile(file, secret, passphrase != null, keyParameter, keyOrigin);
        }
        if (all.identities.isEmpty()) {
            throw new SetupException(keyParameter, "no SSH key to offer " + hop.address() + ": " + all.describeSources()
                    + ". Set bluegreen.identityFile, a settings.xml <server> with bluegreen.serverId, an IdentityFile in the ssh config,"
                    + " or load a key into an SSH agent (SSH_AUTH_SOCK)");
        }
        return all;
    }

    private void addAgent(Path socket) {
        try {
            IdentityRepository agent = new AgentIdentityRepository(new SSHAgentConnector(new UnixDomainSocketFactory(), socket));
            if (agent.getStatus() != IdentityRepository.RUNNING) {
                notes.add("the SSH agent at " + socket + " does not answer");
                return;
            }
            Vector<Identity> keys = agent.getIdentities();
            notes.add("the SSH agent at " + socket + " holds " + keys.size() + (keys.size() == 1 ? " key" : " keys"));
            keys.forEach(key -> identities.add(recorded(key, "agent " + socket + (key.getName().isBlank() ? "" : ", " + key.getName()))));
        } catch (AgentProxyException | RuntimeException e) {
            notes.add("the SSH agent at " + socket + " cannot be used (" + e.getMessage() + ")");
        }
    }

    private void addFile(Path file, byte[] passphrase, boolean hasPassphrase, String keyParameter, String keyOrigin) throws SetupException {
        if (!Files.isReadable(file)) {
            throw new SetupException(keyParameter, "SSH key " + file + " (from " + keyOrigin + ") does not exist or is unreadable");
        }
        JSch reader = new JSch();   // a JSch of its own reads the file: the hop's repository stays this one
        try {
            reader.addIdentity(file.toString(), passphrase);
        } catch (JSchException e) {
            throw new SetupException(keyParameter, "cannot use SSH key " + file + ": " + e.getMessage()
                    + (hasPassphrase ? " (check the passphrase in " + keyOrigin + ")" : " (if it has a passphrase, give it in settings.xml <passphrase>)"), e);
        }
        for (Identity key : reader.getIdentityRepository().getIdentities()) {
            if (key.isEncrypted()) {
                throw new SetupException(keyParameter, "SSH key " + file + " is protected by a passphrase: give it in settings.xml"
                        + " <passphrase> (bluegreen.serverId), or load the key into an SSH agent");
            }
            identities.add(recorded(key, "file " + file));
        }
    }

    /** A key that notes when its public half is offered to the server. */
    private Identity recorded(Identity key, String source) {
        return new Identity() {
            @Override
            public boolean setPassphrase(byte[] passphrase) throws JSchException {
                return key.setPassphrase(passphrase);
            }

            @Override
            public byte[] getPublicKeyBlob() {
                byte[] blob = key.getPublicKeyBlob();
                if (blob != null) {
                    offered.add(key.getAlgName() + " " + fingerprint(blob) + " (" + source + ")");
                }
                return blob;
            }

            @Override
            public byte[] getSignature(byte[] data) {
                return key.getSignature(data);
            }

            @Override
            public byte[] getSignature(byte[] data, String algorithm) {
                return key.getSignature(data, algorithm);
            }

            @Override
            public boolean decrypt() {
                return key.decrypt();
            }

            @Override
            public String getAlgName() {
                return key.getAlgName();
            }

            @Override
            public String getName() {
                return key.getName();
            }

            @Override
            public boolean isEncrypted() {
                return key.isEncrypted();
            }

            @Override
            public void clear() {
                key.clear();
            }
        };
    }

    /** For a refusal: the keys offered, with where each came from, and what the agent said. */
    String describeOffered() {
        List<String> parts;
        synchronized (offered) {
            parts = new ArrayList<>(offered);
        }
        return (parts.isEmpty() ? "no key was offered" : "offered " + String.join(", ", parts))
                + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
    }

    private String describeSources() {
        return notes.isEmpty() ? "no key file and no SSH agent (SSH_AUTH_SOCK is not set)" : String.join("; ", notes) + ", no key file";
    }

    /** As ssh-keygen -l prints it: SHA256 of the public key blob, base64 without padding. */
    static String fingerprint(byte[] blob) {
        try {
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String getName() {
        return "bluegreen";
    }

    @Override
    public int getStatus() {
        return RUNNING;
    }

    @Override
    public Vector<Identity> getIdentities() {
        return new Vector<>(identities);
    }

    @Override
    public boolean add(byte[] identity) {
        return false;
    }

    @Override
    public boolean remove(byte[] blob) {
        return false;
    }

    @Override
    public void removeAll() {
        // read-only: never the user's agent
    }
}
