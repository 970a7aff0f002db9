package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProofTest {
    @Test
    void startReturnsOnceTheFirstProbeIsAnsweredSoTheProofSeesWhatWasServedBeforeTheSwitch() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/", exchange -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answered.incrementAndGet();
            byte[] body = "version=v1".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        slow.start();
        try {
            var traffic = new DeployConfig.Traffic("http://127.0.0.1:" + slow.getAddress().getPort() + "/", Duration.ofMillis(50),
                    false, List.of(), 0, 1);
            Proof proof = Proof.start(new LocalTransport(), traffic, null, null);
            assertEquals(1, answered.get(), "start waited for the first answer");
            Proof.Report report = proof.stop();
            assertEquals(200, report.probes().get(0).status());
        } finally {
            slow.stop(0);
        }
    }
}
