package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Damages the database files of a closed store — truncating and flipping bytes in the WAL, SST and MANIFEST
 * files, deleting CURRENT, the MANIFEST and a table file — and checks that opening then fails with an error
 * naming the store, or, where RocksDB recovers by design (a torn WAL tail), that nothing acknowledged before
 * the damaged write is lost and nothing damaged is returned. Each trial works on a fresh copy of one store.
 *
 * <p>The store holds 60 batches of 5 entries: batches 1-40 flushed to SST files, 41-60 only in the WAL, plus
 * stable values in both.
 */
class DamagedFilesTest {
    private static final Logger LOG = LoggerFactory.getLogger(DamagedFilesTest.class);
    private static final int BATCH = 5;
    private static final int FLUSHED_BATCHES = 40;
    private static final int BATCHES = 60;
    private static final long LAST = (long) BATCHES * BATCH;
    private static final byte[] TERM_KEY = "CurrentTerm".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VOTE_KEY = "LastVoteCand".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    private Path pristine;
    /** Size of the live WAL after each WAL-only batch was acknowledged, indexed by batch number. */
    private final Map<Integer, Long> walSizeAfter = new TreeMap<>();
    private int trials;

    @BeforeEach
    void createStore() throws IOException {
        pristine = tmp.resolve("pristine");
        try (RocksDbStore store = RocksDbStore.open(pristine)) {
            store.setUint64(TERM_KEY, 3);
            store.set(VOTE_KEY, "node-1".getBytes(StandardCharsets.UTF_8));
            for (int b = 1; b <= BATCHES; b++) {
                store.storeLogs(batch(b));
                if (b == FLUSHED_BATCHES) {
                    store.flushForTesting();
                    store.setUint64(TERM_KEY, 4); // the newest stable value lives in the WAL only
                }
                if (b > FLUSHED_BATCHES) {
                    walSizeAfter.put(b, Files.size(liveWal(pristine)));
                }
            }
        }
        walSizeAfter.put(FLUSHED_BATCHES, walSizeAfter.get(FLUSHED_BATCHES + 1)
                - recordBytes(FLUSHED_BATCHES + 1)); // where batch 41's record starts
        assertThat(files(pristine, ".sst")).as("SST files").isNotEmpty();
    }

    // ---------------------------------------------------------------- WAL

    /**
     * A power cut while a batch is being written can leave part of its WAL record on disk. That write never
     * returned, so nobody was told it was durable; recovery must drop the whole batch and keep every earlier
     * one. (kTolerateCorruptedTailRecords; kAbsoluteConsistency would refuse to open here.)
     */
    @Test
    void a_torn_wal_tail_drops_exactly_the_batch_that_was_being_written() throws Exception {
        long start = walSizeAfter.get(BATCHES - 1);
        long end = walSizeAfter.get(BATCHES);
        for (int k = 1; k < 10; k++) {
            long cut = start + (end - start) * k / 10;
            Path copy = damagedCopy(dir -> truncate(liveWal(dir), cut));
            try (RocksDbStore store = RocksDbStore.open(copy)) {
                assertHolds(store, LAST - BATCH);
                assertThat(store.getLog(LAST - BATCH + 1)).as("torn batch, cut at %d of %d..%d", cut, start, end).isEmpty();
            }
        }
    }

    /**
     * Cutting the WAL anywhere leaves whole batches only, all intact. A cut exactly between two records reads
     * as a WAL that was never longer — no WAL format can tell that apart from fewer writes, so losing synced
     * records this way is beyond detection: it is the disk breaking the promise of {@code fdatasync}. A cut
     * inside a record is the torn tail above.
     */
    @Test
    void a_wal_cut_anywhere_leaves_whole_intact_batches_only() throws Exception {
        long length = Files.size(liveWal(pristine));
        for (long cut = 0; cut < length; cut += 1 + length / 60) {
            long at = cut;
            Path copy = damagedCopy(dir -> truncate(liveWal(dir), at));
            try (RocksDbStore store = RocksDbStore.open(copy)) {
                long last = store.lastIndex();
                assertThat(last % BATCH).as("last index %d after cutting the WAL at %d is a batch end", last, at).isZero();
                assertThat(last).as("flushed batches survive any WAL damage").isGreaterThanOrEqualTo((long) FLUSHED_BATCHES * BATCH);
                long expectedLast = (long) lastBatchWholly(at) * BATCH;
                assertThat(last).as("cut at %d", at).isEqualTo(expectedLast);
                assertHolds(store, last);
            }
        }
    }

