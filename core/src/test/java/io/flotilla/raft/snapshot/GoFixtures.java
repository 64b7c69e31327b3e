package io.flotilla.raft.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Snapshot directories written by the real hashicorp/raft 1.1.2 {@code FileSnapshotStore} (Go 1.19); see
 * {@code go-written/generate.go.txt} for the program and {@code go-written/README.md}.
 */
final class GoFixtures {
    /** The seed test's snapshot: term 3, index 10, [Voter "my id" "over here"], cfg index 2, "first\nsecond\n". */
    static final String SEED_ID = "3-10-1795705555080";
    /** Term 2^63, index 2^64-1, configuration index 2^64-2, strings needing escapes, all suffrages, 5000 bytes. */
    static final String AWKWARD_ID = "9223372036854775808-18446744073709551615-1795705555083";
    /** Term 1, index 5, no servers, no data. */
    static final String EMPTY_ID = "1-5-1795705555085";

    private GoFixtures() {
    }

    static Path root() {
        try {
            return Path.of(GoFixtures.class.getResource("/io/flotilla/raft/snapshot/go-written").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] read(String relative) {
        try {
            return Files.readAllBytes(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies one Go-written snapshot directory into {@code snapshotsDir}. */
    static void copySnapshot(String id, Path snapshotsDir) throws IOException {
        copyTree(root().resolve("snapshots").resolve(id), snapshotsDir.resolve(id));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
