import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fast-starting stand-in for the example Spring Boot app, for the ITs that deploy many times (the interruption
 * matrix): the same interface, no framework start-up. Arguments as Spring Boot takes them:
 * --server.port=N, --demo.version=V (GET / answers "version=V", ?sleepMs=N keeps a request in flight; /hits?path=P
 * answers how many requests P got),
 * --demo.ready-after-ms=N (health DOWN for N ms after start), --demo.down-if-exists=FILE (health DOWN while FILE exists:
 * one host of a fleet made unhealthy), --demo.shutdown-delay-ms=N (on SIGTERM, stop accepting, let in-flight requests
 * finish, then take N ms more before exiting: a slow graceful shutdown), --demo.shutdown=immediate (on SIGTERM, requests
 * in flight are cut, as Spring Boot's immediate shutdown does: only a drain before the stop saves them);
 * ?holdUntil=FILE keeps a request in flight until FILE exists (at most a minute);
 * --demo.fail-percent=N answers HTTP 500 to N % of the requests of / (a bad release that passes its health check),
 * --demo.hang=true never answers them (for 5 minutes: a release that hangs).
 */
public class StandIn {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(option(args, "server.port", "8080"));
        String version = option(args, "demo.version", "v1");
        long readyAfter = Long.parseLong(option(args, "demo.ready-after-ms", "0"));
        long shutdownDelay = Long.parseLong(option(args, "demo.shutdown-delay-ms", "0"));
        String downIfExists = option(args, "demo.down-if-exists", "");
        boolean immediate = option(args, "demo.shutdown", "graceful").equals("immediate");
        int failPercent = Integer.parseInt(option(args, "demo.fail-percent", "0"));
        boolean hang = option(args, "demo.hang", "false").equals("true");
        long started = System.currentTimeMillis();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        AtomicInteger inFlight = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(pool);
        server.createContext("/actuator/health", exchange -> {
            boolean up = System.currentTimeMillis() >= started + readyAfter
                    && (downIfExists.isEmpty() || !new java.io.File(downIfExists).exists());
            byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(up ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        java.util.Map<String, Integer> hits = new java.util.concurrent.ConcurrentHashMap<>();
        server.createContext("/hits", exchange -> {   // how many requests a path got: /hits?path=/warm
            String path = exchange.getRequestURI().getQuery().substring(5);
            byte[] body = String.valueOf(hits.getOrDefault(path, 0)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            hits.merge(exchange.getRequestURI().getPath(), 1, Integer::sum);
            inFlight.incrementAndGet();
            try {
                String query = exchange.getRequestURI().getQuery();
                if (hang) {
                    sleep(300_000);
                }
                if (java.util.concurrent.ThreadLocalRandom.current().nextInt(100) < failPercent) {
                    exchange.sendResponseHeaders(500, -1);
                    exchange.close();
                    return;
                }
                if (query != null && query.startsWith("sleepMs=")) {
                    sleep(Math.min(Long.parseLong(query.substring(8)), 30_000));
                } else if (query != null && query.startsWith("holdUntil=")) {
                    java.io.File release = new java.io.File(query.substring(10));
                    for (long until = System.currentTimeMillis() + 60_000; !release.exists() && System.currentTimeMillis() < until; ) {
                        sleep(20);
                    }
                }
                byte[] body = ("version=" + version).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        server.start();
        System.out.println("StandIn " + version + " started on port " + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("SIGTERM received: stopping gracefully");
            // no new connections; with requests in flight, stop(30) returns once they finished (JDK 17's stop waits
            // its whole delay when there are none: then it need not wait at all)
            server.stop(inFlight.get() > 0 && !immediate ? 30 : 0);
            pool.shutdown();
            sleep(shutdownDelay);
            System.out.println("stopped");
        }));
    }

    private static String option(String[] args, String name, String otherwise) {
        for (String arg : args) {
            if (arg.startsWith("--" + name + "=")) {
                return arg.substring(name.length() + 3);
            }
        }
        return otherwise;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
