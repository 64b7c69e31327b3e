package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the conformance suites do not cover: opening, closing, refusing, and reporting damage. */
class RocksDbStoreTest {
    @TempDir
    Path tmp;

    @Test
    void opening_creates_the_directory_and_marks_it_as_a_store() throws Exception {
        Path dir = tmp.resolve("a/b/node1");
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            assertThat(store.directory()).isEqualTo(dir.toAbsolutePath());
            assertThat(store.lastIndex()).isZero();
        }
        assertThat(dir.resolve(RocksDbStore.MARKER)).exists();
        assertThat(dir.resolve("CURRENT")).exists();
    }

    @Test
    void a_directory_holding_other_files_is_refused() throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "my notes");
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("neither empty nor a Flotilla store")
                .hasMessageContaining("notes.txt");
        assertThat(tmp.resolve("CURRENT")).doesNotExist();
    }

    @Test
    void a_creation_that_crashed_before_the_marker_is_completed() throws Exception {
        // RocksDB created its files, but the column families and the marker were never written.
        try (DBOptions options = new DBOptions().setCreateIfMissing(true);
             org.rocksdb.Options plain = new org.rocksdb.Options(options, new org.rocksdb.ColumnFamilyOptions());
             RocksDB db = RocksDB.open(plain, tmp.toString())) {
            assertThat(db.getName()).isNotEmpty();
        }
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLog(entry(1));
        }
        assertThat(tmp.resolve(RocksDbStore.MARKER)).exists();
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            assertThat(store.getLog(1)).contains(entry(1));
        }
    }

    @Test
    void a_marker_of_another_format_is_refused() throws Exception {
        RocksDbStore.open(tmp).close();
        Files.writeString(tmp.resolve(RocksDbStore.MARKER), "flotilla-rocksdb-store format=9\n");
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format=9");
    }

    @Test
    void a_second_store_on_the_same_directory_is_refused_while_the_first_is_open() throws Exception {
        try (RocksDbStore first = RocksDbStore.open(tmp)) {
            first.storeLog(entry(1));
            assertThatThrownBy(() -> RocksDbStore.open(tmp))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(tmp.toString())
                    .hasMessageContaining("LOCK");
            assertThat(first.getLog(1)).contains(entry(1));
        }
    }

    @Test
    void close_is_idempotent_and_every_later_call_fails_cleanly() throws Exception {
        RocksDbStore store = RocksDbStore.open(tmp);
        store.storeLog(entry(1));
        store.close();
        store.close();
        List<ThrowingCall> calls = List.of(store::firstIndex, store::lastIndex, () -> store.getLog(1),
                () -> store.getLogs(1, 2), () -> store.storeLog(entry(2)), () -> store.deleteRange(1, 1),
                () -> store.set(utf8("k"), utf8("v")), () -> store.get(utf8("k")),
                () -> store.setUint64(utf8("k"), 1), () -> store.getUint64(utf8("k")));
        for (ThrowingCall call : calls) {
            assertThatThrownBy(call::run).isInstanceOf(IOException.class).hasMessageContaining("is closed");
        }
    }

    @Test
    void a_batch_with_a_null_entry_stores_nothing() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            List<LogEntry> batch = new ArrayList<>(List.of(entry(1), entry(2)));
            batch.add(null);
            assertThatThrownBy(() -> store.storeLogs(batch)).isInstanceOf(NullPointerException.class);
            assertThat(store.lastIndex()).isZero();
            assertThat(store.getLog(1)).isEmpty();
        }
    }

    @Test
    void index_zero_may_be_stored_like_in_inmem_store() throws Exception {
        // hashicorp's store benchmarks start at index 0.
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLog(entry(0));
            store.storeLog(entry(1));
            assertThat(store.firstIndex()).isZero();
            assertThat(store.lastIndex()).isEqualTo(1);
            assertThat(store.getLog(0)).contains(entry(0));
            store.deleteRange(0, 0);
            assertThat(store.firstIndex()).isEqualTo(1);
        }
    }

    @Test
    void a_damaged_entry_is_reported_with_its_index_never_returned() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLogs(entries(1, 10));
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            byte[] value = raw.getLog(5);
            value[value.length / 2] ^= 0x10;
            raw.putLog(StoredFormat.logKey(5), value);
        }
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            assertThat(store.getLog(4)).contains(entry(4));
            assertThatThrownBy(() -> store.getLog(5))
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining("log entry at index 5 is corrupt: checksum mismatch");
            assertThatThrownBy(() -> store.getLogs(1, 10))
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining("index 5");
            assertThat(store.getLogs(6, 10)).isEqualTo(entries(6, 10));
        }
    }

    @Test
    void damage_at_either_end_of_the_log_fails_the_open() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLogs(entries(1, 10));
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.putLog(StoredFormat.logKey(10), StoredFormat.encodeEntry(entry(9)));
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessage("log entry at index 10 is corrupt: value belongs to index 9");
    }

    @Test
    void a_foreign_key_in_the_log_column_family_is_reported() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLogs(entries(1, 3));
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.putLog(new byte[] {0, 0, 0, 0, 0, 0, 0, 2, 7}, new byte[1]);
        }
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            assertThatThrownBy(() -> store.getLogs(1, 3))
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining("log keys are 8 bytes");
        }
    }

    @Test
    void a_damaged_stable_value_fails_the_open_naming_its_key() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.setUint64(utf8("CurrentTerm"), 7);
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            byte[] key = StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, utf8("CurrentTerm"));
            raw.putStable(key, StoredFormat.encodeUint64(StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, utf8("LastVoteTerm")), 7));
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("stable uint64 value of key \"CurrentTerm\" is corrupt");
    }

    @Test
    void a_stable_value_lost_or_rolled_back_behind_the_stores_back_fails_the_open() throws Exception {
        byte[] term = StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, utf8("CurrentTerm"));
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.setUint64(utf8("CurrentTerm"), 7);
            store.set(utf8("LastVoteCand"), utf8("node-2"));
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.putStable(term, StoredFormat.encodeUint64(term, 6)); // intact, but not what was last written
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("the stable values should be 2 keys");
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.putStable(term, StoredFormat.encodeUint64(term, 7));
        }
        RocksDbStore.open(tmp).close(); // restored: opens again
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.deleteStable(StoredFormat.stableKey(StoredFormat.BYTES_NAMESPACE, utf8("LastVoteCand")));
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("should be 2 keys")
                .hasMessageContaining("but are 1 keys");
    }

    @Test
    void entries_lost_at_an_end_behind_the_stores_back_fail_the_open() throws Exception {
        try (RocksDbStore store = RocksDbStore.open(tmp)) {
            store.storeLogs(entries(1, 10));
            store.deleteRange(1, 2);
        }
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            raw.deleteLog(10);
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("the log should hold entries 3..10 but holds entries 3..9");
        try (RawRocksDb raw = new RawRocksDb(tmp)) {
            for (long i = 3; i <= 9; i++) {
                raw.deleteLog(i);
            }
        }
        assertThatThrownBy(() -> RocksDbStore.open(tmp))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("the log should hold entries 3..10 but holds no entries");
    }

    @Test
    void a_log_larger_than_its_memtables_survives_flushes_compaction_and_reopening() throws Exception {
        RocksDbStoreConfig small = RocksDbStoreConfig.defaults().withMemtableBytes(64 * 1024).withBlockCacheBytes(0);
        Random random = new Random(1);
        List<LogEntry> all = new ArrayList<>();
        try (RocksDbStore store = RocksDbStore.open(tmp, small)) {
            for (long i = 1; i <= 3000; i += 10) {
                List<LogEntry> batch = new ArrayList<>();
                for (long j = i; j < i + 10; j++) {
                    byte[] data = new byte[random.nextInt(1000)];
                    random.nextBytes(data);
                    batch.add(new LogEntry(j, 1 + j / 100, LogType.COMMAND, data));
                }
                store.storeLogs(batch);
                all.addAll(batch);
                if (i % 500 == 1 && i > 1000) {
                    store.deleteRange(store.firstIndex(), i - 1000);
                }
            }
            store.deleteRange(2991, 3000); // a conflicting suffix
            store.flushForTesting();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.toString().endsWith(".sst")).count()).as("SST files").isPositive();
        }
        try (RocksDbStore store = RocksDbStore.open(tmp, small)) {
            assertThat(store.firstIndex()).isEqualTo(1502);
            assertThat(store.lastIndex()).isEqualTo(2990);
            assertThat(store.getLogs(1502, 2990)).isEqualTo(all.subList(1501, 2990));
            assertThat(store.getLog(1501)).isEmpty();
            assertThat(store.getLog(2991)).isEmpty();
        }
    }

    private static LogEntry entry(long index) {
        return new LogEntry(index, 1, LogType.COMMAND, utf8("entry " + index));
    }

    private static List<LogEntry> entries(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i));
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
