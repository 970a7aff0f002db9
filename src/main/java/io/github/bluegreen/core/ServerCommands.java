package io.github.bluegreen.core;

import io.github.bluegreen.core.canary.Answers;
import io.github.bluegreen.core.canary.Split;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server boundary: one method per command of {@code server.sh}, arguments in, a record out. Each method owns
 * its timeout and the keys it reads; {@code server.sh}'s header table lists the same commands. The command lines
 * are built by the static {@code *Command} methods, which the tests check as strings.
 */
final class ServerCommands {
    static final int OK = 0;
    static final int REFUSED = 3;
    /** health: no UP from the started process (yet). */
    static final int NOT_HEALTHY = 2;
    static final int FAILED = 4;
    static final int BUSY = 5;
    static final int REBUILD_FAILED = 6;
    static final String SCRIPT = load();
    private static final Duration SHORT = Duration.ofSeconds(30);

    /** The commands that change what runs or routes: a deploy's own run only while it holds the lock ({@link #holder}). */
    private static final Set<String> GUARDED = Set.of("start", "switch", "stop", "cleanup");

    private final Transport transport;
    private final ServerLayout layout;
    private final DeployConfig config;
    /** The deploy whose commands these are, once it holds the lock: the server refuses its guarded commands after a takeover. */
    private String holder;
    /** A guarded command was refused: {@link #holder} no longer holds the lock. */
    private boolean lockLost;
    /** The commands that record what their success makes true in the same round trip ({@link #carry}). */
    private static final Set<String> RECORDING = Set.of("switch", "cleanup", "health");
    /** What the next recording command records once it succeeded, or null. */
    private Record carried;
    /** The last recording command recorded its {@link Record} (and released the lock, if asked). */
    private boolean recorded;

    /**
     * A deploy's record, as {@code save} writes it: the state file, a history line, the lock released; {@code timedKey}
     * (a step's time) gets {@code millisBefore} plus the server's time for the command.
     */
    record Record(String state, String history, boolean unlock, String timedKey, long millisBefore) {}

    ServerCommands(Transport transport, ServerLayout layout, DeployConfig config) {
        this.transport = transport;
        this.layout = layout;
        this.config = config;
    }

    /** One server.sh command line: the command, its NAME=VALUE arguments, and the words after {@code --}. */
    record Command(String name, Map<String, String> args, List<String> tail) {
        /** The words after {@code sh -c <script> bluegreen}. */
        List<String> words() {
            List<String> words = new ArrayList<>(List.of(name));
            args.forEach((key, value) -> words.add(key + "=" + value));
            if (!tail.isEmpty()) {
                words.add("--");
                words.addAll(tail);
            }
            return words;
        }

        /** As a shell reads it after {@code sh -c <script> bluegreen}, every word quoted. */
        @Override
        public String toString() {
            return Shell.join(words());
        }
    }

