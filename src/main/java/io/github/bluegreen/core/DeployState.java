package io.github.bluegreen.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state file on the server ({@code state.properties}): what is live, what is being deployed, and how far
 * the current deploy got. It is what lets the five goals run as separate Maven invocations.
 */
public final class DeployState {
    private final Map<String, String> values = new TreeMap<>();

    /** Parses the file; a value that cannot be right (unknown phase, non-numeric port) makes it corrupt. */
    public static DeployState parse(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a properties file: " + e.getMessage(), e);
        }
        DeployState state = new DeployState();
        properties.forEach((key, value) -> state.values.put((String) key, (String) value));
        if (state.get("phase") != null) {
            state.phase();
        }
        for (String role : new String[] {"live", "target", "previous", "stale", "rollback"}) {
            state.instance(role);
        }
        return state;
    }

    /** The file's text: sorted {@code key=value} lines, escaped as {@link Properties} does. */
    public String text() {
        Properties sorted = new Properties() {
            @Override
            public Set<Map.Entry<Object, Object>> entrySet() {
                Map<Object, Object> byKey = new TreeMap<>();
                super.entrySet().forEach(entry -> byKey.put(entry.getKey(), entry.getValue()));
                return byKey.entrySet();
            }
        };
        sorted.putAll(values);
        StringWriter text = new StringWriter();
        try {
            sorted.store(text, "bluegreen-maven-plugin deploy state: written by the plugin, read by every goal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    public String get(String key) {
        return values.get(key);
    }

    /** Sets a value; null removes the key. */
    public void set(String key, Object value) {
        if (value == null) {
            values.remove(key);
        } else {
            values.put(key, value.toString());
        }
    }

    public String deployId() {
        return get("deployId");
    }

    public Phase phase() {
        String phase = get("phase");
        try {
            return phase == null ? null : Phase.valueOf(phase);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown phase '" + phase + "'", e);
        }
    }

    public void phase(Phase phase) {
        set("phase", phase);
    }

    /** The instance recorded under {@code role} ("live", "target", "previous", "stale", "rollback"), or null. */
    public Instance instance(String role) {
        String port = get(role + ".port");
        if (port == null) {
            return null;
        }
        try {
            String pid = get(role + ".pid");
            return new Instance(Integer.parseInt(port), pid == null || pid.isEmpty() ? null : Long.parseLong(pid),
                    get(role + ".release"), get(role + ".command"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + role + ".port/pid: " + e.getMessage(), e);
        }
    }

    public void instance(String role, Instance instance) {
        set(role + ".port", instance == null ? null : instance.port());
        set(role + ".pid", instance == null ? null : instance.pid());
        set(role + ".release", instance == null ? null : instance.release());
        set(role + ".command", instance == null ? null : instance.command());
    }

    /**
     * One app process.
     *
     * @param pid     null if nothing listens on the port
     * @param release the deploy id whose jar it runs, or "adopted" for an app the plugin did not start
     * @param command its command line when it was seen, to recognise it again before stopping it
     */
    public record Instance(int port, Long pid, String release, String command) {}
}
