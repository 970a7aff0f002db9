import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny stand-in app for the core tests, run in java's source-file mode: {@code java TestApp.java --server.port=N}.
 * Environment: VERSION (answer of GET /), HEALTH = UP | DOWN | HANG | EXIT (exit 3 at once), LISTEN_AFTER_MS (bind the
 * port only after that long, like an app that starts slowly).
 */
public class TestApp {
    public static void main(String[] args) throws Exception {
        int port = 8080;
        for (String arg : args) {
            if (arg.startsWith("--server.port=")) {
                port = Integer.parseInt(arg.substring(14));
            }
        }
        String health = System.getenv().getOrDefault("HEALTH", "UP");
        String version = System.getenv().getOrDefault("VERSION", "v1");
        System.out.println("TestApp " + version + " starting on " + port + " with health " + health);
        if (health.equals("EXIT")) {
            System.out.println("APPLICATION FAILED TO START: configured to exit");
            System.exit(3);
        }
        Thread.sleep(Long.parseLong(System.getenv().getOrDefault("LISTEN_AFTER_MS", "0")));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/actuator/health", exchange -> {
            if (health.equals("HANG")) {
                sleep(60_000);
            }
            boolean up = health.equals("UP");
            byte[] body = ("{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(up ? 200 : 503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/slow-health", exchange -> {   // UP, after 3 s: a health check that takes its time
            sleep(3000);
            byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
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
            byte[] body = ("version=" + version).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
