package io.github.bluegreen.core;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A "server" on this machine for the core tests: a temp directory, a fake nginx master ({@code fake-nginx.sh})
 * and the TestApp source file as the artifact. Every process it starts or sees started is stopped by PID in
 * {@link #close()}.
 */
final class LocalServer implements AutoCloseable {
    final Path dir;
    final Path include;
    final Path nginxPid;
    final Path artifact;
    final List<Integer> ports;
    final Map<String, String> environment = new HashMap<>();
    final List<String> log = new ArrayList<>();
    List<String> testCommand = List.of("true");
    Duration healthTimeout = Duration.ofSeconds(30);
    String healthPath = "/actuator/health";
    Duration probeTimeout = Duration.ofMillis(500);
    List<String> reloadCommand;
    boolean forceUnlock;
    Duration lockWait = Duration.ZERO;
    List<String> beforeSwitchHook = List.of();
    List<String> afterDeployHook = List.of();
    boolean dryRun;
    DeployConfig.Traffic traffic = DeployConfig.Traffic.NONE;
    Duration keepOld = Duration.ZERO;
    Duration drainTimeout = Duration.ofSeconds(5);
    String errorLog = "";
    String umask = "0077";
    String routeHelper = "";
    boolean classDataSharing;
    String javaCommand = "java";
    private final Process nginx;
    private final Transport transport = new LocalTransport();

    LocalServer(Path dir) throws Exception {
        this(dir, 0.3);
    }

    /** @param linger seconds an nginx worker of before a reload lingers, as one finishing its requests would */
    LocalServer(Path dir, double linger) throws Exception {
        this(dir, linger, 0);
    }

    /** @param quitDelay seconds nginx's master takes to tell the workers of before a reload to shut down */
    LocalServer(Path dir, double linger, double quitDelay) throws Exception {
        this.dir = dir;
        this.include = dir.resolve("nginx/service-url.inc");
        this.nginxPid = dir.resolve("nginx/nginx.pid");
        Files.createDirectories(include.getParent());
        this.artifact = dir.resolve("TestApp.jar");
        Files.copy(testAppJar(), artifact);
        this.ports = List.of(freePort(), freePort());
        this.reloadCommand = List.of("sh", "-c", "kill -USR1 $(cat " + Shell.quote(nginxPid.toString()) + ")");
        this.nginx = new ProcessBuilder("src/test/resources/testapp/fake-nginx.sh", nginxPid.toString(), String.valueOf(linger),
                String.valueOf(quitDelay)).start();
        for (int i = 0; i < 100 && !Files.exists(nginxPid); i++) {
            Thread.sleep(20);
        }
    }

    private static Path testAppJar;

    /** TestApp compiled once per test run into a jar with its main class: a start costs a JVM start, not a compile. */
    static synchronized Path testAppJar() throws IOException {
        if (testAppJar == null) {
            Path classes = Files.createTempDirectory("testapp-classes");
            int compiled = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                    "src/test/resources/testapp/TestApp.java");
            if (compiled != 0) {
                throw new IOException("cannot compile TestApp.java");
            }
            java.util.jar.Manifest manifest = new java.util.jar.Manifest();
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, "TestApp");
            Path jar = Files.createTempFile("TestApp", ".jar");
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest); var files = Files.list(classes)) {
                for (Path file : files.toList()) {
                    out.putNextEntry(new java.util.jar.JarEntry(file.getFileName().toString()));
                    out.write(Files.readAllBytes(file));
                }
            }
            testAppJar = jar;
        }
        return testAppJar;
    }

    /** Ports handed out in this JVM: test classes run in parallel, and a port freed here may come back from the kernel. */
    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    static synchronized int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    DeployConfig config() {
        return new DeployConfig(
                new DeployConfig.App("testapp", dir.resolve("base").toString(), ports, List.of(javaCommand, "-XX:TieredStopAtLevel=1", "-jar", "{jar}", "--server.port={port}"),
                        environment, Duration.ofSeconds(1), 2, keepOld, DeployConfig.Runner.PROCESS, umask, classDataSharing),
                new DeployConfig.Health(healthPath, healthTimeout, probeTimeout, Duration.ofMillis(100)),
                new DeployConfig.Nginx(include.toString(), nginxPid.toString(), testCommand, reloadCommand,
                        Duration.ofSeconds(5), drainTimeout, errorLog, routeHelper),
                artifact, new DeployConfig.Lock(forceUnlock, lockWait),
                new DeployConfig.Hooks(beforeSwitchHook, afterDeployHook, Duration.ofSeconds(30)), traffic, dryRun);
    }

    /** What the Maven plugin context keeps between the goals of one invocation (the running proof). */
    final Map<String, Object> session = new java.util.concurrent.ConcurrentHashMap<>();

    Deployment deployment() throws SetupException {
        return deployment(session);
    }

    /** A deploy in another Maven invocation: its own plugin context. */
    Deployment deployment(Map<String, Object> session) throws SetupException {
        return Deployment.open(config(), transport, new DeployLog() {
            @Override
            public void info(String message) {
                log.add("INFO " + message);
            }

            @Override
            public void warn(String message) {
                log.add("WARN " + message);
            }

            @Override
            public void debug(String message) {}
        }, session);
    }

    /** The five steps in order, as {@code mvn deploy -Pbluegreen} runs them (one Deployment per goal). */
    DeployState deploy(String version) throws Exception {
        environment.put("VERSION", version);
        run(Step.values());
        return state();
    }

    /** Goals one after the other in one Maven invocation (what its plugin context keeps lives from one to the next). */
    void run(Step... steps) throws Exception {
        session.clear();
        for (Step step : steps) {
            deployment().run(step);
        }
    }

    /** The lock now looks like one whose Maven process was killed: its PID names no process. */
    void killLockHolder() throws IOException {
        Files.writeString(lockFile(), Files.readString(lockFile()).replaceAll("(?m)^pid=\\d+$", "pid=" + Integer.MAX_VALUE));
    }

    Path lockFile() {
        return dir.resolve("base/deploy.lock");
    }

    String history() throws IOException {
        Path file = dir.resolve("base/history.log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    String routeTo(int port) {
        return "set $service_url http://127.0.0.1:" + port + ";";
    }

    boolean logged(String text) {
        return log.stream().anyMatch(line -> line.contains(text));
    }

    /** The apps of this server: processes running a jar (here: the source file) from its releases. */
    List<Long> appPids() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir + "/base/releases/"))
                .filter(p -> alive(p.pid())).map(ProcessHandle::pid).toList();
    }

    /**
     * While true, the server cannot write the state file (as on a full disk): its temp file's name is taken by a
     * directory, which even root cannot write to as a file.
     */
    void failStateWrites(boolean fail) throws IOException {
        Path blocker = dir.resolve("base/state.properties.tmp");
        if (fail) {
            Files.createDirectories(blocker);
        } else {
            Files.deleteIfExists(blocker);
        }
    }

    DeployState state() throws Exception {
        return DeployState.parse(Files.readString(dir.resolve("base/state.properties")));
    }

    Optional<String> get(int port, String path) {
        try {
            HttpResult result = transport.httpGet(port, path, Duration.ofSeconds(2));
            return Optional.of(result.body());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Running and not a zombie (here PID 1 may reap a stopped app seconds later). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        // the apps this test's deploys started: every java process running a jar from our releases
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                .forEach(ProcessHandle::destroyForcibly);
        nginx.descendants().forEach(ProcessHandle::destroyForcibly);
        nginx.destroyForcibly();
    }
}
