package io.github.bluegreen.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only what the server lacks travels: the jar's library blobs are reused, the jar is rebuilt byte for byte on the server. */
class DeltaUploadTest {
    @TempDir
    Path tmp;
    LocalServer server;
    ServerCommands commands;
    ServerLayout layout;
    final LocalTransport transport = new LocalTransport();

    @BeforeEach
    void setUp() throws Exception {
        server = new LocalServer(tmp);
        layout = new ServerLayout(tmp.resolve("base").toString());
        commands = new ServerCommands(transport, layout, server.config());
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    @Test
    void theLayersOfAJarAreItsBytesInOrder() throws Exception {
        Path jar = bootJar("app-1", "lib-a", "lib-b");
        JarLayers layers = JarLayers.of(jar);
        byte[] bytes = Files.readAllBytes(jar);
        long position = 0;
        for (JarLayers.Segment segment : layers.segments()) {
            assertEquals(position, segment.offset(), "contiguous");
            if (segment.blob()) {
                assertEquals(sha256(java.util.Arrays.copyOfRange(bytes, (int) position, (int) (position + segment.length()))),
                        segment.sha256(), "a blob is named by its bytes' SHA-256");
            }
            position += segment.length();
        }
        assertEquals(Files.size(jar), position, "they cover the whole jar");
        assertEquals(2, layers.blobs().size(), "one blob per stored library: " + layers.segments());
        assertEquals(sha256(bytes), layers.sha256(), "the whole jar's SHA-256, from the same pass");
        Path notAZip = Path.of("src/test/resources/testapp/TestApp.java");
        assertEquals(1, JarLayers.of(notAZip).segments().size(), "not a zip: one gap, a whole upload");
        assertEquals(sha256(Files.readAllBytes(notAZip)), JarLayers.of(notAZip).sha256());
    }

    @Test
    void aJarWhoseZipDirectoryIsDamagedTravelsWhole() throws Exception {
        Path jar = bootJar("app-1", "lib-a", "lib-b");
        byte[] bytes = Files.readAllBytes(jar);
        // the central directory's first entry (found from the end record: the last 22 bytes, no comment) gets a name longer
        // than the directory itself
        java.nio.ByteBuffer zip = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int directory = zip.getInt(bytes.length - 22 + 16);
        zip.putShort(directory + 28, (short) 0xffff);
        Path damaged = tmp.resolve("damaged.jar");
        Files.write(damaged, bytes);
        JarLayers layers = JarLayers.of(damaged);
        assertEquals(1, layers.segments().size(), "one gap: uploaded whole, checked by its SHA-256 on the server");
        assertEquals(sha256(bytes), layers.sha256());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aRedeployWithOneChangedClassSendsOnlyTheGapsAndTheSameJarSendsNothing() throws Exception {
        Path first = bootJar("app-1", "lib-a", "lib-b");
        ServerCommands.Upload upload1 = deploy(first, "r1");
        assertEquals(Files.size(first), upload1.sent() - manifestSize(), "the first deploy sends everything once");

        Path second = bootJar("app-2", "lib-a", "lib-b");
        ServerCommands.Upload upload2 = deploy(second, "r2");
        assertTrue(upload2.sent() < Files.size(second) / 10, "only the gaps travel: " + upload2.sent() + " of " + Files.size(second));
        assertEquals(Files.size(second), upload2.sent() - manifestSize() + upload2.reused());

        ServerCommands.Blobs same = commands.blobs(JarLayers.of(second).sha256(), JarLayers.of(second));
        assertNotNull(same.jar(), "the same jar again: the server has it");
        assertTrue(same.jar().endsWith("/releases/r2/app.jar"), same.jar());
    }

    @Test
    void aCorruptBlobFailsTheRebuildAndIsDroppedSoTheNextUploadSendsIt() throws Exception {
        deploy(bootJar("app-1", "lib-a", "lib-b"), "r1");
        Path blobs = tmp.resolve("base/blobs");
        Path corrupt = Files.list(blobs).findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(corrupt);
        bytes[100] ^= 1;
        Files.write(corrupt, bytes);   // same size: only the rebuilt jar's SHA-256 tells

        Path next = bootJar("app-2", "lib-a", "lib-b");
        JarLayers layers = JarLayers.of(next);
        ServerCommands.Blobs have = commands.blobs(layers.sha256(), layers);
        assertTrue(have.missing().isEmpty(), "the server believes it has every blob");
        ServerCommands.StartResult rebuilt = start(next, "r2", bundle(next, layers, have.missing(), "r2"));
        assertEquals(ServerCommands.REBUILD_FAILED, rebuilt.exit(), rebuilt.error());
        assertFalse(Files.exists(corrupt), "the corrupt blob is gone");
        assertFalse(Files.exists(tmp.resolve("base/releases/r2/app.jar")), "no half-rebuilt jar is left to start");
        assertEquals(Set.of(corrupt.getFileName().toString()), commands.blobs(layers.sha256(), layers).missing(),
                "the next upload sends it again");
    }

    @Test
    void blobsOfPrunedReleasesAreFreed() throws Exception {
        deploy(bootJar("app-1", "lib-a", "lib-b"), "r1");
        deploy(bootJar("app-2", "lib-c", "lib-b"), "r2");
        assertEquals(3, Files.list(tmp.resolve("base/blobs")).count());
        deleteRelease("r1");
        commands.cleanup(null, List.of("r2"));
        assertEquals(2, Files.list(tmp.resolve("base/blobs")).count(), "lib-a's blob, used by no kept release, is freed");
    }

    @Test
    void aReleaseOfTheSameJarKeepsItsBlobsAndWithNoReleaseLeftEveryBlobGoes() throws Exception {
        Path jar = bootJar("app-1", "lib-a", "lib-b");
        deploy(jar, "r1");
        String reuse = commands.blobs(JarLayers.of(jar).sha256(), JarLayers.of(jar)).jar();
        ServerCommands.StartResult again = start(jar, "r2", new ServerCommands.Upload(reuse, null, 0, Files.size(jar), 0, 0));
        assertEquals(ServerCommands.OK, again.exit(), again.error());
        ProcessHandle.of(again.pid()).ifPresent(ProcessHandle::destroy);
        deleteRelease("r1");
        commands.cleanup(null, List.of("r2"));
        assertEquals(2, Files.list(tmp.resolve("base/blobs")).count(), "r2, the same jar as r1, still names both blobs");
        deleteRelease("r2");
        commands.cleanup(null, List.of());
        assertEquals(0, Files.list(tmp.resolve("base/blobs")).count(), "no release names a blob: all are freed");
    }

    private void deleteRelease(String release) throws IOException {
        try (var paths = Files.walk(tmp.resolve("base/releases/" + release))) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private long manifestSize;

    private long manifestSize() {
        return manifestSize;
    }

    /** Upload (only what is missing) and start a release; the jar on the server must be the local one, byte for byte. */
    private ServerCommands.Upload deploy(Path jar, String release) throws Exception {
        JarLayers layers = JarLayers.of(jar);
        ServerCommands.Blobs have = commands.blobs(layers.sha256(), layers);
        assertNull(have.jar());
        ServerCommands.Upload upload = bundle(jar, layers, have.missing(), release);
        ServerCommands.StartResult started = start(jar, release, upload);
        assertEquals(ServerCommands.OK, started.exit(), started.error());
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(tmp.resolve("base/releases/" + release + "/app.jar")));
        ProcessHandle.of(started.pid()).ifPresent(ProcessHandle::destroy);
        return upload;
    }

    private ServerCommands.Upload bundle(Path jar, JarLayers layers, Set<String> missing, String release) throws IOException, SetupException {
        Path manifest = tmp.resolve("manifest-" + release);
        Path data = tmp.resolve("data-" + release);
        long sent = layers.writeBundle(missing, manifest, data);
        manifestSize = Files.size(manifest);
        String target = layout.release(release) + "/app.jar";
        transport.upload(manifest, target + ".bundle");
        transport.upload(data, target + ".bundle.data");
        return new ServerCommands.Upload(null, target + ".bundle", sent + manifestSize, Files.size(jar) - sent, 0, 0);
    }

    private ServerCommands.StartResult start(Path jar, String release, ServerCommands.Upload upload) throws Exception {
        String target = layout.release(release) + "/app.jar";
        return commands.start(new ServerCommands.StartRequest(server.ports.get(0), release, target, Files.size(jar), JarLayers.of(jar).sha256(),
                layout.log(release, server.ports.get(0)), "", Duration.ofSeconds(5), Duration.ZERO, List.of("sleep", "30"), "", upload, false));
    }

    /** A jar laid out like Spring Boot's: the application's classes compressed, the libraries stored as they are. */
    private Path bootJar(String app, String... libraries) throws IOException {
        Path jar = tmp.resolve(app + "-" + String.join("-", libraries) + ".jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes());
            zip.putNextEntry(new ZipEntry("BOOT-INF/classes/App.class"));
            zip.write(random(app, 4000));
            for (String library : libraries) {
                StoredEntry.put(zip, "BOOT-INF/lib/" + library + ".jar", random(library, 40_000));
            }
        }
        return jar;
    }

    private static byte[] random(String seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed.hashCode()).nextBytes(bytes);
        return bytes;
    }
}
