package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's protocol table is the one the code defines ({@link Phase#table()}), word for word. */
class ReadmeProtocolTest {

    @Test
    void theReadmeShowsTheProtocolOfTheCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String begin = "<!-- protocol:begin -->\n";
        String shown = readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf("<!-- protocol:end -->"));
        assertEquals(Phase.table(), shown, "paste Phase.table() between the protocol markers of README.md");
    }
}
