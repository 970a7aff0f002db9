package io.github.bluegreen.bench.bigapp;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The one class a new version changes: bench/upload/run.sh rewrites VERSION and rebuilds the jar. */
@RestController
public class VersionController {
    static final String VERSION = "v1";

    @GetMapping(value = "/", produces = "text/plain")
    public String version() {
        return "version=" + VERSION + "\n";
    }
}
