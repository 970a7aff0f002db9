package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Class-data sharing with the real server commands and a real JVM: a jar shaped like Spring Boot's (the test app's
 * classes under BOOT-INF/classes/, a library stored under BOOT-INF/lib/) runs from its libraries on a plain class path;
 * the first start records the classes it loads, the server dumps the archive after the switch, the next start maps it.
 */
class ClassDataSharingTest {
    @TempDir
    Path tmp;
    LocalServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new LocalServer(tmp);
        server.classDataSharing = true;
        bootJar(LocalServer.testAppJar(), server.artifact);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void theFirstReleaseTrainsTheArchiveIsMadeAfterTheSwitchAndTheNextReleaseMapsIt() throws Exception {
        DeployState v1 = server.deploy("v1");
        assertTrue(server.logged("Class data: no archive of these libraries for this JVM yet"), String.join("\n", server.log));
        String args = Files.readString(Path.of(v1.live().jar() + "." + v1.live().port() + ".args"));
        assertTrue(args.contains("-XX:DumpLoadedClassList=") && args.contains("/base/libs/") && args.contains("classes.jar\"\n\"TestApp\""), args);
        assertTrue(commandLine(v1.live().pid()).contains("@" + v1.live().jar() + "." + v1.live().port() + ".args"), commandLine(v1.live().pid()));
        assertEquals(Optional.of("version=v1"), server.get(v1.live().port(), "/"));
        Path archive = waitForArchive();
        assertFalse(Files.readString(dumpLog(archive)).contains("AOTClassLinking"), "JDK 17: a plain archive");

        DeployState v2 = server.deploy("v2");
        assertTrue(server.logged("Class data: the JVM maps the archive of this release's libraries"), String.join("\n", server.log));
        String mapped = Files.readString(Path.of(v2.live().jar() + "." + v2.live().port() + ".args"));
        assertTrue(mapped.contains("-XX:SharedArchiveFile=" + archive), mapped);
        assertEquals(Optional.of("version=v2"), server.get(v2.live().port(), "/"));
        String status = String.join("\n", StatusReport.of(server.deployment(), 5));
        assertTrue(status.contains("port " + v2.live().port() + " (LIVE): PID " + v2.live().pid()) && status.contains(
                "started from the class-data archive of its libraries"), status);
        assertTrue(server.logged("; start to UP "), "the summary says how long the start took: " + String.join("\n", server.log));
    }

    @Test
    void onceTheArchiveIsMadeTheTrainingInstancesOwnCommandMapsItForACrashRestartOrAReboot() throws Exception {
        DeployState v1 = server.deploy("v1");
        Path archive = waitForArchive();
        Path args = Path.of(v1.live().jar() + "." + v1.live().port() + ".args");
        for (int i = 0; i < 300 && !Files.readString(args).contains("-XX:SharedArchiveFile="); i++) {
            Thread.sleep(100);
        }
        String mapped = Files.readString(args);
        assertTrue(mapped.contains("\"-XX:SharedArchiveFile=" + archive + "\"") && !mapped.contains("DumpLoadedClassList"), mapped);
        // what systemd runs again after a crash or at boot: the same command; -Xshare:on refuses an archive it cannot map
        int port = LocalServer.freePort();
        Process restarted = new ProcessBuilder("java", "-Xshare:on", "@" + args, "--server.port=" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("restart.log").toFile()).start();
        try {
            Optional<String> answer = Optional.empty();
            for (int i = 0; i < 300 && answer.isEmpty() && restarted.isAlive(); i++) {
                Thread.sleep(100);
                answer = server.get(port, "/");
            }
            assertEquals(Optional.of("version=v1"), answer, Files.readString(tmp.resolve("restart.log")));
        } finally {
            restarted.destroy();
            restarted.waitFor();
        }
    }

    @Test
    void anArchiveTheJvmCannotMapIsNeverUsedTheStartSaysWhyAndTrainsANewOne() throws Exception {
        server.deploy("v1");
        Path archive = waitForArchive();
        Files.write(archive, new byte[4096]);   // damaged (or of another JVM build)
        DeployState v2 = server.deploy("v2");
        assertTrue(server.logged("WARN Class data: the JVM cannot map " + archive), String.join("\n", server.log));
        assertTrue(server.logged("Class data: no archive of these libraries for this JVM yet"), String.join("\n", server.log));
        assertEquals(Optional.of("version=v2"), server.get(v2.live().port(), "/"));
    }

