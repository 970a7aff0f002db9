import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The randomized fault campaign (bench/chaos/run.sh, and a short seeded run in the IT suite): under continuous load
 * through nginx, each round picks an operation and a fault at a random moment, then runs a clean deploy and checks the
 * protocol's invariants on every host:
 * <ul>
 * <li>no request through nginx failed (a fault that itself takes the live app down, a kill -9 of it, is counted apart
 * until nginx serves again: nothing after that may fail);</li>
 * <li>at most one instance per port, none orphaned: exactly one app process, the one nginx routes to, answering the
 * clean deploy's version;</li>
 * <li>the lock free, the state DONE and agreeing with nginx's include, {@code previous} the release that was live before
 * the clean deploy, every deploy that started in {@code history.log}.</li>
 * </ul>
 * A failure prints its seed and round: {@code java Chaos.java TARGET.properties ROUNDS SEED FIRST_ROUND} replays from
 * that round (the choices of a round depend only on the seed and its number).
 *
 * <p>The target (a properties file run.sh or the IT writes): {@code name}, {@code pom}, {@code url} (nginx, or a fleet's
 * front balancer), {@code maven.N} (the -D arguments of every Maven run), {@code hosts}, and per host {@code host.I.exec}
 * (a command prefix that runs a shell command there as root, empty: this machine), {@code host.I.base} (the app's base
 * directory), {@code host.I.include}, {@code host.I.user} (the deploy user), {@code host.I.sshd} (true: its sshd is the
 * systemd unit ssh, which the fault stops), {@code host.I.diskfull} (true: the base directory is a small file system of
 * its own), {@code log} (a directory for the Maven logs), {@code canary.log} (nginx's canary log, set up once: deploys may then
 * switch as canaries, of a good release or a bad one), {@code operations} (the operations drawn, comma separated; default all).
 */
public class Chaos {
    enum Operation { DEPLOY, ROLLBACK, UNHEALTHY, FAILING_HOOK, CONCURRENT, DRY_RUN, STATUS }

    enum Fault { NONE, KILL_MAVEN, CUT_SSH, KILL_SERVER_COMMAND, RELOAD_FAILS, DISK_FULL, KILL_LIVE_APP, CORRUPT_OLD_JAR, SSHD_STOPPED }

    record Host(int index, String exec, String base, String include, String user, boolean sshd, boolean diskFull) {}

    /** A deploy's switch as a canary (20 %, then 50 %, 2 s each): of a good release, or of one failing 30 % of its requests. */
    enum Canary { NONE, GOOD, BAD }

    record Round(int number, Operation operation, Fault fault, int host, long faultDelayMs, Canary canary) {}

    private final Properties target;
    private final List<Host> hosts = new ArrayList<>();
    private final List<String> mavenArgs = new ArrayList<>();
    private final Path logs;
    private final long seed;
    private final Load load;
    private int version;
    private final Set<String> startedDeploys = new LinkedHashSet<>();
    private final Map<String, Integer> drawn = new TreeMap<>();
    private long apartFailures;
    /** What bad releases answered their canary's share (HTTP 500): the analysis needs them, and the canary bounds them. */
    private long canaryFailures;
    /** The operations drawn from: all, or the target's {@code operations} (a campaign aimed at some, e.g. DEPLOY). */
    private final List<Operation> operations;