    @Test
    void a_flipped_byte_anywhere_in_the_wal_fails_the_open() throws Exception {
        long length = Files.size(liveWal(pristine));
        Random random = new Random(7);
        List<Long> positions = new ArrayList<>();
        for (long p = 0; p < 32; p++) {
            positions.add(p); // the first record's header and the start of its payload
        }
        for (long batchEnd : walSizeAfter.values()) {
            if (batchEnd < length) {
                positions.add(batchEnd + random.nextInt(7)); // headers of later records: checksum, length, type
            }
        }
        for (int i = 0; i < 40; i++) {
            positions.add((long) random.nextInt((int) length)); // payloads
        }
        positions.add(length - 1); // the very last byte: the last record's payload
        for (long pos : positions) {
            Path copy = damagedCopy(dir -> flip(liveWal(dir), pos));
            assertThatThrownBy(() -> RocksDbStore.open(copy).close())
                    .as("WAL byte %d of %d flipped", pos, length)
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining(copy.toString())
                    .hasMessageMatching("(?s).*(checksum mismatch|bad record length).*");
        }
    }

    // ---------------------------------------------------------------- SST

    /**
     * A flipped byte in a table file is caught by RocksDB's block checksums: either the open fails (the footer,
     * index or metadata blocks are read at open) or reading the damaged block fails. Every read either returns
     * the exact entry or throws; none returns a wrong entry or claims a stored entry is missing.
     */
    @Test
    void a_flipped_byte_in_an_sst_is_never_returned_and_never_hides_an_entry() throws Exception {
        Random random = new Random(11);
        int openFailed = 0;
        int readFailed = 0;
        int harmless = 0;
        for (Path sst : files(pristine, ".sst")) {
            long length = Files.size(sst);
            for (int i = 0; i < 60; i++) {
                // Half the flips in the last 4 KiB, where the index, metadata and footer blocks are.
                long pos = i % 2 == 0 ? random.nextLong(length) : Math.max(0, length - 1 - random.nextInt(4096));
                Path copy = damagedCopy(dir -> flip(dir.resolve(sst.getFileName()), pos));
                RocksDbStore store;
                try {
                    store = RocksDbStore.open(copy);
                } catch (StoreCorruptedException e) {
                    assertThat(e).hasMessageContaining(copy.toString());
                    openFailed++;
                    continue;
                }
                try (store) {
                    if (readsEveryEntryOrFails(store)) {
                        readFailed++;
                    } else {
                        harmless++;
                    }
                }
            }
        }
        LOG.info("SST byte flips: openFailed={} readFailed={} harmless={}", openFailed, readFailed, harmless);
        assertThat(openFailed).isPositive();
        assertThat(readFailed).isPositive();
    }

    @Test
    void a_truncated_sst_fails_the_open() throws Exception {
        for (Path sst : files(pristine, ".sst")) {
            long length = Files.size(sst);
            for (long keep : new long[] {0, length / 2, length - 1}) {
                Path copy = damagedCopy(dir -> truncate(dir.resolve(sst.getFileName()), keep));
                assertThatThrownBy(() -> RocksDbStore.open(copy).close())
                        .as("%s cut to %d of %d bytes", sst.getFileName(), keep, length)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(copy.toString())
                        .hasMessageContaining(sst.getFileName().toString());
            }
        }
    }

