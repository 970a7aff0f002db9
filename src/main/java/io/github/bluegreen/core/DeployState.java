package io.github.bluegreen.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state file on the server ({@code state.properties}): the deploy in progress or the last one, how far it got,
 * and the instances it knows. It is what lets the goals run as separate Maven invocations. This class owns the
 * file's schema: every key is named here and nowhere else. The state file informs; it never decides on its own
 * what is live (see {@link Recovery}).
 */
public final class DeployState {
    /** What a deploy attempt is. */
    public enum Kind { DEPLOY, ROLLBACK }

    private String deployId;
    private Kind kind = Kind.DEPLOY;
    private Phase phase;
    private String deployedBy;
    private Instant startedAt;
    private Instant finishedAt;
    private String failure;
    private Instance live;
    private Instance target;
    private Instance previous;
    private Instance prior;
    private Instant targetLaunchedAt;
    private Instant previousKeptUntil;
    private String artifact;
    private String sha256;
    private ServerCommands.Upload upload;
    private final Map<Step, StepTime> steps = new EnumMap<>(Step.class);

    /** One app process: identified by its PID and its start time (a PID alone is reused). */
    public record Instance(int port, Long pid, String start, String release, String jar) {
        public Instance {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
        }

        /** For logs: {@code port 8081 (PID 4242, release 20261125-101010-ab12)}. */
        public String describe() {
            return "port " + port + (pid == null ? " (nothing running)" : " (PID " + pid + ", release " + release + ")");
        }
    }

    /** When a goal ran and how long it took. */
    public record StepTime(Instant at, long millis) {}

