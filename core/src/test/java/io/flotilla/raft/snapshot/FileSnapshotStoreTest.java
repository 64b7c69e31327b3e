package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.SnapshotVersion;
import io.flotilla.raft.Suffrage;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class FileSnapshotStoreTest {
    private static final int V = SnapshotVersion.MAX;
    private static final Configuration SEED_CONFIG = Configuration.of(Server.voter("my id", "over here"));

    @TempDir
    Path base;

    private final TestClock clock = new TestClock(1577836800000L);

    private FileSnapshotStore store(int retain) throws IOException {
        return new FileSnapshotStore(base, retain, clock);
    }

    private Path snapshots() {
        return base.toAbsolutePath().resolve("snapshots");
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(snapshots())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] readAll(SnapshotStream stream) throws IOException {
        try (stream) {
            return stream.data().readAllBytes();
        }
    }

    /** Creates and closes a snapshot holding {@code data}, advancing the clock so ids differ. */
    private String snapshot(FileSnapshotStore store, long term, long index, byte[] data) throws IOException {
        SnapshotSink sink = store.create(V, index, term, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
        sink.write(data);
        sink.close();
        clock.advance(1);
        return sink.id();
    }

    // --- The seed's file_snapshot_test.go, one test each ---

    /** TestFileSnapshotStoreImpl: a new store is a usable SnapshotStore over an empty snapshots directory. */
    @Test
    void newStoreIsAnEmptySnapshotStore() throws IOException {
        SnapshotStore store = store(3);
        assertThat(store.list()).isEmpty();
        assertThat(entries()).isEmpty(); // the permTest probe is gone
        assertThat(((FileSnapshotStore) store).directory()).isEqualTo(snapshots());
    }

    /** TestFileSnapshotSinkImpl: a sink is a SnapshotSink whose bytes become the snapshot. */
    @Test
    void sinkIsAnOutputStreamWhoseBytesBecomeTheSnapshot() throws IOException {
        FileSnapshotStore store = store(3);
        SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
        assertThat(sink.id()).isEqualTo("3-10-1577836800000");
        sink.write('a');
        sink.write("xbcx".getBytes(StandardCharsets.US_ASCII), 1, 2);
        sink.flush();
        sink.close();
        assertThat(readAll(store.open(sink.id()))).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    }

    /** TestFileSS_CreateSnapshotMissingParentDir. */
    @Test
    void createSucceedsAfterTheWholeDirectoryTreeWasRemoved() throws IOException {
        Path parent = base.resolve("parent");
        FileSnapshotStore store = new FileSnapshotStore(parent.resolve("raft"), 3, clock);
        Directories.deleteRecursively(parent);

        SnapshotSink sink = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
        sink.close();
        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(sink.id());
    }

    /** TestFileSS_CreateSnapshot. */
    @Test
    void createWriteCloseListAndOpen() throws IOException {
        FileSnapshotStore store = store(3);
        assertThat(store.list()).isEmpty();

        SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
        assertThat(store.list()).as("not listed before close").isEmpty();

        sink.write("first\n".getBytes(StandardCharsets.US_ASCII));
        sink.write("second\n".getBytes(StandardCharsets.US_ASCII));
        sink.close();

        List<SnapshotMeta> list = store.list();
        assertThat(list).hasSize(1);
        SnapshotMeta latest = list.get(0);
        assertThat(latest.index()).isEqualTo(10);
        assertThat(latest.term()).isEqualTo(3);
        assertThat(latest.configuration()).isEqualTo(SEED_CONFIG);
        assertThat(latest.configurationIndex()).isEqualTo(2);
        assertThat(latest.size()).isEqualTo(13);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.peers()).isEqualTo(LegacyPeers.encode(SEED_CONFIG, PeerCodec.ADDRESS));

        try (SnapshotStream stream = store.open(latest.id())) {
            assertThat(stream.meta()).isEqualTo(latest);
            assertThat(stream.data().readAllBytes()).isEqualTo("first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** TestFileSS_CancelSnapshot. */
    @Test
    void cancelledSnapshotIsNotListedAndLeavesNothingBehind() throws IOException {
        FileSnapshotStore store = store(3);
        SnapshotSink sink = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
        sink.write(new byte[100]);
        sink.cancel();
        assertThat(store.list()).isEmpty();
        assertThat(entries()).isEmpty();
    }

    /** TestFileSS_Retention. */
    @Test
    void keepsOnlyTheNewestRetainSnapshots() throws IOException {
        FileSnapshotStore store = store(2);
        for (int i = 10; i < 15; i++) {
            snapshot(store, 3, i, new byte[0]);
        }
        assertThat(store.list()).extracting(SnapshotMeta::index).containsExactly(14L, 13L);
        assertThat(entries()).hasSize(2);
    }

    /**
     * TestFileSS_BadPerm. Skipped where a mode-000 directory stays writable, as it does for root (this suite
     * usually runs as root in CI containers) and on Windows.
     */
    @Test
    void rejectsADirectoryWithoutPermissions() throws IOException {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "no POSIX permissions on Windows");
        Path dir = Files.createDirectory(base.resolve("badperm"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isWritable(dir), "running as root: permissions are not enforced");
            assertThatThrownBy(() -> new FileSnapshotStore(dir, 3)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("snapshot path not accessible: ");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** TestFileSS_MissingParentDir. */
    @Test
    void constructionCreatesMissingParents() throws IOException {
        Path dir = base.resolve("a/b/c");
        new FileSnapshotStore(dir, 3);
        assertThat(dir.resolve("snapshots")).isDirectory();
    }

    /** TestFileSS_Ordering. */
    @Test
    void theTermDominatesTheOrder() throws IOException {
        FileSnapshotStore store = store(3);
        snapshot(store, 5, 130350, new byte[0]);
        snapshot(store, 36, 204917, new byte[0]);
        assertThat(store.list()).extracting(SnapshotMeta::term).containsExactly(36L, 5L);
    }

    // --- Byte compatibility with Go ---

    @Nested
    class CompatibilityWithGo {

        @Test
        void writesTheSameMetaJsonAsGoForTheInventoryExample() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
            sink.write("first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            sink.close();
            assertThat(Files.readString(snapshots().resolve("3-10-1577836800000/meta.json"))).isEqualTo(
                    "{\"Version\":1,\"ID\":\"3-10-1577836800000\",\"Index\":10,\"Term\":3,\"Peers\":\"kalvdmVyIGhlcmU=\","
                            + "\"Configuration\":{\"Servers\":[{\"Suffrage\":0,\"ID\":\"my id\",\"Address\":\"over here\"}]},"
                            + "\"ConfigurationIndex\":2,\"Size\":13,\"CRC\":\"Fin9h3zOPWw=\"}\n");
        }

        @Test
        void writesTheSameDirectoryAsGoForTheSameInputs() throws IOException {
            FileSnapshotStore store = store(10);
            clock.set(1795705555080L);
            SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
            assertThat(Files.readAllBytes(snapshots().resolve(GoFixtures.SEED_ID + ".tmp/meta.json")))
                    .as("meta.json while writing").isEqualTo(GoFixtures.read("tmp-meta.json"));
            sink.write("first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            sink.close();

            Configuration awkward = new Configuration(List.of(
                    new Server(Suffrage.VOTER, ServerId.of("a<b>&c"),
                            ServerAddress.of("q\"uote\\back\b\f\n\r\t\u0001\u001f\u007f")),
                    new Server(Suffrage.NONVOTER, ServerId.of("é😀"), ServerAddress.of("line\u2028para\u2029")),
                    new Server(Suffrage.STAGING, ServerId.of("s"), ServerAddress.of("10.0.0.3:8300")),
                    Server.voter("v2", "10.0.0.4:8300")));
            clock.set(1795705555083L);
            sink = store.create(V, -1L, Long.MIN_VALUE, awkward, -2L, PeerCodec.ADDRESS);
            byte[] data = new byte[5000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 7);
            }
            sink.write(data);
            sink.close();

            clock.set(1795705555085L);
            store.create(V, 5, 1, Configuration.EMPTY, 0, PeerCodec.ADDRESS).close();

            for (String id : List.of(GoFixtures.SEED_ID, GoFixtures.AWKWARD_ID, GoFixtures.EMPTY_ID)) {
                for (String file : List.of("meta.json", "state.bin")) {
                    assertThat(Files.readAllBytes(snapshots().resolve(id).resolve(file)))
                            .as(id + "/" + file).isEqualTo(GoFixtures.read("snapshots/" + id + "/" + file));
                }
            }
        }

        @Test
        void readsAndVerifiesSnapshotsWrittenByGo() throws IOException {
            GoFixtures.copyTree(GoFixtures.root().resolve("snapshots"), snapshots());
            FileSnapshotStore store = store(10);

            assertThat(store.list()).extracting(SnapshotMeta::id)
                    .as("unsigned term order: 2^63 is the newest")
                    .containsExactly(GoFixtures.AWKWARD_ID, GoFixtures.SEED_ID, GoFixtures.EMPTY_ID);
            assertThat(readAll(store.open(GoFixtures.SEED_ID))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("first\nsecond\n");
            assertThat(readAll(store.open(GoFixtures.AWKWARD_ID)))
                    .isEqualTo(GoFixtures.read("snapshots/" + GoFixtures.AWKWARD_ID + "/state.bin"));
            assertThat(readAll(store.open(GoFixtures.EMPTY_ID))).isEmpty();
        }

        @Test
        void readsMetaJsonWithOtherKeyCaseAndExtraFields() throws IOException {
            Path dir = Files.createDirectories(snapshots().resolve("4-20-1000"));
            Files.writeString(dir.resolve("meta.json"), "{\"version\":1,\"id\":\"4-20-1000\",\"index\":20,\"TERM\":4,"
                    + "\"peers\":\"wA==\",\"Future\":[1,{\"x\":null}],\"configuration\":{\"SERVERS\":"
                    + "[{\"suffrage\":0,\"id\":\"n1\",\"address\":\"a1\",\"Zone\":\"eu\"}]},\"configurationindex\":3,"
                    + "\"size\":13,\"crc\":\"Fin9h3zOPWw=\",\"Comment\":\"hand written\"}");
            Files.writeString(dir.resolve("state.bin"), "first\nsecond\n");

            FileSnapshotStore store = store(3);
            assertThat(store.list()).containsExactly(new SnapshotMeta(1, "4-20-1000", 20, 4, new byte[] {(byte) 0xc0},
                    Configuration.of(Server.voter("n1", "a1")), 3, 13));
            assertThat(readAll(store.open("4-20-1000"))).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("first\nsecond\n");
        }
    }

    // --- Integrity checks on open ---

    @Nested
    class Open {

        @Test
        void reportsACorruptedStateFileAsCrcMismatch() throws IOException {
            FileSnapshotStore store = store(3);
            String id = snapshot(store, 3, 10, "first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            Path state = snapshots().resolve(id).resolve("state.bin");
            byte[] bytes = Files.readAllBytes(state);
            bytes[4] ^= 0x01;
            Files.write(state, bytes);

            assertThatThrownBy(() -> store.open(id)).isInstanceOf(IOException.class)
                    .hasMessage("CRC mismatch in snapshot " + id + ": meta.json records 1629fd877cce3d6c, "
                            + "state.bin has 724568d838ca3d92");
        }

        @Test
        void reportsATruncatedStateFileAsSizeMismatch() throws IOException {
            FileSnapshotStore store = store(3);
            String id = snapshot(store, 3, 10, "first\nsecond\n".getBytes(StandardCharsets.US_ASCII));
            Path state = snapshots().resolve(id).resolve("state.bin");
            Files.write(state, "first\n".getBytes(StandardCharsets.US_ASCII));

            assertThatThrownBy(() -> store.open(id)).isInstanceOf(IOException.class)
                    .hasMessage("size mismatch in snapshot " + id
                            + ": state.bin is 6 bytes but meta.json records 13 (truncated or damaged)");
        }

        @Test
        void reportsAMissingStateFile() throws IOException {
            FileSnapshotStore store = store(3);
            String id = snapshot(store, 3, 10, new byte[1]);
            Files.delete(snapshots().resolve(id).resolve("state.bin"));
            assertThatThrownBy(() -> store.open(id)).isInstanceOf(NoSuchFileException.class);
        }

        @Test
        void reportsAnUnknownSnapshot() throws IOException {
            FileSnapshotStore store = store(3);
            assertThatThrownBy(() -> store.open("1-2-3")).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot open snapshot 1-2-3: NoSuchFileException");
        }

        @Test
        void rejectsIdsThatLeaveTheSnapshotsDirectory() throws IOException {
            FileSnapshotStore store = store(3);
            for (String id : List.of("", ".", "..", "../x", "a/b", "/etc")) {
                assertThatThrownBy(() -> store.open(id)).as(id).hasMessage("invalid snapshot id: " + id);
            }
        }

        @Test
        void opensSnapshotsBeyondRetentionThatStillExist() throws IOException {
            GoFixtures.copyTree(GoFixtures.root().resolve("snapshots"), snapshots());
            FileSnapshotStore store = store(1);
            assertThat(store.list()).hasSize(1);
            assertThat(readAll(store.open(GoFixtures.EMPTY_ID))).isEmpty();
        }

        @Test
        void streamsLargeDataWrittenInOddChunks() throws IOException {
            FileSnapshotStore store = store(3);
            byte[] data = new byte[1_000_003];
            new Random(42).nextBytes(data);
            SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + off % 70_001);
                sink.write(data, off, n);
                off += n;
            }
            sink.close();
            try (SnapshotStream stream = store.open(sink.id()); InputStream in = stream.data()) {
                assertThat(stream.meta().size()).isEqualTo(data.length);
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    // --- Listing skips what it cannot use ---

    @Nested
    class Listing {

        @Test
        void skipsFilesTemporaryDirectoriesAndUnreadableOrUnsupportedSnapshots() throws IOException {
            FileSnapshotStore store = store(10);
            String good = snapshot(store, 3, 10, new byte[] {1});

            Files.writeString(snapshots().resolve("a-file"), "x");
            Files.createDirectories(snapshots().resolve("9-9-9.tmp"));
            Files.createDirectories(snapshots().resolve("no-meta"));
            Files.writeString(Files.createDirectories(snapshots().resolve("garbage")).resolve("meta.json"), "{not json");
            Files.writeString(Files.createDirectories(snapshots().resolve("wrong-type")).resolve("meta.json"),
                    "{\"Index\":\"ten\"}");
            Files.createDirectories(snapshots().resolve("unreadable/meta.json")); // a directory cannot be read as a file
            Files.writeString(Files.createDirectories(snapshots().resolve("future")).resolve("meta.json"),
                    "{\"Version\":2,\"ID\":\"future\",\"Term\":99}");
            Files.writeString(Files.createDirectories(snapshots().resolve("past")).resolve("meta.json"),
                    "{\"Version\":-1,\"ID\":\"past\",\"Term\":99}");

            assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(good);
        }

        @Test
        void readsVersionZeroSnapshots() throws IOException {
            Path dir = Files.createDirectories(snapshots().resolve("2-7-5"));
            Files.writeString(dir.resolve("meta.json"), "{\"Version\":0,\"ID\":\"2-7-5\",\"Index\":7,\"Term\":2,"
                    + "\"Peers\":\"kaFh\",\"Size\":0,\"CRC\":\"AAAAAAAAAAA=\"}\n");
            Files.write(dir.resolve("state.bin"), new byte[0]);
            FileSnapshotStore store = store(3);
            assertThat(store.list()).extracting(SnapshotMeta::version, SnapshotMeta::configuration)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0, Configuration.EMPTY));
        }

        @Test
        void ordersByTermThenIndexThenId() throws IOException {
            FileSnapshotStore store = store(10);
            clock.set(1577836800005L);
            snapshot(store, 2, 100, new byte[0]);       // 2-100-...05
            clock.set(1577836800001L);
            snapshot(store, 2, 100, new byte[0]);       // 2-100-...01: same term and index, older id
            snapshot(store, 3, 1, new byte[0]);         // higher term beats higher index
            snapshot(store, 2, 99, new byte[0]);
            snapshot(store, -1L, 0, new byte[0]);       // term 2^64-1 is the highest, not negative
            assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(
                    "18446744073709551615-0-1577836800004", "3-1-1577836800002", "2-100-1577836800005",
                    "2-100-1577836800001", "2-99-1577836800003");
        }

        @Test
        void listDoesNotShowSnapshotsStillBeingWritten() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink sink = store.create(V, 10, 3, SEED_CONFIG, 2, PeerCodec.ADDRESS);
            assertThat(store.list()).isEmpty();
            assertThat(entries()).containsExactly(sink.id() + ".tmp");
            sink.close();
            assertThat(entries()).containsExactly(sink.id());
        }
    }

    // --- Creating and finishing snapshots ---

    @Nested
    class Lifecycle {

        @Test
        void rejectsRetainBelowOne() {
            assertThatThrownBy(() -> new FileSnapshotStore(base, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("must retain at least one snapshot");
        }

        @Test
        void reportsAnInaccessibleSnapshotPath() throws IOException {
            Files.writeString(base.resolve("snapshots"), "a file where the directory should be");
            assertThatThrownBy(() -> new FileSnapshotStore(base, 3)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("snapshot path not accessible: ");
        }

        @Test
        void reportsAFailedPermissionsTest() throws IOException {
            // Works even as root: the probe file cannot be created where a non-empty directory of its name exists.
            Files.createDirectories(base.resolve("snapshots/permTest/x"));
            assertThatThrownBy(() -> new FileSnapshotStore(base, 3)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("permissions test failed: ");
        }

        @Test
        void rejectsUnsupportedVersions() throws IOException {
            FileSnapshotStore store = store(3);
            for (int version : new int[] {0, 2}) {
                assertThatThrownBy(() -> store.create(version, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("unsupported snapshot version " + version);
            }
            assertThat(entries()).isEmpty();
        }

        @Test
        void idsAreUnsignedTermIndexAndMillis() throws IOException {
            FileSnapshotStore store = store(3);
            clock.set(42);
            SnapshotSink sink = store.create(V, Long.MIN_VALUE, -1L, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            assertThat(sink.id()).isEqualTo("18446744073709551615-9223372036854775808-42");
            sink.cancel();
        }

        @Test
        void refusesToOverwriteAnExistingSnapshot() throws IOException {
            FileSnapshotStore store = store(3);
            store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS).close();
            assertThatThrownBy(() -> store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS))
                    .isInstanceOf(FileAlreadyExistsException.class);
        }

        @Test
        void closeAndCancelAreIdempotentAndTheFirstWins() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink closed = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            closed.close();
            closed.close();
            closed.cancel();
            assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(closed.id());

            clock.advance(1);
            SnapshotSink cancelled = store.create(V, 11, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            cancelled.cancel();
            cancelled.cancel();
            cancelled.close();
            assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(closed.id());
            assertThat(entries()).containsExactly(closed.id());
        }

        @Test
        void writingAfterCloseFails() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink sink = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            sink.close();
            assertThatThrownBy(() -> sink.write(1)).isInstanceOf(IOException.class)
                    .hasMessageContaining("already closed or cancelled");
            assertThatThrownBy(() -> sink.write(new byte[3])).isInstanceOf(IOException.class);
        }

        @Test
        void aFailedMetaWriteRemovesTheTemporaryDirectory() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink sink = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            sink.write(new byte[10]);
            Path meta = snapshots().resolve(sink.id() + ".tmp/meta.json");
            Files.delete(meta);
            Files.createDirectories(meta.resolve("blocker")); // meta.json can no longer be written

            assertThatThrownBy(sink::close).isInstanceOf(IOException.class);
            assertThat(entries()).isEmpty();
            assertThat(store.list()).isEmpty();
        }

        @Test
        void aFailedRenameRemovesTheTemporaryDirectoryAndKeepsTheExistingOne() throws IOException {
            FileSnapshotStore store = store(3);
            SnapshotSink sink = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            Path squatter = Files.createDirectories(snapshots().resolve(sink.id()));
            Files.writeString(squatter.resolve("keep"), "x"); // a non-empty directory cannot be renamed over

            assertThatThrownBy(sink::close).isInstanceOf(IOException.class);
            assertThat(entries()).containsExactly(sink.id());
            assertThat(squatter.resolve("keep")).exists();
        }

        @Test
        void removesTemporaryDirectoriesLeftByACrash() throws IOException {
            FileSnapshotStore first = store(3);
            String good = snapshot(first, 3, 10, new byte[] {7});
            SnapshotSink interrupted = first.create(V, 11, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            interrupted.write(new byte[1000]);
            Files.createDirectories(snapshots().resolve("1-1-1.tmp/deep/er"));
            Files.writeString(snapshots().resolve("not-a-dir.tmp"), "left alone: not a snapshot directory");
            // The process dies here: no close, no cancel.

            FileSnapshotStore restarted = store(3);
            assertThat(entries()).containsExactly(good, "not-a-dir.tmp");
            assertThat(restarted.list()).extracting(SnapshotMeta::id).containsExactly(good);
        }

        @Test
        void reapingRemovesTheOldestBeyondRetentionAndNothingElse() throws IOException {
            FileSnapshotStore wide = store(10);
            String s1 = snapshot(wide, 1, 1, new byte[0]);
            String s2 = snapshot(wide, 1, 2, new byte[0]);
            String s3 = snapshot(wide, 2, 1, new byte[0]);
            String s4 = snapshot(wide, 2, 2, new byte[0]);
            Files.createDirectories(snapshots().resolve("garbage"));

            FileSnapshotStore narrow = store(2);
            narrow.reapSnapshots();
            assertThat(entries()).containsExactlyInAnyOrder(s3, s4, "garbage");
            assertThat(narrow.list()).extracting(SnapshotMeta::id).containsExactly(s4, s3);
            assertThat(List.of(s1, s2)).noneMatch(id -> Files.exists(snapshots().resolve(id)));
        }

        /** Needs enforced permissions to make one deletion fail, so it is skipped as root. */
        @Test
        void reapingContinuesPastAFailureAndReportsIt() throws IOException {
            assumeFalse(System.getProperty("os.name").startsWith("Windows"), "no POSIX permissions on Windows");
            FileSnapshotStore wide = store(10);
            String s1 = snapshot(wide, 1, 1, new byte[0]);
            String s2 = snapshot(wide, 1, 2, new byte[0]);
            String s3 = snapshot(wide, 1, 3, new byte[0]);
            Path stuck = snapshots().resolve(s2);
            Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                assumeFalse(Files.isWritable(stuck), "running as root: permissions are not enforced");
                FileSnapshotStore narrow = store(1);
                assertThatThrownBy(narrow::reapSnapshots).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("failed to reap snapshot " + stuck);
                assertThat(snapshots().resolve(s1)).as("older snapshot still reaped").doesNotExist();
                assertThat(snapshots().resolve(s3)).exists();
            } finally {
                Files.setPosixFilePermissions(stuck, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        @Test
        void aSnapshotInProgressSurvivesAnotherBeingFinished() throws IOException {
            FileSnapshotStore store = store(1);
            SnapshotSink slow = store.create(V, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            clock.advance(1);
            SnapshotSink fast = store.create(V, 11, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
            fast.close();
            slow.write(new byte[] {1, 2});
            slow.close();
            // Both closed; retention 1 keeps the higher index even though it finished first.
            assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(fast.id());
            assertThat(entries()).containsExactly(fast.id());
        }
    }
}
