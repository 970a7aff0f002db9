package com.example.demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of /actuator/health. {@code --demo.health=DOWN} keeps the app unhealthy and {@code --demo.health=HANG}
 * makes the endpoint accept requests but never answer: how the tests show a bad release being refused.
 */
@Component
public class DemoHealth implements HealthIndicator {

    @Value("${demo.health:UP}")
    private String mode;

    @Override
    public Health health() {
        if ("HANG".equals(mode)) {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return "DOWN".equals(mode) ? Health.down().withDetail("demo.health", mode).build() : Health.up().build();
    }
}
