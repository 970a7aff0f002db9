package io.github.bluegreen.core.cds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A Spring Boot executable jar as a plain class path sees it: its main class ({@code Start-Class}), its libraries
 * ({@code BOOT-INF/lib/}, stored uncompressed, so the server can copy each one out of the jar by its byte range) in the
 * order of {@code BOOT-INF/classpath.idx}, and its own classes ({@code BOOT-INF/classes/}, repacked as a jar of their
 * own). Boot 2.x, 3.x and 4.x jars have this shape; the JVM can then map a class-data archive of the libraries
 * (its class path a prefix of the app's, each jar unchanged), which a nested-jar class loader does not allow.
 * commons-compress gives each entry's data offset (the JDK's zip API does not).
 *
 * @param mainClass the application's main class
 * @param libraries in class path order
 */
public record BootJar(String mainClass, List<Library> libraries) {
    /** A library: the SHA-256 of its bytes, which lie at {@code offset} of the jar, {@code length} long. */
    public record Library(String sha256, long offset, long length) {}

    private static final String CLASSES = "BOOT-INF/classes/";
    private static final String LIB = "BOOT-INF/lib/";

    /** The jar's layout, or empty if it is not a Spring Boot executable jar whose libraries are stored uncompressed. */
    public static Optional<BootJar> read(Path jar) throws IOException {
        return read(jar, Map.of());
    }

    /** @param known the SHA-256 of libraries already hashed (the upload's blobs), by the offset of their bytes */
    public static Optional<BootJar> read(Path jar, Map<Long, String> known) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(jar).get()) {
            ZipArchiveEntry manifestEntry = zip.getEntry("META-INF/MANIFEST.MF");
            if (manifestEntry == null) {
                return Optional.empty();
            }
            String mainClass;
            try (InputStream in = zip.getInputStream(manifestEntry)) {
                mainClass = new Manifest(in).getMainAttributes().getValue("Start-Class");
            }
            Map<String, Library> byName = new LinkedHashMap<>();
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                String name = entry.getName();
                if (name.startsWith(LIB) && name.endsWith(".jar")) {
                    if (entry.getMethod() != ZipEntry.STORED || entry.getDataOffset() < 0) {
                        return Optional.empty();
                    }
                    String sha256 = known.get(entry.getDataOffset());
                    if (sha256 == null) {
                        try (InputStream in = zip.getRawInputStream(entry)) {
                            sha256 = sha256(in);
                        }
                    }
                    byName.put(name, new Library(sha256, entry.getDataOffset(), entry.getCompressedSize()));
                }
            }
            if (mainClass == null || mainClass.isBlank() || byName.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new BootJar(mainClass.trim(), inClassPathOrder(zip, byName)));
        } catch (IOException | RuntimeException notAZipAsExpected) {
            return Optional.empty();
        }
    }

    /** The libraries in BOOT-INF/classpath.idx's order (what Boot's own launcher uses), then any it does not name. */
    private static List<Library> inClassPathOrder(ZipFile zip, Map<String, Library> byName) throws IOException {
        List<Library> ordered = new ArrayList<>();
        ZipArchiveEntry index = zip.getEntry("BOOT-INF/classpath.idx");
        if (index != null) {
            try (InputStream in = zip.getInputStream(index)) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String name = line.trim().replaceAll("^- \"(.*)\"$", "$1");
                    Library library = byName.remove(name);
                    if (library != null) {
                        ordered.add(library);
                    }
                }
            }
        }
        ordered.addAll(byName.values());
        return ordered;
    }

    /**
     * The start command with {@code -jar {jar}} replaced by the argument file the server writes for each start
     * ({@code @{jar}.{port}.args}: the archive if the JVM can map it, the class path, the main class), or empty if the
     * command is not a {@code java ... -jar {jar} ...} one (a command of the user's own starts as it says).
     */
    public static Optional<List<String>> argFileCommand(List<String> command) {
        int jar = command.indexOf("-jar");
        if (command.isEmpty() || !Path.of(command.get(0)).getFileName().toString().equals("java") || jar < 1
                || jar + 1 >= command.size() || !command.get(jar + 1).equals("{jar}")) {
            return Optional.empty();
        }
        List<String> words = new ArrayList<>(command.subList(0, jar));
        words.add("@{jar}.{port}.args");
        words.addAll(command.subList(jar + 2, command.size()));
        return Optional.of(words);
    }

    /** The file the server reads: {@code main=CLASS}, then {@code lib SHA256 OFFSET LENGTH} per library in order. */
    public String layout() {
        StringBuilder text = new StringBuilder("main=" + mainClass + "\n");
        libraries.forEach(library -> text.append("lib ").append(library.sha256()).append(' ').append(library.offset()).append(' ')
                .append(library.length()).append('\n'));
        return text.toString();
    }

    /** Writes the application's own classes and resources (BOOT-INF/classes/) as a plain jar. */
    public static void writeClasses(Path bootJar, Path out) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (ZipFile zip = ZipFile.builder().setPath(bootJar).get(); OutputStream file = Files.newOutputStream(out);
                JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                if (entry.getName().startsWith(CLASSES) && entry.getName().length() > CLASSES.length()) {
                    JarEntry copy = new JarEntry(entry.getName().substring(CLASSES.length()));
                    copy.setTime(entry.getTime());
                    jar.putNextEntry(copy);
                    if (!entry.isDirectory()) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            in.transferTo(jar);
                        }
                    }
                    jar.closeEntry();
                }
            }
        }
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            DigestInputStream digest = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
