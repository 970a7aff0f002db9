package com.example.demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A minimal web app with actuator health: GET / answers "version=<demo.version>". */
@SpringBootApplication
@RestController
public class DemoApplication {

    @Value("${demo.version}")
    private String version;

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    /** {@code ?sleepMs=N} keeps the request in flight, to show that a deploy lets it finish. */
    @GetMapping("/")
    public String version(@RequestParam(defaultValue = "0") long sleepMs) throws InterruptedException {
        Thread.sleep(Math.min(sleepMs, 30_000));
        return "version=" + version;
    }
}
