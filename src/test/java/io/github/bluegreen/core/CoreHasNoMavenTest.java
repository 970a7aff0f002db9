package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core (and its packages) is usable and testable without Maven: only the plugin package may import it. */
class CoreHasNoMavenTest {

    @Test
    void noCoreSourceImportsMaven() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java/io/github/bluegreen/core"))) {
            List<String> offenders = sources.filter(Files::isRegularFile).filter(file -> {
                try {
                    return Files.readString(file).contains("import org.apache.maven");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertEquals(List.of(), offenders);
        }
    }
}
