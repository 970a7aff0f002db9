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
    boolean forceUnlock;
    Duration keepOld = Duration.ZERO;
    private final Process nginx;
    private final LocalTransport transport = new LocalTransport();

    LocalServer(Path dir) throws Exception {
        this.dir = dir;
        this.include = dir.resolve("nginx/service-url.inc");
        this.nginxPid = dir.resolve("nginx/nginx.pid");
        Files.createDirectories(include.getParent());
        this.artifact = dir.resolve("TestApp.java");
        Files.copy(Path.of("src/test/resources/testapp/TestApp.java"), artifact);
        this.ports = List.of(freePort(), freePort());
        this.nginx = new ProcessBuilder("src/test/resources/testapp/fake-nginx.sh", nginxPid.toString()).start();
        for (int i = 0; i < 100 && !Files.exists(nginxPid); i++) {
            Thread.sleep(20);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    DeployConfig config() {
        return new DeployConfig(
                new DeployConfig.App("testapp", dir.resolve("base").toString(), ports, List.of("java", "{jar}", "--server.port={port}"),
                        environment, Duration.ofSeconds(5), 2, keepOld),
                new DeployConfig.Health("/actuator/health", healthTimeout, Duration.ofMillis(500), Duration.ofMillis(100)),
                new DeployConfig.Nginx(include.toString(), nginxPid.toString(), testCommand,
                        List.of("sh", "-c", "kill -HUP $(cat " + Shell.quote(nginxPid.toString()) + ")"),
                        Duration.ofSeconds(5), Duration.ofSeconds(5)),
                artifact, forceUnlock);
    }

    Deployment deployment() throws SetupException {
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
        });
    }

    /** The five steps in order, as {@code mvn deploy -Pbluegreen} runs them (one Deployment per goal). */
    DeployState deploy(String version) throws Exception {
        environment.put("VERSION", version);
        Deployment last = null;
        for (Step step : Step.all()) {
            last = deployment();
            last.run(step);
        }
        return last.state();
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
