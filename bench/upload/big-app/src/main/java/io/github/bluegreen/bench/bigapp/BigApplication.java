package io.github.bluegreen.bench.bigapp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

@SpringBootApplication
@EnableCaching
public class BigApplication {
    public static void main(String[] args) {
        SpringApplication.run(BigApplication.class, args);
    }
}