    @Test
    void aJarThatIsNotSpringBootsStartsWithDashJarAsToday() throws Exception {
        Files.copy(LocalServer.testAppJar(), server.artifact, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DeployState v1 = server.deploy("v1");
        assertTrue(server.logged("INFO Class data: not a Spring Boot jar"), String.join("\n", server.log));
        assertEquals(Optional.of("version=v1"), server.get(v1.live().port(), "/"));
        assertFalse(Files.exists(tmp.resolve("base/libs")), "nothing extracted");
    }

    @Test
    void offRunsTheCommandAsGiven() throws Exception {
        server.classDataSharing = false;
        DeployState v1 = server.deploy("v1");
        assertTrue(commandLine(v1.live().pid()).contains(" -jar " + v1.live().jar()), commandLine(v1.live().pid()));
        assertFalse(server.logged("Class data"), String.join("\n", server.log));
    }

    @Test
    void aRollbackStartsThePreviousReleaseFromItsLayoutToo() throws Exception {
        DeployState v1 = server.deploy("v1");
        waitForArchive();
        server.deploy("v2");
        server.session.clear();
        server.environment.put("VERSION", "v1");   // (the test app answers its environment's version)
        server.deployment().rollback();
        DeployState back = server.state();
        assertEquals(v1.live().release(), back.live().release());
        assertTrue(Files.readString(Path.of(back.live().jar() + "." + back.live().port() + ".args")).contains("-XX:SharedArchiveFile="),
                "the same libraries: the archive serves the rollback too");
        assertEquals(Optional.of("version=v1"), server.get(back.live().port(), "/"));
    }

    @Test
    void onJdk24AndLaterTheArchiveOfTheLibrariesIsLinkedAheadOfTimeAndServesTheNextRelease() throws Exception {
        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        Assumptions.assumeTrue(Files.isExecutable(jdk25), "JDK 25 is where the machines of this project have it");
        server.javaCommand = jdk25.toString();
        server.deploy("v1");
        Path archive = waitForArchive();
        assertTrue(Files.readString(dumpLog(archive)).lines().findFirst().orElse("").contains("-XX:+AOTClassLinking"), Files.readString(dumpLog(archive)));
        DeployState v2 = server.deploy("v2");   // other classes of the app's own: the library set's archive still maps
        assertTrue(server.logged("Class data: the JVM maps the archive of this release's libraries"), String.join("\n", server.log));
        assertEquals(Optional.of("version=v2"), server.get(v2.live().port(), "/"));
    }

    @ParameterizedTest(name = "its JDK''s release file: {0}")
    @ValueSource(booleans = {true, false})
    void aJava8ServerStartsTheJarWithDashJarAndSaysWhy(boolean releaseFile) throws Exception {
        // Java 8 as its JDK lays it out (jre/bin/java, a release file; or a wrapper without one, which only -version
        // tells), and as it fails on an argument file: @FILE is no option
        Path jdk8 = Files.createDirectories(tmp.resolve("jdk8/jre/bin"));
        if (releaseFile) {
            Files.writeString(tmp.resolve("jdk8/release"), "JAVA_VERSION=\"1.8.0_412\"\n");
        }
        Path java = jdk8.resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "[ \"$1\" != -version ] || { echo 'openjdk version \"1.8.0_412\"' >&2; exit 0; }\n"
                + "for w in \"$@\"; do case $w in @*) echo \"Error: Could not find or load main class $w\" >&2; exit 1;; esac; done\n"
                + "exec '" + ProcessHandle.current().info().command().orElseThrow() + "' \"$@\"\n");
        java.toFile().setExecutable(true);
        server.javaCommand = java.toString();
        DeployState v1 = server.deploy("v1");
        assertTrue(server.logged("Class data: " + java + " is Java 8, which reads no argument file: started with -jar"), String.join("\n", server.log));
        assertTrue(commandLine(v1.live().pid()).contains(" -jar " + v1.live().jar()), commandLine(v1.live().pid()));
        assertEquals(Optional.of("version=v1"), server.get(v1.live().port(), "/"));
        assertFalse(Files.exists(tmp.resolve("base/libs")), "nothing extracted");
    }

    private static Path dumpLog(Path archive) {
        return archive.resolveSibling(archive.getFileName().toString().replace(".jsa", ".dump.log"));
    }

    private Path waitForArchive() throws Exception {
        Path cds = tmp.resolve("base/cds");
        for (int i = 0; i < 600; i++) {
            try (var files = Files.list(cds)) {
                Optional<Path> archive = files.filter(file -> file.toString().endsWith(".jsa")).findFirst();
                if (archive.isPresent()) {
                    return archive.get();
                }
            } catch (IOException notYet) {
                // the directory appears with the first start
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no archive after 60 s: " + (Files.isDirectory(cds) ? Files.list(cds).toList() : "no " + cds));
    }

    private static String commandLine(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
    }

    /**
     * The test app as Spring Boot packages an app: its classes under BOOT-INF/classes/, a library stored under BOOT-INF/lib/,
     * and (as Boot's launcher is) at the top too, so that java -jar runs it.
     */
    static void bootJar(Path plain, Path out) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "TestApp");
        manifest.getMainAttributes().putValue("Start-Class", "TestApp");
        byte[] library = Files.readAllBytes(plain);   // any jar does as a library
        try (JarFile app = new JarFile(plain.toFile()); OutputStream file = Files.newOutputStream(out);
                JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (JarEntry entry : List.copyOf(java.util.Collections.list(app.entries()))) {
                if (entry.getName().endsWith(".class")) {
                    for (String name : List.of(entry.getName(), "BOOT-INF/classes/" + entry.getName())) {
                        jar.putNextEntry(new JarEntry(name));
                        app.getInputStream(entry).transferTo(jar);
                        jar.closeEntry();
                    }
                }
            }
            StoredEntry.put(jar, "BOOT-INF/lib/library.jar", library);
        }
    }
}
