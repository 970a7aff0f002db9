package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTest {
    @TempDir
    Path tmp;

    @Test
    void joinedArgumentsReachTheProgramLiterallyAndNothingIsExecuted() throws Exception {
        Path pwned = tmp.resolve("pwned");
        List<String> nasty = List.of("plain", "with space", "it's", "\"double\"", "$(touch " + pwned + ")", "`touch " + pwned + "`",
                "; touch " + pwned, "a\nb", "$HOME", "*", "--x=\\'y\\'", "");
        List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
        argv.addAll(nasty);
        // the same path an SSH command takes: one line for a shell, built by Shell.join
        ExecResult result = new LocalTransport().exec(List.of("sh", "-c", Shell.join(argv)), Duration.ofSeconds(10));

        StringBuilder expected = new StringBuilder();
        nasty.forEach(word -> expected.append('[').append(word).append("]\n"));
        assertEquals(expected.toString(), result.stdout());
        assertFalse(Files.exists(pwned), "no injected command ran");
    }

    @Test
    void splitReadsConfiguredCommandsWithQuotes() {
        assertEquals(List.of("sudo", "systemctl", "reload", "nginx"), Shell.split("sudo systemctl reload nginx"));
        assertEquals(List.of("nginx", "-p", "/srv/my nginx/", "-t"), Shell.split("nginx -p '/srv/my nginx/' -t"));
        assertEquals(List.of("a", "b c", ""), Shell.split("a \"b c\" ''"));
        assertThrows(IllegalArgumentException.class, () -> Shell.split("nginx -p 'open"));
    }
}