    Chaos(Properties target, long seed) throws IOException {
        this.target = target;
        this.seed = seed;
        for (int i = 0; target.containsKey("maven." + i); i++) {
            mavenArgs.add(target.getProperty("maven." + i));
        }
        int count = Integer.parseInt(target.getProperty("hosts", "1"));
        for (int i = 0; i < count; i++) {
            hosts.add(new Host(i, target.getProperty("host." + i + ".exec", ""), target.getProperty("host." + i + ".base"),
                    target.getProperty("host." + i + ".include"), target.getProperty("host." + i + ".user"),
                    Boolean.parseBoolean(target.getProperty("host." + i + ".sshd", "false")),
                    Boolean.parseBoolean(target.getProperty("host." + i + ".diskfull", "false"))));
        }
        operations = target.containsKey("operations") ? java.util.Arrays.stream(target.getProperty("operations").split(","))
                .map(String::trim).map(Operation::valueOf).toList() : List.of(Operation.values());
        logs = Path.of(target.getProperty("log", "chaos-logs"));
        Files.createDirectories(logs);
        load = new Load(target.getProperty("url"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java Chaos.java TARGET.properties ROUNDS SEED [FIRST_ROUND]");
            System.exit(2);
        }
        Properties target = new Properties();
        try (var in = Files.newBufferedReader(Path.of(args[0]))) {
            target.load(in);
        }
        int rounds = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int first = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        System.exit(new Chaos(target, seed).campaign(first, rounds) ? 0 : 1);
    }

    /** The rounds; true if no invariant was violated. Prints one line per round and a summary. */
    boolean campaign(int first, int rounds) throws Exception {
        String name = target.getProperty("name");
        Instant begin = Instant.now();
        version = 1000 * first;
        if (!cleanDeploy("first")) {
            return report(name, 0, "the first deploy failed", begin);
        }
        load.start();
        for (int n = first; n < first + rounds; n++) {
            Round round = draw(n);
            drawn.merge(round.operation() + (round.canary() == Canary.NONE ? "" : " (" + round.canary() + " canary)") + " + " + round.fault(),
                    1, Integer::sum);
            String violation = play(round);
            String line = String.format("round %d: %s%s + %s (host %d, at %d ms): %s", n, round.operation(),
                    round.canary() == Canary.NONE ? "" : " (" + round.canary() + " canary)", round.fault(), round.host(),
                    round.faultDelayMs(), violation == null ? "ok" : "VIOLATION " + violation);
            System.out.println(line);
            if (violation != null) {
                load.stop();
                return report(name, n - first + 1, violation + " (replay: java bench/chaos/Chaos.java TARGET " + 1 + " " + seed + " " + n + ")", begin);
            }
        }
        load.stop();
        return report(name, rounds, null, begin);
    }

    private boolean report(String name, int rounds, String violation, Instant begin) {
        System.out.println("CHAOS " + name + ": " + rounds + " rounds, seed " + seed + ", " + load.total.get() + " requests, "
                + load.counted() + " failed, " + apartFailures + " failed while a fault had taken the live app down (counted apart), "
                + (canaryFailures > 0 ? canaryFailures + " answered HTTP 500 by bad releases' canaries (apart), " : "")
                + (violation == null ? "0 invariant violations" : "VIOLATION: " + violation) + ", " + Duration.between(begin, Instant.now()).toSeconds() + " s");
        System.out.println("CHAOS " + name + " mix: " + drawn);
        return violation == null;
    }

    /** A round's choices depend on the seed and its number only (replayable). */
    Round draw(int number) {
        Random random = new Random(seed * 1_000_003L + number);
        Operation operation = operations.get(random.nextInt(operations.size()));
        List<Fault> possible = new ArrayList<>(List.of(Fault.NONE, Fault.NONE, Fault.KILL_MAVEN, Fault.CUT_SSH, Fault.KILL_SERVER_COMMAND,
                Fault.RELOAD_FAILS, Fault.KILL_LIVE_APP, Fault.CORRUPT_OLD_JAR));
        int host = random.nextInt(hosts.size());
        if (hosts.get(host).diskFull()) {
            possible.add(Fault.DISK_FULL);
        }
        if (hosts.get(host).sshd()) {
            possible.add(Fault.SSHD_STOPPED);
        }
        if (isLocal()) {
            possible.remove(Fault.CUT_SSH);   // the local transport has no SSH session
        }
        Fault fault = possible.get(random.nextInt(possible.size()));
        long delay = random.nextInt(4000);
        // drawn last: the rounds of a seed drawn before canaries existed stay what they were
        Canary canary = target.containsKey("canary.log") && operation == Operation.DEPLOY ? Canary.values()[random.nextInt(3)] : Canary.NONE;
        return new Round(number, operation, fault, host, delay, canary);
    }

    private boolean isLocal() {
        return mavenArgs.contains("-Dbluegreen.transport=local");
    }

    /** One round; null if every invariant holds, else what was violated. */
    String play(Round round) throws Exception {
        Host host = hosts.get(round.host());
        Map<Host, Map<String, String>> before = new LinkedHashMap<>();
        for (Host h : hosts) {
            before.put(h, facts(h));
        }
        long failedBefore = load.counted();
        List<String> extra = new ArrayList<>();
        switch (round.fault()) {
            case RELOAD_FAILS -> extra.add("-Dbluegreen.nginxReloadCommand=false");
            case DISK_FULL -> onHost(host, "dd if=/dev/zero of=" + quote(host.base() + "/.chaos-filler") + " bs=1M 2>/dev/null; sync; true");
            case CORRUPT_OLD_JAR -> onHost(host, corruptOldJar(host, before.get(host)));
            case SSHD_STOPPED -> onHost(host, "systemctl stop ssh");
            default -> { }
        }
        List<Process> mavens = startOperation(round, extra);
        long killedAt = 0;
        java.util.concurrent.CompletableFuture<Long> restarted = null;
        if (round.fault() == Fault.KILL_MAVEN || round.fault() == Fault.CUT_SSH || round.fault() == Fault.KILL_SERVER_COMMAND
                || round.fault() == Fault.KILL_LIVE_APP) {
            Thread.sleep(round.faultDelayMs());
            switch (round.fault()) {
                case KILL_MAVEN -> mavens.forEach(Chaos::killTree);
                case CUT_SSH -> onHost(host, killProcesses("sshd: " + host.user()));
                case KILL_SERVER_COMMAND -> onHost(host, killProcesses("\u0000bluegreen\u0000"));
                case KILL_LIVE_APP -> {
                    onHost(host, "p=$(" + listenerOf(host) + "); [ -z \"$p\" ] || kill -9 $p");
                    killedAt = System.currentTimeMillis();   // once it is dead: answers after this come from something else
                    if (systemd()) {
                        restarted = answersAgain(host);
                    }
                }
                default -> { }
            }
        }
        for (Process maven : mavens) {
            if (!maven.waitFor(5, TimeUnit.MINUTES)) {
                killTree(maven);
                return "the operation's Maven ran for more than 5 minutes";
            }
        }
        switch (round.fault()) {
            case DISK_FULL -> onHost(host, "rm -f " + quote(host.base() + "/.chaos-filler"));
            case SSHD_STOPPED -> onHost(host, "systemctl start ssh");
            default -> { }
        }
        String expected = expectation(round, mavens, before);
        if (expected != null) {
            return expected;
        }
        Map<Host, Map<String, String>> beforeClean = new LinkedHashMap<>();
        for (Host h : hosts) {
            beforeClean.put(h, facts(h));
        }
        // a kill -9 of the live app takes the service down by itself: its failures are counted apart, until systemd's
        // restart answers (runner=systemd), or until the end of the first deploy that completed after it (runner=process:
        // nothing restarts the app, the old nginx workers still route to its port until that deploy drained them)
        boolean systemd = systemd();
        // nothing restarts a process: fixed if the operation left nginx routing to a port where something listens (an
        // answer since the kill proves nothing: old nginx workers may still reach the instance a switch moved away from)
        boolean fixedByOperation = killedAt > 0 && !onHost(host, listenerOf(host)).isBlank();
        if (killedAt > 0 && systemd) {
            apartFailures += load.discountBefore(restarted.get(2, TimeUnit.MINUTES));
        } else if (killedAt > 0 && fixedByOperation) {
            apartFailures += load.discountBefore(System.currentTimeMillis());
        }
        boolean downUntilClean = killedAt > 0 && !systemd && !fixedByOperation;
        if (round.canary() == Canary.BAD) {   // what the bad release answered its canary's share: the analysis needs them
            canaryFailures += load.discountStatus(500);
        }
        if (!downUntilClean && load.counted() > failedBefore) {
            return (load.counted() - failedBefore) + " requests failed during the operation: " + load.lastFailures();
        }
        long failedBeforeClean = load.counted();
        if (!cleanDeploy("round-" + round.number())) {
            return "the clean deploy after the round failed (see " + logs.resolve("round-" + round.number() + "-clean.log") + ")";
        }
        if (downUntilClean) {
            apartFailures += load.discountBefore(System.currentTimeMillis());
            failedBeforeClean = load.counted();
        }
        if (round.canary() == Canary.BAD) {   // a bad canary left by a fault answers until the clean deploy ends it
            canaryFailures += load.discountStatus(500);
        }
        if (load.counted() > failedBeforeClean) {
            return (load.counted() - failedBeforeClean) + " requests failed during the clean deploy: " + load.lastFailures();
        }
        for (Host h : hosts) {
            String violation = invariants(h, beforeClean.get(h));
            if (violation != null) {
                return "host " + h.index() + ": " + violation;
            }
        }
        return everyDeployInHistory();
    }

    /** What an operation must do when nothing interfered: status and dry run change nothing, a good deploy succeeds. */
    private String expectation(Round round, List<Process> mavens, Map<Host, Map<String, String>> before) throws Exception {
        if (round.fault() != Fault.NONE) {
            return null;
        }
        int exit = mavens.get(0).exitValue();
        switch (round.operation()) {
            case DRY_RUN, STATUS -> {
                for (Host h : hosts) {
                    Map<String, String> now = facts(h);
                    for (String key : List.of("include", "state", "lock", "apps")) {
                        if (!String.valueOf(now.get(key)).equals(String.valueOf(before.get(h).get(key)))) {
                            return round.operation() + " changed " + key + " on host " + h.index() + ": " + before.get(h).get(key) + " -> " + now.get(key);
                        }
                    }
                }
                return exit == 0 ? null : round.operation() + " failed (exit " + exit + ")";
            }
            case DEPLOY, ROLLBACK -> {
                if (round.canary() == Canary.BAD) {
                    return exit != 0 ? null : "a bad release passed its canary";
                }
                return exit == 0 || round.operation() == Operation.ROLLBACK ? null : "a deploy with no fault failed (exit " + exit + ")";
            }
            case UNHEALTHY, FAILING_HOOK -> {
                return exit != 0 ? null : round.operation() + " succeeded";
            }
            default -> {
                return null;
            }
        }
    }

    /** The Maven runs of the operation (two for a concurrent deploy), started now. */
    private List<Process> startOperation(Round round, List<String> extra) throws IOException {
        String log = "round-" + round.number() + "-" + round.operation().name().toLowerCase();
        List<Process> started = new ArrayList<>();
        switch (round.operation()) {
            case DEPLOY -> started.add(round.canary() == Canary.NONE ? maven(log, deploy(++version, List.of()), extra)
                    : maven(log, deploy(++version, round.canary() == Canary.BAD ? List.of("--demo.fail-percent=30") : List.of()), concat(extra,
                            "-Dbluegreen.canary=20,50", "-Dbluegreen.canaryStepSeconds=2", "-Dbluegreen.canaryMinRequests=5",
                            "-Dbluegreen.canaryLog=" + target.getProperty("canary.log"))));
            case ROLLBACK -> started.add(maven(log, List.of("bluegreen:rollback", "-Pbluegreen"), extra));
            case UNHEALTHY -> started.add(maven(log, deploy(++version, List.of("--demo.ready-after-ms=600000")), extra));
            case FAILING_HOOK -> started.add(maven(log, deploy(++version, List.of()), concat(extra, "-Dbluegreen.beforeSwitchHook=false")));
            case CONCURRENT -> {
                started.add(maven(log + "-1", deploy(++version, List.of()), extra));
                started.add(maven(log + "-2", deploy(++version, List.of()), extra));
            }
            case DRY_RUN -> started.add(maven(log, deploy(version + 1, List.of()), concat(extra, "-Dbluegreen.dryRun=true")));
            case STATUS -> started.add(maven(log, List.of("bluegreen:status", "-Pbluegreen"), extra));
        }
        return started;
    }

    private static List<String> deploy(int version, List<String> appArgs) {
        List<String> words = new ArrayList<>(List.of("--demo.version=v" + version, "--demo.shutdown=immediate"));
        words.addAll(appArgs);
        return List.of("deploy", "-Pbluegreen", "-Dbluegreen.appArgs=" + String.join(",", words));
    }

    private static List<String> concat(List<String> list, String... more) {
        List<String> all = new ArrayList<>(list);
        all.addAll(List.of(more));
        return all;
    }

    private Process maven(String log, List<String> goals, List<String> extra) throws IOException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-f", target.getProperty("pom")));
        command.addAll(goals);
        command.addAll(mavenArgs);
        command.addAll(extra);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logs.resolve(log + ".log").toFile());
        builder.environment().putIfAbsent("MAVEN_OPTS", "-XX:TieredStopAtLevel=1");
        Process process = builder.start();
        // every deploy that took the lock names itself: it must be in history.log in the end
        Thread reader = new Thread(() -> {
            try {
                process.waitFor();
                Matcher id = Pattern.compile("Deploy (\\d{8}-\\d{6}-[0-9a-f]{4}) ").matcher(Files.readString(logs.resolve(log + ".log")));
                while (id.find()) {
                    synchronized (startedDeploys) {
                        startedDeploys.add(id.group(1));
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // a log that cannot be read names no deploy
            }
        }, "chaos-log-reader");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    private boolean cleanDeploy(String label) throws Exception {
        Process maven = maven(label + "-clean", deploy(++version, List.of()), List.of());
        if (!maven.waitFor(5, TimeUnit.MINUTES)) {
            killTree(maven);
            return false;
        }
        Thread.sleep(50);   // the log reader of that run
        return maven.exitValue() == 0;
    }

    /** The invariants on one host after the clean deploy. */
    private String invariants(Host host, Map<String, String> beforeClean) throws Exception {
        Map<String, String> f = facts(host);
        if (!f.get("lock").isEmpty()) {
            return "the lock is held: " + f.get("lock");
        }
        Properties state = new Properties();
        state.load(new java.io.StringReader(f.get("state")));
        if (!"DONE".equals(state.getProperty("phase"))) {
            return "the state is " + state.getProperty("phase") + ", not DONE";
        }
        if (!f.get("include").equals(state.getProperty("live.port"))) {
            return "nginx's include routes to " + f.get("include") + ", the state says " + state.getProperty("live.port");
        }
        if (!f.get("apps").equals(state.getProperty("live.pid"))) {
            return "the app processes are [" + f.get("apps") + "], not only the live " + state.getProperty("live.pid");
        }
        if (!("version=v" + version).equals(f.get("answer"))) {
            return "the live port answers '" + f.get("answer") + "', not version=v" + version;
        }
        String wasLive = beforeClean.get("liveRelease");
        if (!wasLive.isEmpty() && !wasLive.equals(state.getProperty("previous.release"))) {
            return "previous is " + state.getProperty("previous.release") + ", not " + wasLive + ", the release live before the clean deploy";
        }
        return null;
    }

    /** Every deploy that took a lock is in a host's history.log (a fleet's on the hosts it reached). */
    private String everyDeployInHistory() throws Exception {
        StringBuilder histories = new StringBuilder();
        for (Host h : hosts) {
            histories.append(facts(h).get("history"));
        }
        synchronized (startedDeploys) {
            for (String id : startedDeploys) {
                if (!histories.toString().contains(id + "\t")) {
                    return "deploy " + id + " is not in history.log";
                }
            }
        }
        return null;
    }

    /**
     * What the host shows: the include's port, the lock, the state file, the app processes, the live port's answer; once
     * no server command runs (a killed Maven's last command, e.g. a switch, goes on to its end on the server).
     */
    private Map<String, String> facts(Host host) throws Exception {
        String base = quote(host.base());
        String script = "[ ! -e " + base + "/commands.lock ] || flock -w 120 " + base + "/commands.lock true\n"
                + "inc=$(sed -n 's/.*127\\.0\\.0\\.1:\\([0-9]*\\);.*/\\1/p' " + quote(host.include()) + " 2>/dev/null | head -n1)\n"
                + "echo \"include=$inc\"\n"
                + "echo \"lock=$(grep '^deployId=' " + base + "/deploy.lock 2>/dev/null | tr -d '\\n')\"\n"
                // the app: a JVM (its command line starts with java) running a jar from the releases
                + "apps=''; for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null) || continue;"
                + " case \"$c\" in java\\ *" + host.base() + "/releases/*|*/java\\ *" + host.base() + "/releases/*)"
                + " apps=\"$apps${apps:+ }${p#/proc/}\" ;; esac; done\n"
                + "echo \"apps=$apps\"\n"
                + "rel=''; [ -z \"$inc\" ] || rel=$(sed -n 's/^release=//p' " + base + "/instances/$inc 2>/dev/null)\n"
                + "[ -z \"$inc\" ] || ( exec 3<>/dev/tcp/127.0.0.1/$inc ) 2>/dev/null || rel=''\n"
                + "echo \"liveRelease=$rel\"\n"
                + "echo \"answer=$([ -z \"$inc\" ] || curl -s -m 5 http://127.0.0.1:$inc/ 2>/dev/null)\"\n"
                + "echo '--state--'; cat " + base + "/state.properties 2>/dev/null\n"
                + "echo '--history--'; cat " + base + "/history.log 2>/dev/null\n";
        String out = onHost(host, script);
        Map<String, String> facts = new LinkedHashMap<>();
        String[] parts = out.split("--state--\n", 2);
        for (String line : parts[0].split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        String[] rest = parts.length > 1 ? parts[1].split("--history--\n", 2) : new String[] {"", ""};
        facts.put("state", rest[0].lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n"));
        facts.put("history", rest.length > 1 ? rest[1] : "");
        facts.putIfAbsent("lock", "");
        facts.putIfAbsent("apps", "");
        facts.putIfAbsent("liveRelease", "");
        facts.putIfAbsent("include", "");
        return facts;
    }

    private String corruptOldJar(Host host, Map<String, String> facts) {
        // an earlier release's jar (not the live one's), cut short in a copy of its own (releases of the same jar share the
        // file: the live one's must stay intact); a deploy of the same jar must not reuse it, a rollback to it fails safely
        return "cd " + quote(host.base() + "/releases") + " 2>/dev/null || exit 0; for r in $(ls -1 | sort -r); do"
                + " [ \"$r\" = " + quote(facts.get("liveRelease")) + " ] && continue; for j in \"$r\"/*.jar; do"
                + " [ -f \"$j\" ] && cp -p \"$j\" \"$j.x\" && truncate -s 1000 \"$j.x\" && mv -f \"$j.x\" \"$j\" && exit 0; done; done";
    }

    private static String killProcesses(String cmdlinePart) {
        // by PID, found in /proc (never by name); not this shell nor its subshells (their command line holds the pattern)
        return "me=$$; for p in /proc/[0-9]*; do c=$(cat $p/cmdline 2>/dev/null | tr '\\0' '\\1') || continue; case \"$c\" in"
                + " bash\u0001-c\u0001*) continue ;; *" + cmdlinePart.replace("\u0000", "\u0001")
                + "*) [ \"${p#/proc/}\" = \"$me\" ] || kill -9 ${p#/proc/} 2>/dev/null ;; esac; done; true";
    }

    private boolean systemd() {
        return "systemd".equals(target.getProperty("runner", "process"));
    }

    /** When the live app of that host answers again on its port (systemd restarts it), polled from the host itself. */
    private java.util.concurrent.CompletableFuture<Long> answersAgain(Host host) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            long deadline = System.currentTimeMillis() + 120_000;
            try {
                String port = facts(host).get("include");
                while (System.currentTimeMillis() < deadline
                        && !onHost(host, "curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:" + port + "/").trim().equals("200")) {
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                // the deadline then ends the window
            }
            return System.currentTimeMillis();
        });
    }

    private String listenerOf(Host host) {
        return "inc=$(sed -n 's/.*127\\.0\\.0\\.1:\\([0-9]*\\);.*/\\1/p' " + quote(host.include()) + " | head -n1);"
                + " ss -ltnpH \"sport = :$inc\" 2>/dev/null | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p' | head -n1";
    }

    private String onHost(Host host, String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (!host.exec().isEmpty()) {
            command.addAll(List.of(host.exec().split(" ")));
        }
        command.addAll(List.of("bash", "-c", script));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }

    private static void killTree(Process process) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        all.forEach(ProcessHandle::destroyForcibly);   // parent first, then its children
    }

    /**
     * Requests through nginx from several threads (short ones and ones that stay in flight across switches); every failure
     * is kept with its time.
     */
    static final class Load {
        private final String url;
        private final AtomicBoolean running = new AtomicBoolean();
        final AtomicLong total = new AtomicLong();
        private final ConcurrentLinkedQueue<long[]> failures = new ConcurrentLinkedQueue<>();   // [time, discounted, HTTP status or 0]
        private final List<String> failureTexts = Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.ConcurrentSkipListSet<Long> successes = new java.util.concurrent.ConcurrentSkipListSet<>();
        private final List<Thread> threads = new ArrayList<>();

        Load(String url) {
            this.url = url;
        }

        void start() {
            running.set(true);
            for (int i = 0; i < 8; i++) {
                String path = i < 6 ? "/?sleepMs=20" : "/?sleepMs=800";
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        request(path);
                    }
                }, "chaos-load-" + i);
                thread.start();
                threads.add(thread);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        private void request(String path) {
            String answer;
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(url + path).toURL().openConnection();
                connection.setConnectTimeout(5000);
                connection.setReadTimeout(15000);
                connection.setRequestProperty("Connection", "close");
                int status = connection.getResponseCode();
                if (status == 200) {
                    connection.getInputStream().readAllBytes();
                    total.incrementAndGet();
                    long now = System.currentTimeMillis();
                    successes.add(now);
                    successes.headSet(now - 600_000).clear();   // the last ten minutes are enough
                    return;
                }
                answer = "HTTP " + status;
            } catch (IOException e) {
                answer = e.toString();
            }
            total.incrementAndGet();
            failures.add(new long[] {System.currentTimeMillis(), 0, answer.startsWith("HTTP ") ? Long.parseLong(answer.substring(5)) : 0});
            failureTexts.add(Instant.now() + " " + answer);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long counted() {
            return failures.stream().filter(f -> f[1] == 0).count();
        }

        /** Failures up to that time were a fault's: no longer counted against the protocol; how many they were. */
        long discountBefore(long time) {
            long discounted = 0;
            for (long[] f : failures) {
                if (f[1] == 0 && f[0] <= time) {
                    f[1] = 1;
                    discounted++;
                }
            }
            return discounted;
        }

        /** Failures with that HTTP status were an operation's own (a bad release's canary): no longer counted; how many. */
        long discountStatus(int status) {
            long discounted = 0;
            for (long[] f : failures) {
                if (f[1] == 0 && f[2] == status) {
                    f[1] = 1;
                    discounted++;
                }
            }
            return discounted;
        }

        /** A request got its answer after that time (and a moment: not one already under way). */
        long firstSuccessAfter(long since) {
            Long first = successes.ceiling(since + 100);
            return first == null ? System.currentTimeMillis() : first;
        }

        String lastFailures() {
            synchronized (failureTexts) {
                return String.join(" | ", failureTexts.subList(Math.max(0, failureTexts.size() - 5), failureTexts.size()));
            }
        }
    }
}