    /** Parses the file; a value that cannot be right (unknown phase, bad port or time) makes it corrupt. */
    public static DeployState parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a properties file: " + e.getMessage(), e);
        }
        DeployState s = new DeployState();
        try {
            s.deployId = p.getProperty("deployId");
            s.kind = p.getProperty("kind") == null ? Kind.DEPLOY : constant(Kind.class, "kind", p.getProperty("kind"));
            s.phase = p.getProperty("phase") == null ? null : constant(Phase.class, "phase", p.getProperty("phase"));
            s.deployedBy = p.getProperty("deployedBy");
            s.startedAt = instant(p, "startedAt");
            s.finishedAt = instant(p, "finishedAt");
            s.failure = p.getProperty("failure");
            s.live = instance(p, "live");
            s.target = instance(p, "target");
            s.previous = instance(p, "previous");
            s.prior = instance(p, "prior");
            s.targetLaunchedAt = instant(p, "target.launchedAt");
            s.previousKeptUntil = instant(p, "previous.keptUntil");
            s.artifact = p.getProperty("target.artifact");
            s.sha256 = p.getProperty("target.sha256");
            if (p.getProperty("target.upload.sent") != null) {
                s.upload = new ServerCommands.Upload(null, null, Long.parseLong(p.getProperty("target.upload.sent")),
                        Long.parseLong(p.getProperty("target.upload.reused")), Long.parseLong(p.getProperty("target.upload.ms")),
                        Long.parseLong(p.getProperty("target.upload.requests")));
            }
            for (Step step : Step.values()) {
                Instant at = instant(p, "step." + step.goal() + ".at");
                String ms = p.getProperty("step." + step.goal() + ".ms");
                if (at != null && ms != null) {
                    s.steps.put(step, new StepTime(at, Long.parseLong(ms)));
                }
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return s;
    }

    /** The file's text: sorted {@code key=value} lines, escaped as {@link Properties} does. */
    public String text() {
        Map<String, String> values = new TreeMap<>();
        put(values, "deployId", deployId);
        put(values, "kind", kind);
        put(values, "phase", phase);
        put(values, "deployedBy", deployedBy);
        put(values, "startedAt", startedAt);
        put(values, "finishedAt", finishedAt);
        put(values, "failure", failure);
        putInstance(values, "live", live);
        putInstance(values, "target", target);
        putInstance(values, "previous", previous);
        putInstance(values, "prior", prior);
        put(values, "target.launchedAt", targetLaunchedAt);
        put(values, "previous.keptUntil", previousKeptUntil);
        put(values, "target.artifact", artifact);
        put(values, "target.sha256", sha256);
        if (upload != null) {
            put(values, "target.upload.sent", upload.sent());
            put(values, "target.upload.reused", upload.reused());
            put(values, "target.upload.ms", upload.millis());
            put(values, "target.upload.requests", upload.requests());
        }
        steps.forEach((step, time) -> {
            put(values, "step." + step.goal() + ".at", time.at());
            put(values, "step." + step.goal() + ".ms", time.millis());
        });
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

    private static void put(Map<String, String> values, String key, Object value) {
        if (value != null) {
            values.put(key, value.toString());
        }
    }

    private static void putInstance(Map<String, String> values, String role, Instance instance) {
        if (instance != null) {
            put(values, role + ".port", instance.port());
            put(values, role + ".pid", instance.pid());
            put(values, role + ".start", instance.start());
            put(values, role + ".release", instance.release());
            put(values, role + ".jar", instance.jar());
        }
    }

    private static Instance instance(Properties p, String role) {
        String port = p.getProperty(role + ".port");
        if (port == null) {
            return null;
        }
        try {
            String pid = p.getProperty(role + ".pid");
            return new Instance(Integer.parseInt(port), pid == null || pid.isEmpty() ? null : Long.parseLong(pid),
                    p.getProperty(role + ".start"), p.getProperty(role + ".release"), p.getProperty(role + ".jar"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + role + ".port/pid: " + e.getMessage(), e);
        }
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + key + " '" + value + "'", e);
        }
    }

    private static Instant instant(Properties p, String key) {
        String value = p.getProperty(key);
        return value == null ? null : Instant.parse(value);
    }

    public String deployId() {
        return deployId;
    }

    public void deployId(String deployId) {
        this.deployId = deployId;
    }

    public Kind kind() {
        return kind;
    }

    public void kind(Kind kind) {
        this.kind = kind;
    }

    public Phase phase() {
        return phase;
    }

    public void phase(Phase phase) {
        this.phase = phase;
    }

    public String deployedBy() {
        return deployedBy;
    }

    public void deployedBy(String deployedBy) {
        this.deployedBy = deployedBy;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public void startedAt(Instant startedAt) {
        this.startedAt = startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public void finishedAt(Instant finishedAt) {
        this.finishedAt = finishedAt;
    }

    public String failure() {
        return failure;
    }

    public void failure(String failure) {
        this.failure = failure;
    }

    /** The instance nginx routed to when this deploy looked (detect) or after its switch. */
    public Instance live() {
        return live;
    }

    /** What detect found: the instance nginx routes to and the release before it (what a rollback goes back to). */
    public void found(Instance live, Instance previous) {
        this.live = live;
        this.previous = previous;
        this.prior = previous;
    }

    /**
     * The one writer of {@code live} and {@code previous} after detect, called only once the server showed that nginx
     * routes to {@code to}: it becomes live and the instance it replaced previous. Going back from this deploy's target
     * to the instance it replaced (a revert) makes the release of before the deploy previous again. Already live:
     * nothing changes.
     */
    public void switchedTo(Instance to) {
        if (same(to, live)) {
            return;
        }
        boolean back = same(live, target) && same(to, previous);
        previous = back ? prior : live;
        live = to;
    }

    /**
     * The same instance: the same port and release (a systemd unit restarted after a crash is still the instance), or,
     * where a release is not known, the same process.
     */
    static boolean same(Instance a, Instance b) {
        if (a == null || b == null || a.port() != b.port()) {
            return false;
        }
        if (a.release() != null && b.release() != null) {
            return a.release().equals(b.release());
        }
        return a.pid() != null && a.pid().equals(b.pid());
    }

    /** The instance this deploy starts (its port is known from detect on, its PID from start on). */
    public Instance target() {
        return target;
    }

    public void target(Instance target) {
        this.target = target;
    }

    /** The instance that was live before this deploy's switch: cleanup stops it, a rollback goes back to it. */
    public Instance previous() {
        return previous;
    }

    public Instant targetLaunchedAt() {
        return targetLaunchedAt;
    }

    public void targetLaunchedAt(Instant targetLaunchedAt) {
        this.targetLaunchedAt = targetLaunchedAt;
    }

    public Instant previousKeptUntil() {
        return previousKeptUntil;
    }

    public void previousKeptUntil(Instant previousKeptUntil) {
        this.previousKeptUntil = previousKeptUntil;
    }

    /** The uploaded jar's file name (a rollback uploads nothing). */
    public String artifact() {
        return artifact;
    }

    public void artifact(String artifact) {
        this.artifact = artifact;
    }

    public String sha256() {
        return sha256;
    }

    public void sha256(String sha256) {
        this.sha256 = sha256;
    }

    /** How the jar reached the server: bytes sent and reused, time, requests (a rollback uploads nothing). */
    public ServerCommands.Upload upload() {
        return upload;
    }

    public void upload(ServerCommands.Upload upload) {
        this.upload = upload;
    }

    public Map<Step, StepTime> steps() {
        return steps;
    }
}
