package com.example.demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of /actuator/health. {@code --demo.health=DOWN} keeps the app unhealthy and {@code --demo.health=HANG}
 * makes the endpoint accept requests but never answer: how the tests show a bad release being refused.
 * {@code --demo.ready-after-ms=N} reports DOWN for N ms after start, like an app that warms up slowly.
 */
@Component
public class DemoHealth implements HealthIndicator {

    @Value("${demo.health:UP}")
    private String mode;

    @Value("${demo.ready-after-ms:0}")
    private long readyAfterMs;

    private final long createdAt = System.currentTimeMillis();

    @Override
    public Health health() {
        if ("HANG".equals(mode)) {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean warmingUp = System.currentTimeMillis() < createdAt + readyAfterMs;
        return "DOWN".equals(mode) || warmingUp ? Health.down().withDetail("demo.health", mode).build() : Health.up().build();
    }
}
