package io.github.bluegreen.core;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Proof that a deploy dropped nothing: while the switch and the drain run, the public side (the proof URL through nginx,
 * as seen from the server) is probed at a steady rate. At the end: probes sent, the failed ones (status or error), when
 * the new version first answered and when the old one last did (told apart by their answers before the switch).
 */
final class Proof {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** One probe: milliseconds since the proof began, and its answer or error. */
    record Probe(long at, int status, String body, String error) {}

    private final Transport transport;
    private final URI url;
    private final Duration interval;
    private final String oldAnswer;
    private final String newAnswer;
    private final long begin = System.nanoTime();
    private final List<Probe> probes = new ArrayList<>();
    private final CountDownLatch firstProbe = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    private Proof(Transport transport, URI url, Duration interval, String oldAnswer, String newAnswer) {
        this.transport = transport;
        this.url = url;
        this.interval = interval;
        this.oldAnswer = oldAnswer;
        this.newAnswer = newAnswer;
        this.thread = new Thread(this::probe, "bluegreen-proof");
        this.thread.setDaemon(true);
    }

    /**
     * Starts probing; the old and new instances are asked directly first, to tell their answers apart. Returns once the
     * first probe through nginx is in: the proof always sees what was served before the switch.
     */
    static Proof start(Transport transport, DeployConfig.Traffic traffic, DeployState.Instance old, DeployState.Instance next) {
        URI url = URI.create(traffic.proofUrl());
        String path = path(url);
        Proof proof = new Proof(transport, url, traffic.proofInterval(), answer(transport, old, path), answer(transport, next, path));
        proof.thread.start();
        try {
            proof.firstProbe.await(PROBE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return proof;
    }

    private static String path(URI url) {
        return (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    }

    private static String answer(Transport transport, DeployState.Instance instance, String path) {
        if (instance == null || instance.pid() == null) {
            return null;
        }
        try {
            HttpResult result = transport.httpGet(instance.port(), path, Duration.ofSeconds(2));
            return result.status() + " " + result.body();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean newVersionAnswered() {
        synchronized (probes) {
            return probes.stream().anyMatch(probe -> newAnswer.equals(probe.body()));
        }
    }

    private void probe() {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        while (running) {
            long at = (System.nanoTime() - begin) / 1_000_000;
            Probe probe;
            try {
                HttpResult result = transport.httpGet(port, path(url), PROBE_TIMEOUT);
                probe = new Probe(at, result.status(), result.status() + " " + result.body(), null);
            } catch (IOException e) {
                probe = new Probe(at, -1, null, e.getMessage());
            }
            synchronized (probes) {
                probes.add(probe);
            }
            firstProbe.countDown();
            HealthCheckStep.sleep(interval);
        }
    }

    /**
     * Stops probing, once the new version has answered through nginx (at most 3 s more: the drain may end before the
     * first probe after the switch), so that the report can say when it did; the report for the build log.
     */
    Report stop() {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (newAnswer != null && !newAnswer.equals(oldAnswer) && System.nanoTime() < deadline && !newVersionAnswered()) {
            HealthCheckStep.sleep(Duration.ofMillis(20));
        }
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (probes) {
            return new Report(url, List.copyOf(probes), oldAnswer, newAnswer);
        }
    }

    /** What the probes saw. */
    record Report(URI url, List<Probe> probes, String oldAnswer, String newAnswer) {
        List<Probe> failed() {
            return probes.stream().filter(probe -> probe.status() < 200 || probe.status() >= 400).toList();
        }

        String describe() {
            List<Probe> failed = failed();
            StringBuilder text = new StringBuilder("PROOF: " + probes.size() + " probes of " + url + " during the switch and the drain, "
                    + failed.size() + " failed");
            if (!failed.isEmpty()) {
                Map<String, Integer> why = new LinkedHashMap<>();
                failed.forEach(probe -> why.merge(probe.error() != null ? probe.error() : "HTTP " + probe.status(), 1, Integer::sum));
                text.append(" (").append(String.join(", ", why.entrySet().stream().map(e -> e.getValue() + "x " + e.getKey()).toList()))
                        .append("; first at +").append(failed.get(0).at()).append(" ms)");
            }
            if (oldAnswer == null || newAnswer == null || oldAnswer.equals(newAnswer)) {
                text.append("; the two versions answer alike there, so which one answered is not told apart");
            } else {
                Probe firstNew = probes.stream().filter(p -> newAnswer.equals(p.body())).findFirst().orElse(null);
                Probe lastOld = probes.stream().filter(p -> oldAnswer.equals(p.body())).reduce((a, b) -> b).orElse(null);
                text.append("; first answer from the new version ").append(firstNew == null ? "never" : "at +" + firstNew.at() + " ms")
                        .append(", last from the old one ").append(lastOld == null ? "never" : "at +" + lastOld.at() + " ms");
            }
            return text.toString();
        }
    }
}
