package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bluegreen.environmentFile: the app's secrets from a local file or the build's environment, never in a message. */
class EnvironmentFileTest {
    @TempDir
    Path tmp;

    @Test
    void valuesComeFromTheFileOrTheBuildsEnvironment() throws Exception {
        Path file = Files.writeString(tmp.resolve("app.env"), "# the app's secrets\n\nDB_URL=jdbc:postgresql://db/app?ssl=true&x=a=b\n"
                + "  DB_PASSWORD  \nEMPTY=\n");
        Map<String, String> read = EnvironmentFile.read(file, name -> name.equals("DB_PASSWORD") ? "pa55 word" : null);
        assertEquals(Map.of("DB_URL", "jdbc:postgresql://db/app?ssl=true&x=a=b", "DB_PASSWORD", "pa55 word", "EMPTY", ""), read);
    }

    @Test
    void aNameTheBuildDoesNotHaveOrABadNameIsRefusedWithoutShowingAnyValue() throws Exception {
        Path file = Files.writeString(tmp.resolve("app.env"), "TOKEN=t0p-s3cret\nMISSING\n");
        SetupException missing = assertThrows(SetupException.class, () -> EnvironmentFile.read(file, name -> null));
        assertTrue(missing.getMessage().contains("line 2: MISSING is not set in the environment of this build"), missing.getMessage());
        assertFalse(missing.getMessage().contains("t0p-s3cret"));
        Path bad = Files.writeString(tmp.resolve("bad.env"), "1X=secret-value\n");
        SetupException badName = assertThrows(SetupException.class, () -> EnvironmentFile.read(bad, name -> null));
        assertTrue(badName.getMessage().contains("line 1: '1X' is not an environment variable name"), badName.getMessage());
        assertFalse(badName.getMessage().contains("secret-value"));
        assertEquals("bluegreen.environmentFile", badName.parameter());
    }
}