    private static Command command(String name, Object... keysAndValues) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            args.put((String) keysAndValues[i], keysAndValues[i + 1] == null ? "" : String.valueOf(keysAndValues[i + 1]));
        }
        return new Command(name, args, List.of());
    }

    /** From now on, the guarded commands run only while {@code deployId} holds the deploy lock. */
    void holder(String deployId) {
        holder = deployId;
    }

    /** A guarded command was refused because this deploy's lock was taken over. */
    boolean lockLost() {
        return lockLost;
    }

    /**
     * The next command, if it is a switch, cleanup or health wait, records {@code record} on the server once it
     * succeeded (for the {@link #holder} only): the state its facts make true moves with them, in the same round trip.
     */
    void carry(Record record) {
        carried = record;
        recorded = false;
    }

    /** Whether the last recording command recorded what it carried; asking forgets it. */
    boolean takeRecorded() {
        boolean was = recorded;
        recorded = false;
        carried = null;
        return was;
    }

    private ExecResult run(Command command, Duration timeout) throws SetupException {
        if (holder != null && GUARDED.contains(command.name())) {
            command.args().put("holder", holder);
        }
        Record record = holder != null && RECORDING.contains(command.name()) ? carried : null;
        carried = null;   // for the very next command only: never recorded by a later one
        if (record != null) {
            command.args().put("holder", holder);
            command.args().putIfAbsent("base", layout.base());   // health has none of its own
            command.args().put("then_state", record.state());
            command.args().put("then_timed", record.timedKey() + ":" + record.millisBefore());
            command.args().put("then_history", java.util.Objects.toString(record.history(), ""));
            command.args().put("then_unlock", record.unlock() ? "yes" : "");
        }
        ExecResult result = transport.exec(argv(command), timeout);
        if (record != null && result.exitCode() == OK) {
            String save = result.values().getOrDefault("save", "");
            if (save.equals("not-held")) {
                lockLost = true;
                throw new SetupException(null, "deploy " + holder + " no longer holds the deploy lock (held by "
                        + LockOwner.parse(result.values()).describe(java.time.Instant.now()) + "): it recorded nothing");
            }
            if (!save.equals("done")) {
                throw new SetupException(null, "cannot record the deploy in " + layout.base() + ": "
                        + result.values().getOrDefault("error", result.output()));
            }
            recorded = true;
        }
        if (result.exitCode() == REFUSED && result.values().containsKey("refused.lock")) {
            lockLost = true;
            String now = result.values().containsKey("holder.deployId")
                    ? "held by " + LockOwner.parse(result.values()).describe(java.time.Instant.now()) : "nobody holds it";
            throw new SetupException(null, "deploy " + holder + " no longer holds the deploy lock (" + now + "): the server refused its "
                    + command.name() + " and changed nothing");
        }
        return result;
    }

    /** The whole argument vector of a command: {@code sh -c <script> bluegreen COMMAND ARGS...}. */
    static List<String> argv(Command command) {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", SCRIPT, "bluegreen"));
        argv.addAll(command.words());
        return argv;
    }

    // ---- lock: take the deploy lock and inspect, in one round trip

    sealed interface LockResult {}

    record Taken(Inspection inspection) implements LockResult {}

    /** @param alive the server's verdict on the holder: yes, no, or unknown (it ran on another machine) */
    record Held(LockOwner holder, String alive) implements LockResult {}

    /** A taken-over deploy's last command still runs on the server. */
    record Busy(String command) implements LockResult {}

    static Command lockCommand(ServerLayout layout, DeployConfig config, LockOwner me, String expect, Duration wait) {
        Command lock = command("lock", "base", layout.base(), "owner", me.text());
        if (expect != null) {
            lock.args().put("expect", expect);
            lock.args().put("wait_s", String.valueOf(wait.toSeconds()));
        }
        lock.args().put("include", config.nginx().include());
        lock.args().put("pidfile", config.nginx().pidFile());
        lock.args().put("errorlog", config.nginx().errorLog());
        lock.args().put("ports", ports(config));
        lock.args().put("unit", config.app().name());
        lock.args().put("health", config.health().path());
        lock.args().put("probe_ms", String.valueOf(config.health().probeTimeout().toMillis()));
        if (config.traffic().canary().enabled()) {
            lock.args().put("canary_log", config.traffic().canary().log());
        }
        return lock;
    }

    /** Takes the lock if it is free, or (with {@code expect}) takes it over from that holder, waiting for its last command. */
    LockResult lock(LockOwner me, String expect, Duration wait) throws SetupException {
        ExecResult result = run(lockCommand(layout, config, me, expect, wait), wait.plus(inspectTime()));
        Map<String, String> values = result.values();
        return switch (result.exitCode()) {
            case OK -> new Taken(Inspection.parse(values, config.app().ports(), config.health().probeTimeout()));
            case REFUSED -> new Held(LockOwner.parse(values), values.getOrDefault("holder.alive", "unknown"));
            case BUSY -> new Busy(values.getOrDefault("busy.command", "?"));
            default -> throw new SetupException("bluegreen.baseDir", "cannot take the deploy lock " + layout.lockFile() + ": "
                    + values.getOrDefault("error", result.output()));
        };
    }

    // ---- inspect: nginx's include, the switch journal, each port's listener and the instance the server recorded there

    /**
     * What the server shows: nginx's include, a switch left halfway, and each port's listener and recorded instance.
     *
     * @param holder      who holds the deploy lock, or null; {@code holderAlive} the server's verdict on it (yes, no, unknown)
     * @param nginxRoutes where nginx's current workers route, as the server's records of the include tell: ports, "-" (no
     *                    include), "?" (no record)
     * @param errorLogUnreadable the deploy user cannot read nginx's error log (bluegreen.nginxErrorLog)
     * @param canary a canary's split the include makes ({@code canary} percent... of the requests to its port), or null
     */
    record Inspection(boolean includeExists, String includeLine, Journal journal, Map<Integer, PortState> ports, LockOwner holder,
            String holderAlive, Set<String> nginxRoutes, boolean errorLogUnreadable, java.util.Optional<String> stateFile,
            CanaryRoute canary, String canaryLog) {
        private static final Pattern SERVICE_URL = Pattern.compile("set\\s+\\$service_url\\s+https?://[^\\s:/;]+:(\\d+)\\s*;");

        static Inspection parse(Map<String, String> values, List<Integer> ports, Duration probeTimeout) {
            Map<Integer, PortState> states = new TreeMap<>();
            for (int port : ports) {
                String key = "port." + port + ".";
                InstanceRecord record = values.containsKey(key + "record.pid")
                        ? new InstanceRecord(Long.parseLong(values.get(key + "record.pid")), values.get(key + "record.start"),
                                values.get(key + "record.release"), "yes".equals(values.get(key + "record.alive")),
                                "systemd".equals(values.get(key + "record.runner")), values.get(key + "record.jar"),
                                values.get(key + "record.sha256"), values.get(key + "record.cds"))
                        : null;
                String uptime = values.getOrDefault(key + "uptime", "");
                String unit = values.containsKey(key + "unit.ActiveState") ? values.get(key + "unit.ActiveState") + ", "
                        + values.getOrDefault(key + "unit.UnitFileState", "?") + ", restarts " + values.getOrDefault(key + "unit.NRestarts", "?") : null;
                states.put(port, new PortState(port, values.getOrDefault(key + "pid", ""), values.get(key + "start"),
                        values.getOrDefault(key + "command", "").trim(), uptime.isEmpty() ? null : Long.parseLong(uptime), record, unit,
                        "yes".equals(values.get(key + "ours")), health(values, key + "health.", probeTimeout)));
            }
            Set<String> routes = new java.util.TreeSet<>();
            values.forEach((key, value) -> {
                if (key.startsWith("nginx.current.")) {
                    routes.addAll(List.of(value.split(",")));
                }
            });
            Journal journal = values.containsKey("journal.to") ? new Journal(number(values.get("journal.from")),
                    Integer.parseInt(values.get("journal.to")), values.containsKey("journal.canary")) : null;
            CanaryRoute canary = values.containsKey("include.canary") ? new CanaryRoute(Integer.parseInt(values.get("include.canary")),
                    Integer.parseInt(values.get("include.share"))) : null;
            LockOwner holder = values.containsKey("holder.deployId") ? LockOwner.parse(values) : null;
            java.util.Optional<String> stateFile = java.util.Optional.ofNullable(values.get("state.base64"))
                    .map(text -> new String(java.util.Base64.getDecoder().decode(text.trim()), StandardCharsets.UTF_8));
            return new Inspection("true".equals(values.get("include.exists")), values.getOrDefault("include.line", "").trim(),
                    journal, states, holder, values.getOrDefault("holder.alive", "unknown"), routes,
                    values.containsKey("nginx.errorlog"), stateFile, canary, values.getOrDefault("canary.log", "ok"));
        }

        /** What the listener's health endpoint answered the server, or null (no listener, no curl there). */
        private static String health(Map<String, String> values, String key, Duration probeTimeout) {
            String curl = values.get(key + "curl");
            if (curl == null) {
                return null;
            }
            Integer status = number(values.get(key + "status"));   // none: an answer that is not HTTP
            return curl.equals("0") ? new HttpResult(status == null ? 0 : status, values.getOrDefault(key + "body", "")).summary()
                    : "health check failed: " + curlError(Integer.parseInt(curl), probeTimeout);
        }

        private static Integer number(String text) {
            return text == null || text.isEmpty() ? null : Integer.valueOf(text);
        }

        /** The port nginx's include routes to, null without an include; a line the plugin cannot read is a broken setup. */
        Integer routedPort(DeployConfig config) throws SetupException {
            if (!includeExists) {
                return null;
            }
            Matcher matcher = SERVICE_URL.matcher(includeLine);
            if (!matcher.find()) {
                throw new SetupException("bluegreen.nginxInclude", "cannot read the live port from " + config.nginx().include()
                        + ": expected a line like 'set $service_url http://127.0.0.1:8080;' but found '" + includeLine + "'");
            }
            int port = Integer.parseInt(matcher.group(1));
            if (!config.app().ports().contains(port)) {
                throw new SetupException("bluegreen.bluePort", "nginx routes to port " + port + ", which is neither of the"
                        + " configured ports " + config.app().ports() + ": set bluegreen.bluePort/bluegreen.greenPort to the ports you use");
            }
            return port;
        }

        PortState port(int port) {
            return ports.get(port);
        }
    }

    /**
     * A switch that began and did not end: the include may name {@code to} while nginx still routes to {@code from}.
     * {@code canary}: it was a canary's step, which never counts as a switch: settling goes back to {@code from}.
     */
    record Journal(Integer from, int to, boolean canary) {}

    /** nginx's include sends {@code share} percent of the requests to the canary on {@code port}, the rest to the routed port. */
    record CanaryRoute(int port, int share) {}

    /**
     * @param pid    the listener's PID: empty if nothing listens, "?" for another user's process
     * @param record the instance the server recorded on this port when the plugin started it, or null
     * @param unit   its systemd unit's state (active state, enabled or not, restarts), or null (no unit)
     * @param ours   the listener runs a jar from this app's releases
     * @param health what its health endpoint answered the server ("HTTP 200 {...}", or why none), or null: not asked
     */
    record PortState(int port, String pid, String start, String command, Long uptimeSeconds, InstanceRecord record, String unit,
            boolean ours, String health) {
        boolean free() {
            return pid.isEmpty();
        }

        boolean visible() {
            return !pid.isEmpty() && !pid.equals("?");
        }

        /** The recorded instance, if it still runs. */
        InstanceRecord running() {
            return record != null && record.alive() ? record : null;
        }
    }

    /**
     * The server's record of an instance the plugin started: alive if that very process (PID and start time) runs;
     * {@code unit}: run by systemd (its PID is the unit's main PID); its release's jar and that jar's SHA-256, if known.
     * @param classData how it started: {@code archive} (mapping a class-data archive), {@code training}, {@code none}; null: -jar
     */
    record InstanceRecord(long pid, String start, String release, boolean alive, boolean unit, String jar, String sha256, String classData) {}

    /** How long an inspection may take: the server probes each port's health in turn. */
    private Duration inspectTime() {
        return SHORT.plus(config.health().probeTimeout().multipliedBy(config.app().ports().size()));
    }

    static Command inspectCommand(ServerLayout layout, DeployConfig config) {
        Command inspect = command("inspect", "base", layout.base(), "include", config.nginx().include(), "pidfile", config.nginx().pidFile(),
                "errorlog", config.nginx().errorLog(), "ports", ports(config), "unit", config.app().name(),
                "health", config.health().path(), "probe_ms", config.health().probeTimeout().toMillis());
        if (config.traffic().canary().enabled()) {
            inspect.args().put("canary_log", config.traffic().canary().log());
        }
        return inspect;
    }

    Inspection inspect() throws SetupException {
        ExecResult result = run(inspectCommand(layout, config), inspectTime());
        if (result.exitCode() != OK) {
            throw new SetupException("cannot inspect the server: " + result.output());
        }
        return Inspection.parse(result.values(), config.app().ports(), config.health().probeTimeout());
    }

    // ---- owner: who listens on a port

    /** @param pid empty if nothing listens, "?" for another user's process */
    record Listener(String pid, String start) {}

    static Command ownerCommand(int port) {
        return command("owner", "ports", port);
    }

    Listener owner(int port) throws SetupException {
        Map<String, String> values = run(ownerCommand(port), SHORT).values();
        return new Listener(values.getOrDefault("port." + port + ".pid", ""), values.get("port." + port + ".start"));
    }

    // ---- start: check the upload, free the port of a stale instance of this app, launch detached

    /**
     * @param size     the uploaded size, or null for a release already on the server (no check)
     * @param envFile  the file with the app's environment variables, or empty
     * @param command  the start command, every word already resolved ({jar}, {port}) (the process runner)
     * @param unitText the instance's drop-in unit (the systemd runner; the template unit is written once)
     * @param upload   how the jar reaches the release directory (uploaded whole, rebuilt from a bundle, an earlier release's)
     * @param classDataSharing the command runs {@code @JAR.PORT.args}, which the server writes (see {@code BootJar})
     */
    record StartRequest(int port, String release, String jar, Long size, String sha256, String log, String envFile,
            Duration stopTimeout, Duration drainTimeout, List<String> command, String unitText, Upload upload, boolean classDataSharing) {}

    /**
     * How the jar got to the server: {@code reuse} (the same jar of an earlier release: nothing sent), {@code bundle}
     * (the manifest of a jar rebuilt on the server from the gaps sent and the blobs it had), or neither (sent whole).
     */
    record Upload(String reuse, String bundle, long sent, long reused, long millis, long requests) {
        static final Upload NONE = new Upload(null, null, 0, 0, 0, 0);
    }

    /**
     * What the server stopped: the verdict (terminated, killed, gone, unkillable) and how long it took; {@code drainWorkers}
     * the nginx workers that could still send it requests and were waited for (null: it never served, no drain).
     */
    record Stopped(long pid, String command, String verdict, Long millis, Long drainMillis, Long drainWorkers, boolean drainTimedOut) {
        static Stopped parse(Map<String, String> values, String prefix) {
            String pid = values.get(prefix + "pid");
            if (pid == null) {
                return null;
            }
            return new Stopped(Long.parseLong(pid), values.getOrDefault(prefix + "command", "").trim(),
                    values.getOrDefault("stop.verdict", "?"), longOrNull(values.get("stop.ms")), longOrNull(values.get("drain.ms")),
                    longOrNull(values.get("drain.workers")), values.containsKey("drain.timeout"));
        }

        String describe() {
            String drain = drainWorkers == null ? ", never served: no drain"
                    : drainWorkers == 0 ? ", no nginx worker routed to it any more"
                    : ", after the " + drainWorkers + " nginx worker" + (drainWorkers == 1 ? "" : "s") + " that could still route to it finished in "
                            + Durations.format(Duration.ofMillis(drainMillis)) + (drainTimedOut ? " (drain timeout: bluegreen.drainTimeoutSeconds)" : "");
            return verdict + (millis == null ? "" : " in " + Durations.format(Duration.ofMillis(millis))) + (verdict.equals("gone") ? "" : drain);
        }
    }

    /**
     * @param pid       null unless started; {@code refusedPid}/{@code refusedCommand}: a process that is not this app's holds the port
     * @param classData how the JVM starts: {@code archive} (mapping the class-data archive of its libraries), {@code
     *                  training} (writing the classes it loads for the next archive), {@code none}, or null (not asked);
     *                  {@code classDataNote} why not, or null
     */
    record StartResult(int exit, Long pid, String start, Stopped stale, String refusedPid, String refusedCommand, String error,
            String classData, String classDataNote) {}

    static Command startCommand(ServerLayout layout, DeployConfig config, StartRequest r) {
        String jarName = r.jar().substring(r.jar().lastIndexOf('/') + 1);
        Command start = command("start", "base", layout.base(), "include", config.nginx().include(), "pidfile", config.nginx().pidFile(),
                "port", r.port(),
                "release", r.release(), "jar", r.jar(), "jar_name", jarName, "size", r.size(), "sha256", r.sha256(), "log", r.log(),
                "env", r.envFile(), "stop_s", r.stopTimeout().toSeconds(), "drain_ms", r.drainTimeout().toMillis(),
                "runner", runner(config), "unit", config.app().name());
        if (r.upload().reuse() != null) {
            start.args().put("reuse", r.upload().reuse());
        } else if (r.upload().bundle() != null) {
            start.args().put("bundle", r.upload().bundle());
        }
        start.args().put("umask", config.app().umask());
        if (r.classDataSharing()) {
            start.args().put("cds", "yes");
        }
        if (config.app().runner() == DeployConfig.Runner.SYSTEMD) {
            start.args().put("unit_template", SystemdUnit.template(config, layout));
            start.args().put("unit_text", r.unitText());
            // the unit runs the command; the server reads the JVM and its options from it for the argument file
            return r.classDataSharing() ? new Command(start.name(), start.args(), r.command()) : start;
        }
        return new Command(start.name(), start.args(), r.command());
    }

    StartResult start(StartRequest r) throws SetupException {
        ExecResult result = run(startCommand(layout, config, r), r.drainTimeout().plus(r.stopTimeout()).plus(SHORT));
        Map<String, String> values = result.values();
        Stopped stale = Stopped.parse(values, "stale.");
        return new StartResult(result.exitCode(), longOrNull(values.get("pid")), values.get("start"), stale,
                values.get("refused.pid"), values.getOrDefault("refused.command", "").trim(),
                values.getOrDefault("error", values.getOrDefault("refused", result.output())), values.get("cds"), values.get("cds.note"));
    }

    // ---- switch: journal, include, config test, reload, until new workers run

    /**
     * @param timedOut nginx started no new workers and said nothing (the pid file, the reload command or the error log may
     *                 be wrong); false when nginx's error log said why, or the include could not be written
     * @param unhealthy refused: the target no longer answers UP (the server checked, with curl)
     */
    record SwitchResult(int exit, String oldWorkers, String newWorkers, String error, boolean timedOut, boolean unhealthy) {}

    /**
     * @param target the instance to route to; its PID (if known) must still own the port
     * @param health the health path it must answer UP on first (checked where the server has curl), or null: no check
     */
    static Command switchCommand(ServerLayout layout, DeployConfig config, DeployState.Instance target, String health) {
        DeployConfig.Nginx nginx = config.nginx();
        return command("switch", "base", layout.base(), "include", nginx.include(), "port", target.port(), "health", health,
                "probe_ms", health == null ? null : config.health().probeTimeout().toMillis(), "pid", target.pid(), "start", target.start(), "pidfile", nginx.pidFile(),
                "test", Shell.join(nginx.testCommand()), "reload", Shell.join(nginx.reloadCommand()),
                "helper", nginx.routeHelper(), "timeout_ms", nginx.reloadTimeout().toMillis(), "errorlog", nginx.errorLog(),
                "release", target.release(), "unit", config.app().name());
    }

    /** Routes nginx to {@code target} (settling or going back: whether it answers UP or not). */
    SwitchResult switchTo(DeployState.Instance target) throws SetupException {
        return switchTo(target, null);
    }

    /** @param health the path {@code target} must answer UP on first, where the server can check it, or null */
    SwitchResult switchTo(DeployState.Instance target, String health) throws SetupException {
        return switchResult(run(switchCommand(layout, config, target, health), config.nginx().reloadTimeout().multipliedBy(2).plus(SHORT)));
    }

    /** A canary's step: the switch command, with {@code split}'s share of the requests to {@code canary}, the rest to {@code stable}. */
    static Command canaryCommand(ServerLayout layout, DeployConfig config, DeployState.Instance canary, int stable, Split split, String health) {
        Command command = switchCommand(layout, config, canary, health);
        command.args().put("stable", String.valueOf(stable));
        command.args().put("share", String.valueOf(split.share()));
        command.args().put("split_on", split.on());
        command.args().put("split_re", split.regex());
        return command;
    }

    SwitchResult canary(DeployState.Instance canary, int stable, Split split, String health) throws SetupException {
        return switchResult(run(canaryCommand(layout, config, canary, stable, split, health),
                config.nginx().reloadTimeout().multipliedBy(2).plus(SHORT)));
    }

    private static SwitchResult switchResult(ExecResult result) {
        Map<String, String> values = result.values();
        return new SwitchResult(result.exitCode(), values.getOrDefault("old.workers", "").trim(),
                values.getOrDefault("new.workers", "").trim(), values.getOrDefault("error", result.output()),
                "timeout".equals(values.get("reason")), "unhealthy".equals(values.get("reason")));
    }

    // ---- stop / cleanup: an instance that is not live, once nginx's workers that used it are gone

    /**
     * @param refused why the server would not stop it, or null; {@code live}: because nginx's include routes to its port
     *                (a switch to it went through)
     */
    record StopResult(int exit, Stopped stopped, String refused, boolean live, boolean canary, boolean kept, List<String> pruned) {}

    /** @param instance without a PID: the instance the server recorded on its port, if it runs its release */
    static Command stopCommand(ServerLayout layout, DeployConfig config, DeployState.Instance instance, Duration drain) {
        return command("stop", "base", layout.base(), "include", config.nginx().include(), "pidfile", config.nginx().pidFile(),
                "port", instance.port(),
                "pid", instance.pid(), "start", instance.start(), "release", instance.release(),
                "stop_s", config.app().stopTimeout().toSeconds(), "drain_ms", drain.toMillis(), "unit", config.app().name());
    }

    StopResult stop(DeployState.Instance instance, Duration drain) throws SetupException {
        return stopResult(run(stopCommand(layout, config, instance, drain), drain.plus(config.app().stopTimeout()).plus(SHORT)));
    }

    /** @param old the instance that was live before the switch, or null; {@code protect}: releases never pruned */
    static Command cleanupCommand(ServerLayout layout, DeployConfig config, DeployState.Instance old, List<String> protect) {
        Command cleanup = old == null ? command("cleanup", "base", layout.base(), "include", config.nginx().include(),
                "pidfile", config.nginx().pidFile(), "drain_ms", config.nginx().drainTimeout().toMillis(), "unit", config.app().name()) : stopCommand(layout, config, old, config.nginx().drainTimeout());
        Map<String, String> args = new LinkedHashMap<>(cleanup.args());
        args.put("keep_old_s", String.valueOf(config.app().keepOld().toSeconds()));
        args.put("keep", String.valueOf(config.app().keepReleases()));
        args.put("protect", String.join(" ", protect));
        return new Command("cleanup", args, List.of());
    }

    StopResult cleanup(DeployState.Instance old, List<String> protect) throws SetupException {
        Duration timeout = config.nginx().drainTimeout().plus(config.app().stopTimeout()).plus(SHORT);
        return stopResult(run(cleanupCommand(layout, config, old, protect), timeout));
    }

    private static StopResult stopResult(ExecResult result) throws SetupException {
        Map<String, String> values = result.values();
        if (result.exitCode() != OK && result.exitCode() != REFUSED) {
            throw new SetupException("stopping an instance failed on the server: " + values.getOrDefault("error", result.output()));
        }
        List<String> pruned = values.keySet().stream().filter(key -> key.startsWith("pruned.")).map(key -> key.substring(7)).toList();
        boolean kept = values.keySet().stream().anyMatch(key -> key.startsWith("kept."));
        return new StopResult(result.exitCode(), Stopped.parse(values, "stop."), values.get("refused"),
                values.containsKey("refused.live"), values.containsKey("refused.canary"), kept, pruned);
    }

    // ---- traffic: what nginx answered each instance during a canary's step (its canary log from a byte on)

    /** @param logSize where the canary log ends now: the next step's answers begin there */
    record TrafficResult(long logSize, Answers canary, Answers stable) {}

    static Command trafficCommand(DeployConfig config, long from, int canary, int stable) {
        return command("traffic", "log", config.traffic().canary().log(), "from", from, "ports", canary + " " + stable);
    }

    /** Where nginx's canary log ends now (its size, nothing of it read): a canary's first step's answers begin there. */
    long canaryLogEnd() throws SetupException {
        return Long.parseLong(canaryLog(command("traffic", "log", config.traffic().canary().log())).getOrDefault("log.size", "0"));
    }

    TrafficResult traffic(long from, int canary, int stable) throws SetupException {
        Map<String, String> values = canaryLog(trafficCommand(config, from, canary, stable));
        return new TrafficResult(Long.parseLong(values.getOrDefault("log.size", "0")), answers(values, canary), answers(values, stable));
    }

    private Map<String, String> canaryLog(Command traffic) throws SetupException {
        ExecResult result = run(traffic, SHORT);
        if (result.exitCode() != OK) {
            throw new SetupException("bluegreen.canaryLog", "cannot read what nginx answered: " + result.values().getOrDefault("error", result.output()));
        }
        return result.values();
    }

    private static Answers answers(Map<String, String> values, int port) {
        String key = "port." + port + ".";
        return values.containsKey(key + "requests") ? new Answers(Long.parseLong(values.get(key + "requests")),
                Long.parseLong(values.get(key + "failed")), Long.parseLong(values.get(key + "p50_ms")), Long.parseLong(values.get(key + "p99_ms")))
                : Answers.NONE;
    }

    // ---- drain: until nginx no longer uses an instance (a rolling fleet switch waits for it host by host)

    static Command drainCommand(ServerLayout layout, DeployConfig config, int port, Duration drain) {
        return command("drain", "base", layout.base(), "include", config.nginx().include(), "pidfile", config.nginx().pidFile(),
                "port", port, "drain_ms", drain.toMillis());
    }

    void drain(int port) throws SetupException {
        run(drainCommand(layout, config, port, config.nginx().drainTimeout()), config.nginx().drainTimeout().plus(SHORT));
    }

    // ---- save: the state file and a history line, only by the deploy that holds the lock

    /** @param state the state file's text, or null; {@code history} a line for history.log, or null */
    static Command saveCommand(ServerLayout layout, String deployId, String state, String history) {
        Command save = command("save", "base", layout.base(), "deploy", deployId);
        if (state != null) {
            save.args().put("state", state);
        }
        if (history != null) {
            save.args().put("history", history);
        }
        return save;
    }

    /** Saves what is given if {@code deployId} holds the lock; null if it did, else who holds it now (nothing was written). */
    LockOwner save(String deployId, String state, String history) throws SetupException {
        ExecResult result = run(saveCommand(layout, deployId, state, history), SHORT);
        if (result.exitCode() == REFUSED) {
            return LockOwner.parse(result.values());
        }
        if (result.exitCode() != OK) {
            throw new SetupException(null, "cannot record the deploy in " + layout.base() + ": "
                    + result.values().getOrDefault("error", result.output()));
        }
        return null;
    }

    // ---- unlock, tail

    static Command unlockCommand(ServerLayout layout, String deployId) {
        return command("unlock", "base", layout.base(), "deploy", deployId);
    }

    /** Releases the deploy lock if {@code deployId} holds it; true if it did. */
    boolean unlock(String deployId) throws SetupException {
        ExecResult result = run(unlockCommand(layout, deployId), SHORT);
        if (result.exitCode() != OK) {
            throw new SetupException("cannot release the deploy lock " + layout.lockFile() + ": " + result.output());
        }
        return "released".equals(result.values().get("unlock"));
    }

    static Command tailCommand(String file, int lines) {
        return command("tail", "file", file, "lines", lines);
    }

    /**
     * The instance's output: its journal (a systemd unit) or its release's log file (a process); with {@code follow}
     * the command keeps printing new lines until it is ended.
     */
    static Command appLogCommand(ServerLayout layout, DeployConfig config, DeployState.Instance instance, boolean unit, int lines,
            boolean follow) {
        Command tail = unit ? command("tail", "unit", config.app().name(), "port", instance.port(), "lines", lines)
                : tailCommand(layout.log(instance.release(), instance.port()), lines);
        if (follow) {
            tail.args().put("follow", "true");
        }
        return tail;
    }

    String tail(String file, int lines) throws SetupException {
        return run(tailCommand(file, lines), SHORT).stdout();
    }

    /** The last lines of the output of an instance this deploy's runner started. */
    String appLog(DeployState.Instance instance, int lines) throws SetupException {
        boolean unit = config.app().runner() == DeployConfig.Runner.SYSTEMD;
        return run(appLogCommand(layout, config, instance, unit, lines, false), SHORT).stdout();
    }

    // ---- blobs: what of a jar the server already has

    /** @param jar an earlier release's jar with the same SHA-256, or null; else {@code missing}: the blobs to send */
    record Blobs(String jar, Set<String> missing) {}

    static Command blobsCommand(ServerLayout layout, String sha256, JarLayers layers) {
        StringBuilder want = new StringBuilder();
        layers.segments().stream().filter(JarLayers.Segment::blob).distinct()
                .forEach(segment -> want.append(want.length() == 0 ? "" : " ").append(segment.sha256()).append(':').append(segment.length()));
        return command("blobs", "base", layout.base(), "sha256", sha256, "size", layers.size(), "want", want);
    }

    Blobs blobs(String sha256, JarLayers layers) throws SetupException {
        ExecResult result = run(blobsCommand(layout, sha256, layers), SHORT);
        if (result.exitCode() != OK) {
            throw new SetupException("cannot ask the server which parts of the jar it has: " + result.output());
        }
        Map<String, String> values = result.values();
        Set<String> missing = new HashSet<>();
        values.keySet().stream().filter(key -> key.startsWith("missing.")).forEach(key -> missing.add(key.substring(8)));
        return new Blobs(values.get("have.jar"), missing);
    }

    // ---- hook: a user's command at a named point of the deploy

    /** @param output what the hook printed, line by line; {@code exit} 124 if it ran out of time */
    record HookResult(int exit, List<String> output) {}

    /** The deploy's facts a hook gets as BLUEGREEN_* variables. */
    record HookFacts(Integer port, Long pid, String release, String deployId, String outcome, String reason) {}

    static Command hookCommand(ServerLayout layout, String name, List<String> command, Duration timeout, HookFacts facts) {
        Command hook = command("hook", "base", layout.base(), "name", name, "timeout_s", timeout.toSeconds(), "port", facts.port(),
                "pid", facts.pid(), "release", facts.release(), "deploy", facts.deployId(), "outcome", facts.outcome(),
                "reason", facts.reason());
        return new Command(hook.name(), hook.args(), command);
    }

    HookResult hook(String name, List<String> command, HookFacts facts) throws SetupException {
        Duration timeout = config.hooks().timeout();
        ExecResult result = run(hookCommand(layout, name, command, timeout, facts), timeout.plus(SHORT));
        List<String> lines = new ArrayList<>(result.stdout().lines().toList());
        int exit = -1;
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("hook.exit=")) {
                exit = Integer.parseInt(lines.get(i).substring(10).trim());
                lines = lines.subList(0, i > 0 && lines.get(i - 1).isEmpty() ? i - 1 : i);
                break;
            }
        }
        return new HookResult(exit, lines);
    }

    // ---- health: the health check's wait, on the server

    /**
     * How a wait for health ended: the last answer (or why there was none), whether the started process still runs, and
     * after an HTTP 200 the PID that listens on the port (null if the wait did not reach a 200).
     */
    record HealthWait(HttpResult answer, String error, boolean alive, String owner, int probes, boolean healthy) {}

    static Command healthCommand(DeployState.Instance target, DeployConfig.Health health, Duration left) {
        return command("health", "port", target.port(), "path", health.path(), "pid", target.pid(), "start", target.start(),
                "left_ms", left.toMillis(), "poll_ms", health.pollInterval().toMillis(), "probe_ms", health.probeTimeout().toMillis());
    }

    /**
     * Polls {@code target}'s health endpoint on the server until it answers HTTP 200, its process ends or {@code left}
     * passes: the whole wait in one round trip. Empty if the server has no curl (the caller probes from here).
     */
    java.util.Optional<HealthWait> awaitHealth(DeployState.Instance target, Duration left) throws SetupException {
        DeployConfig.Health health = config.health();
        ExecResult result = run(healthCommand(target, health, left), left.plus(health.probeTimeout()).plus(SHORT));
        Map<String, String> values = result.values();
        if ((result.exitCode() != OK && result.exitCode() != NOT_HEALTHY) || !values.containsKey("health.answer.base64")) {
            if (values.getOrDefault("error", "").startsWith("curl is missing")) {
                return java.util.Optional.empty();
            }
            throw new SetupException("cannot check the new instance's health on the server: " + result.output());
        }
        int curl = Integer.parseInt(values.getOrDefault("health.curl", "-1"));
        HttpResult answer = null;
        String error = null;
        if (curl == 0) {
            byte[] http = java.util.Base64.getDecoder().decode(values.get("health.answer.base64"));
            try {
                answer = HttpProbe.get(new ByteArrayInputStream(http), OutputStream.nullOutputStream(), target.port(), health.path());
            } catch (IOException e) {
                error = e.getMessage();
            }
        } else {
            error = curlError(curl, health.probeTimeout());
        }
        return java.util.Optional.of(new HealthWait(answer, error, "yes".equals(values.get("health.alive")), values.get("health.owner"),
                Integer.parseInt(values.getOrDefault("health.probes", "0")), result.exitCode() == OK));
    }

    /** What a curl exit code means for a probe of an app. */
    private static String curlError(int code, Duration timeout) {
        return switch (code) {
            case 7 -> "connection refused";
            case 28 -> "no answer within " + timeout.toMillis() + " ms";
            case 52 -> "connection closed without an answer";
            default -> "curl failed on the server (exit code " + code + ")";
        };
    }

    // ---- probe: the health check from the server itself (when sshd forbids port forwarding)

    static Command probeCommand(int port, String path, Duration timeout) {
        return command("probe", "port", port, "path", path, "timeout_ms", timeout.toMillis());
    }

    /** curl's exit codes as the connection errors a direct probe reports; the answer parsed like one. */
    static HttpResult probe(Transport transport, int port, String path, Duration timeout) throws IOException {
        ExecResult result;
        try {
            result = transport.exec(argv(probeCommand(port, path, timeout)), timeout.plus(SHORT));
        } catch (SetupException e) {
            throw new IOException(e.getMessage(), e);
        }
        switch (result.exitCode()) {
            case OK:
                byte[] answer = result.stdout().getBytes(StandardCharsets.UTF_8);
                return HttpProbe.get(new ByteArrayInputStream(answer), OutputStream.nullOutputStream(), port, path);
            case FAILED:
                throw new IOException(result.values().getOrDefault("error", result.output())
                        + ": the server's sshd forbids port forwarding, so health probes need curl on the server");
            default:
                throw new IOException(curlError(result.exitCode(), timeout));
        }
    }

    private static String runner(DeployConfig config) {
        return config.app().runner().name().toLowerCase(Locale.ROOT);
    }

    private static String ports(DeployConfig config) {
        return config.app().ports().stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElse("");
    }

    private static Long longOrNull(String text) {
        return text == null || text.isEmpty() ? null : Long.valueOf(text);
    }

    private static String load() {
        try (InputStream in = ServerCommands.class.getResourceAsStream("server.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