    @Test
    void a_deleted_sst_fails_the_open() throws Exception {
        Path sst = files(pristine, ".sst").get(0);
        Path copy = damagedCopy(dir -> Files.delete(dir.resolve(sst.getFileName())));
        assertThatThrownBy(() -> RocksDbStore.open(copy).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(sst.getFileName().toString())
                .hasMessageContaining("the store is damaged");
    }

    // ---------------------------------------------------------------- CURRENT and MANIFEST

    @Test
    void a_deleted_current_file_fails_the_open_instead_of_starting_an_empty_store() throws Exception {
        Path copy = damagedCopy(dir -> Files.delete(dir.resolve("CURRENT")));
        assertThatThrownBy(() -> RocksDbStore.open(copy).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(copy.resolve("CURRENT").toString())
                .hasMessageContaining("does not exist")
                .hasMessageContaining("the store is damaged");
        assertThat(copy.resolve("CURRENT")).doesNotExist();
    }

    @Test
    void a_deleted_manifest_fails_the_open() throws Exception {
        Path manifest = files(pristine, "MANIFEST-").get(0);
        Path copy = damagedCopy(dir -> Files.delete(dir.resolve(manifest.getFileName())));
        assertThatThrownBy(() -> RocksDbStore.open(copy).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(manifest.getFileName().toString());
    }

    /**
     * The MANIFEST is RocksDB's own log of which files make up the database. A flipped byte fails RocksDB's
     * checksum. A cut tail is taken for a torn write, and RocksDB opens without the table files the lost edits
     * added — entries and stable values gone without an error; the store's bookkeeping records (bounds and
     * stable digest) are what turn that into a failed open. Either way the store never opens with data
     * missing.
     */
    @Test
    void a_damaged_manifest_fails_the_open_or_loses_nothing() throws Exception {
        Path manifest = files(pristine, "MANIFEST-").get(0);
        long length = Files.size(manifest);
        int failed = 0;
        int intact = 0;
        for (long pos = 0; pos < length; pos += 1 + length / 40) {
            long at = pos;
            for (boolean truncate : new boolean[] {true, false}) {
                Path copy = damagedCopy(dir -> {
                    if (truncate) {
                        truncate(dir.resolve(manifest.getFileName()), at);
                    } else {
                        flip(dir.resolve(manifest.getFileName()), at);
                    }
                });
                RocksDbStore store;
                try {
                    store = RocksDbStore.open(copy);
                } catch (IOException e) {
                    assertThat(e).hasMessageContaining(copy.toString());
                    failed++;
                    continue;
                }
                try (store) {
                    assertHolds(store, LAST);
                    intact++;
                }
            }
        }
        LOG.info("MANIFEST damage: openFailed={} openedIntact={}", failed, intact);
        assertThat(failed).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    private static List<LogEntry> batch(int b) {
        return CrashWorkload.batch(b, (long) (b - 1) * BATCH + 1, (long) b * BATCH);
    }

    private static long recordBytes(int b) {
        // A WAL record is a 7-byte header around the write batch; only used to find where batch 41 starts.
        long size = 0;
        for (LogEntry e : batch(b)) {
            size += StoredFormat.encodeEntry(e).length + 8 + 3;
        }
        return size + 12 + 7;
    }

    /** The number of the last batch whose WAL record ends at or before {@code length} bytes. */
    private int lastBatchWholly(long length) {
        int last = FLUSHED_BATCHES;
        for (Map.Entry<Integer, Long> e : walSizeAfter.entrySet()) {
            if (e.getKey() > FLUSHED_BATCHES && e.getValue() <= length) {
                last = e.getKey();
            }
        }
        return last;
    }

    /** Checks entries 1..last and the stable values; fails the test on any wrong or missing value. */
    private static void assertHolds(RocksDbStore store, long last) throws IOException {
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isEqualTo(last);
        List<LogEntry> expected = new ArrayList<>();
        for (int b = 1; (long) b * BATCH <= last; b++) {
            expected.addAll(batch(b));
        }
        assertThat(store.getLogs(1, last)).isEqualTo(expected);
        assertThat(store.getUint64(TERM_KEY)).isIn(3L, 4L);
        assertThat(store.get(VOTE_KEY)).hasValueSatisfying(v -> assertThat(v).isEqualTo("node-1".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads every entry and stable value one by one; each must be exactly right or throw
     * {@link StoreCorruptedException}. Returns whether any read threw.
     */
    private static boolean readsEveryEntryOrFails(RocksDbStore store) throws IOException {
        boolean failed = false;
        assertThat(store.firstIndex()).isEqualTo(1);
        assertThat(store.lastIndex()).isEqualTo(LAST);
        for (int b = 1; b <= BATCHES; b++) {
            for (LogEntry e : batch(b)) {
                try {
                    Optional<LogEntry> read = store.getLog(e.index());
                    assertThat(read).as("entry %d", e.index()).contains(e);
                } catch (StoreCorruptedException x) {
                    failed = true;
                }
            }
        }
        try {
            assertThat(store.getUint64(TERM_KEY)).isEqualTo(4);
            assertThat(store.get(VOTE_KEY)).isPresent();
        } catch (StoreCorruptedException x) {
            failed = true;
        }
        return failed;
    }

    @FunctionalInterface
    private interface Damage {
        void apply(Path dir) throws IOException;
    }

    private Path damagedCopy(Damage damage) throws IOException {
        Path copy = tmp.resolve("trial-" + trials++);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(pristine)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        damage.apply(copy);
        return copy;
    }

    private static Path liveWal(Path dir) throws IOException {
        List<Path> wals = files(dir, ".log");
        if (wals.isEmpty()) {
            fail("no WAL in " + dir);
        }
        return wals.get(wals.size() - 1);
    }

    /** Files whose names end (or, for {@code MANIFEST-}, start) with {@code pattern}, in name order. */
    private static List<Path> files(Path dir, String pattern) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return pattern.endsWith("-") ? name.startsWith(pattern) : name.endsWith(pattern);
            }).sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static void flip(Path file, long pos) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x20);
        }
    }
}
