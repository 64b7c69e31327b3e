package io.flotilla.raft.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden wire vectors captured from Go, read from the shared directory at test time (never copied into
 * the repository), located through the {@code flotilla.shared.dir} system property set by the build.
 */
final class SharedVectors {
    private SharedVectors() {
    }

    static Path wireDir() {
        String shared = System.getProperty("flotilla.shared.dir");
        if (shared == null) {
            throw new IllegalStateException("system property flotilla.shared.dir is not set (run through Maven)");
        }
        Path dir = Path.of(shared).resolve("wire").normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no wire vectors at " + dir);
        }
        return dir;
    }

    /** The bytes of {@code <name>.hex}. */
    static byte[] bytes(String name) {
        return Hex.bytes(text(wireDir().resolve(name + ".hex")).trim());
    }

    /** Every vector name, from the {@code *.hex} files present. */
    static List<String> names() {
        try (Stream<Path> files = Files.list(wireDir())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".hex"))
                    .map(f -> f.substring(0, f.length() - 4))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
