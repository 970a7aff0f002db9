package io.github.bluegreen.core;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests to the new instance directly (never through nginx, so never to the live one) before the switch, so that the
 * JIT has compiled the hot paths when the first user request arrives: the new version goes live warm.
 */
final class WarmUp {
    private WarmUp() {}

    static void run(Deployment d, DeployState.Instance target) {
        DeployConfig.Traffic traffic = d.config.traffic();
        List<String> paths = traffic.warmupPaths();
        int requests = traffic.warmupRequests();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Long> micros = java.util.Collections.synchronizedList(new ArrayList<>());
        Instant begin = Instant.now();
        // bounded like the health check: an instance that answers slowly never holds the deploy for long
        Instant deadline = begin.plus(d.config.health().timeout());
        int concurrency = Math.max(1, traffic.warmupConcurrency());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < requests && Instant.now().isBefore(deadline); ) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResult answer = d.transport.httpGet(target.port(), paths.get(n % paths.size()), d.config.health().probeTimeout());
                            if (answer.status() >= 500) {
                                failed.incrementAndGet();
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                        micros.add((System.nanoTime() - t0) / 1000);
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            d.log.warn("Warm-up stopped: " + e.getCause());
        } finally {
            pool.shutdown();
        }
        List<Long> all;
        synchronized (micros) {
            all = new ArrayList<>(micros);
        }
        int tail = Math.min(all.size(), Math.max(1, requests / 10));
        if (all.size() < requests) {
            d.log.warn("Warm-up stopped after " + all.size() + " of " + requests + " requests: it ran for bluegreen.healthTimeoutSeconds ("
                    + Durations.format(d.config.health().timeout()) + ")");
        }
        d.log.info("Warm-up: " + all.size() + " requests to port " + target.port() + " " + paths + " in "
                + Durations.format(Duration.between(begin, Instant.now())) + " (" + concurrency + " at once), median "
                + median(all.subList(0, Math.min(all.size(), tail))) + " for the first " + tail + ", " + median(all.subList(all.size() - tail, all.size()))
                + " for the last " + tail + (failed.get() > 0 ? "; " + failed.get() + " failed (HTTP 5xx or no answer)" : ""));
    }

    private static String median(List<Long> micros) {
        if (micros.isEmpty()) {
            return "-";
        }
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        return String.format(java.util.Locale.ROOT, "%.1f ms", sorted.get(sorted.size() / 2) / 1000.0);
    }
}
