package io.github.bluegreen.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A Spring Boot jar as the upload sees it: the nested library jars (stored uncompressed under {@code BOOT-INF/lib/},
 * the same bytes from one release to the next as long as the dependency is the same) as content-addressed blobs, and
 * the bytes between them (zip headers, the application's classes, the loader, the central directory) as gaps. Gaps and
 * blobs in file order are exactly the jar, byte for byte: the server rebuilds it from the gaps it receives and the blobs
 * it already has (as jib does with its layers). A jar without such entries is one gap: a full upload.
 */
final class JarLayers {
    /** Libraries smaller than this travel inside the gaps: a blob costs a line in the manifest and a file on the server. */
    private static final long SMALLEST_BLOB = 16 * 1024;

    /** A piece of the jar: a gap (its bytes travel) or a blob (by its SHA-256, bytes only if the server lacks it). */
    record Segment(long offset, long length, String sha256) {
        boolean blob() {
            return sha256 != null;
        }
    }

    private final Path jar;
    private final List<Segment> segments;
    private final String sha256;

    private JarLayers(Path jar, List<Segment> segments, String sha256) {
        this.jar = jar;
        this.segments = segments;
        this.sha256 = sha256;
    }

    List<Segment> segments() {
        return segments;
    }

    /** The whole jar's size. */
    long size() {
        return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).offset() + segments.get(segments.size() - 1).length();
    }

    /** The whole jar's SHA-256 (what the server checks the jar it rebuilt against). */
    String sha256() {
        return sha256;
    }

    /** The distinct blobs, in file order. */
    Set<String> blobs() {
        Set<String> blobs = new LinkedHashSet<>();
        segments.stream().filter(Segment::blob).forEach(segment -> blobs.add(segment.sha256()));
        return blobs;
    }

    /**
     * Reads the zip's directory (a damaged one makes the whole jar one gap), then hashes the whole jar and each library in
     * one pass over the file.
     */
    static JarLayers of(Path jar) throws IOException {
        long size = Files.size(jar);
        try (FileChannel file = FileChannel.open(jar, StandardOpenOption.READ)) {
            List<long[]> libraries = storedLibraries(jar);
            MessageDigest whole = sha256Digest();
            List<Segment> segments = new ArrayList<>();
            long position = 0;
            for (long[] library : libraries) {
                if (library[0] > position) {
                    segments.add(hash(file, position, library[0] - position, whole, false));
                }
                segments.add(hash(file, library[0], library[1], whole, true));
                position = library[0] + library[1];
            }
            if (position < size) {
                segments.add(hash(file, position, size - position, whole, false));
            }
            return new JarLayers(jar, segments, HexFormat.of().formatHex(whole.digest()));
        }
    }

    /** A segment read once: its bytes go into the whole jar's digest, and a blob's into its own too. */
    private static Segment hash(FileChannel file, long offset, long length, MessageDigest whole, boolean blob) throws IOException {
        MessageDigest own = blob ? sha256Digest() : null;
        readRange(file, offset, length, chunk -> {
            whole.update(chunk.duplicate());
            if (own != null) {
                own.update(chunk);
            }
        });
        return new Segment(offset, length, own == null ? null : HexFormat.of().formatHex(own.digest()));
    }

    /**
     * [data offset, length] of each stored (uncompressed) BOOT-INF/lib/ entry big enough, in file order, as
     * commons-compress reads the zip's directory; none if it is not a zip as expected (a damaged file, overlapping
     * entries): the jar then travels whole.
     */
    private static List<long[]> storedLibraries(Path jar) {
        List<long[]> libraries = new ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setPath(jar).get()) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                String name = entry.getName();
                if (entry.getMethod() == ZipEntry.STORED && entry.getCompressedSize() >= SMALLEST_BLOB && name.startsWith("BOOT-INF/lib/")
                        && name.endsWith(".jar") && entry.getDataOffset() >= 0) {
                    libraries.add(new long[] {entry.getDataOffset(), entry.getCompressedSize()});
                }
            }
        } catch (IOException | RuntimeException notAZipAsExpected) {
            return List.of();
        }
        for (int i = 1; i < libraries.size(); i++) {
            if (libraries.get(i)[0] < libraries.get(i - 1)[0] + libraries.get(i - 1)[1]) {
                return List.of();
            }
        }
        return libraries;
    }

    /**
     * The manifest the server rebuilds the jar from: one line per segment, {@code gap LENGTH} (the next LENGTH bytes of
     * the data), {@code blob SHA256 LENGTH} (a blob it has) or {@code new SHA256 LENGTH} (a blob whose bytes are next in
     * the data); and the data: those bytes, in that order.
     */
    long writeBundle(Set<String> missing, Path manifest, Path data) throws IOException {
        Set<String> sent = new LinkedHashSet<>();
        StringBuilder lines = new StringBuilder();
        long bytes = 0;
        try (FileChannel in = FileChannel.open(jar, StandardOpenOption.READ); OutputStream out = Files.newOutputStream(data)) {
            for (Segment segment : segments) {
                boolean send = !segment.blob() || (missing.contains(segment.sha256()) && sent.add(segment.sha256()));
                lines.append(!segment.blob() ? "gap " + segment.length() : (send ? "new " : "blob ") + segment.sha256() + " " + segment.length())
                        .append('\n');
                if (send) {
                    copy(in, segment, out);
                    bytes += segment.length();
                }
            }
        }
        Files.writeString(manifest, lines);
        return bytes;
    }

    private static void copy(FileChannel in, Segment segment, OutputStream out) throws IOException {
        readRange(in, segment.offset(), segment.length(), chunk -> out.write(chunk.array(), 0, chunk.limit()));
    }

    /** Something that takes the chunks of a read, one at a time (position 0, limit the chunk's length). */
    private interface Chunks {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Reads [offset, offset + length) of the file in 64 KiB chunks. */
    private static void readRange(FileChannel file, long offset, long length, Chunks chunks) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (long at = offset, end = offset + length; at < end; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
            int n = file.read(buffer, at);
            if (n <= 0) {
                throw new IOException("the file changed while it was read");
            }
            chunks.accept(buffer.flip());
            at += n;
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
