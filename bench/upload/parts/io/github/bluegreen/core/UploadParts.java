package io.github.bluegreen.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where the client side of the upload spends its time (bench/upload/run.sh): the same calls StartStep makes, timed one
 * by one, without a server. In this package (compiled against the plugin's jar) to reach the package-private classes.
 *
 *   usage: java -cp PLUGIN_JAR:CLASSES io.github.bluegreen.core.UploadParts NEW_JAR [OLD_JAR] [ROUNDS] [KEEP_DIR]
 *
 * Prints, per round: JarLayers.of (reads the central directory, then hashes the whole jar and every library in one
 * pass), writeBundle (the manifest and the data for the libraries OLD_JAR lacks;
 * without OLD_JAR ("" for none): all of them). Round 1 is what one Maven run pays (a cold JVM). With KEEP_DIR, the
 * last round's bundle stays there as bundle.manifest and bundle.data (run.sh rebuilds the jar from it with the
 * server's own assemble function).
 */
public final class UploadParts {
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path old = args.length > 1 && !args[1].isEmpty() ? Path.of(args[1]) : null;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path keep = args.length > 3 ? Path.of(args[3]) : null;
        for (int round = 1; round <= rounds; round++) {
            long t1 = System.nanoTime();
            JarLayers layers = JarLayers.of(jar);
            long t2 = System.nanoTime();
            Set<String> missing = new LinkedHashSet<>(layers.blobs());
            if (old != null) {
                missing.removeAll(JarLayers.of(old).blobs());
            }
            long t3 = System.nanoTime();
            boolean last = keep != null && round == rounds;
            Path manifest = last ? Files.createDirectories(keep).resolve("bundle.manifest") : Files.createTempFile("upload-parts-", ".manifest");
            Path data = last ? keep.resolve("bundle.data") : Files.createTempFile("upload-parts-", ".data");
            long sent;
            try {
                sent = layers.writeBundle(missing, manifest, data) + Files.size(manifest);
            } finally {
                if (!last) {
                    Files.deleteIfExists(manifest);
                    Files.deleteIfExists(data);
                }
            }
            long t4 = System.nanoTime();
            long gaps = layers.segments().stream().filter(s -> !s.blob()).mapToLong(JarLayers.Segment::length).sum();
            System.out.printf("round=%d layers_ms=%d bundle_ms=%d segments=%d blobs=%d gaps=%d gap_bytes=%d"
                            + " missing_blobs=%d sent_bytes=%d%n", round, (t2 - t1) / 1_000_000,
                    (t4 - t3) / 1_000_000, layers.segments().size(), layers.blobs().size(),
                    layers.segments().size() - layers.blobs().size(), gaps, missing.size(), sent);
        }
    }
}
