package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LogCacheTest {
    private final ScriptedLogStore backing = new ScriptedLogStore();
    private final LogCache cache = new LogCache(16, backing);

    private static LogEntry entry(long index) {
        return entry(index, 1);
    }

    private static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, LogType.COMMAND, new byte[] {(byte) index, (byte) term});
    }

    private static List<LogEntry> entries(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i));
        }
        return out;
    }

    /** hashicorp's TestLogCache, step for step. */
    @Test
    void hashicorp_TestLogCache() throws IOException {
        InmemStore store = new InmemStore();
        LogCache c = new LogCache(16, store);

        for (long i = 0; i < 32; i++) {
            store.storeLog(new LogEntry(i + 1, 0, LogType.COMMAND, null));
        }
        assertThat(c.firstIndex()).isEqualTo(1);
        assertThat(c.lastIndex()).isEqualTo(32);

        // A miss is served by the store.
        assertThat(c.getLog(1)).hasValueSatisfying(out -> assertThat(out.index()).isEqualTo(1));

        c.storeLogs(List.of(new LogEntry(33, 0, LogType.COMMAND, null), new LogEntry(34, 0, LogType.COMMAND, null)));
        assertThat(c.lastIndex()).isEqualTo(34);

        // It wrote through.
        assertThat(store.getLog(33)).isPresent();
        assertThat(store.getLog(34)).isPresent();

        // Deleted in the backend, still in the ring buffer.
        store.deleteRange(33, 34);
        assertThat(c.getLog(33)).isPresent();
        assertThat(c.getLog(34)).isPresent();

        // Purged from the ring buffer.
        c.deleteRange(33, 34);
        assertThat(c.getLog(33)).isEmpty();
        assertThat(c.getLog(34)).isEmpty();
    }

    @Test
    void capacity_must_be_positive() {
        assertThatThrownBy(() -> new LogCache(0, backing))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("capacity must be positive");
        assertThatThrownBy(() -> new LogCache(-1, backing))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("capacity must be positive");
        assertThat(new LogCache(1, backing).capacity()).isEqualTo(1);
    }

    @Test
    void recent_entries_are_read_from_the_cache_without_touching_the_store() throws IOException {
        cache.storeLogs(entries(1, 32));
        backing.reads.set(0);
        for (long i = 17; i <= 32; i++) {
            assertThat(cache.getLog(i)).contains(entry(i));
        }
        assertThat(backing.reads).hasValue(0);
        assertThat(cache.getLog(16)).contains(entry(16)); // its slot now holds 32
        assertThat(backing.reads).hasValue(1);
    }

    @Test
    void a_failed_write_is_never_served_from_the_cache() throws IOException {
        // hashicorp fills the ring before writing, so a failed append would still be read back.
        cache.storeLogs(entries(1, 5));
        backing.nextWrite = ScriptedLogStore.WriteFailure.BEFORE_WRITING;
        assertThatThrownBy(() -> cache.storeLogs(entries(6, 8))).hasMessage("disk full");
        assertThat(cache.getLog(6)).isEmpty();
        assertThat(cache.getLogs(5, 8)).containsExactly(entry(5));
    }

    @Test
    void a_failed_overwrite_keeps_serving_the_old_entry() throws IOException {
        cache.storeLogs(entries(1, 5));
        backing.nextWrite = ScriptedLogStore.WriteFailure.BEFORE_WRITING;
        assertThatThrownBy(() -> cache.storeLog(entry(5, 2))).isInstanceOf(IOException.class);
        assertThat(cache.getLog(5)).contains(entry(5, 1));
    }

    @Test
    void after_a_failed_write_the_store_not_the_cache_is_the_truth() throws IOException {
        // A store that wrote but then reported failure broke all-or-nothing; the cache must not hide what it holds.
        cache.storeLogs(entries(1, 5));
        backing.nextWrite = ScriptedLogStore.WriteFailure.AFTER_WRITING;
        assertThatThrownBy(() -> cache.storeLog(entry(5, 2))).hasMessage("fsync failed");
        assertThat(cache.getLog(5)).contains(entry(5, 2));
    }

    @Test
    void an_overwrite_replaces_the_cached_entry() throws IOException {
        cache.storeLogs(entries(1, 10));
        cache.storeLogs(List.of(entry(9, 2), entry(10, 2)));
        assertThat(cache.getLog(9)).contains(entry(9, 2));
        assertThat(cache.getLogs(8, 10)).containsExactly(entry(8), entry(9, 2), entry(10, 2));
    }

    @Test
    void compaction_keeps_the_recent_entries_cached() throws IOException {
        // hashicorp empties the whole ring on any DeleteRange; here only the deleted entries leave it.
        cache.storeLogs(entries(1, 32));
        cache.deleteRange(1, 20);
        backing.reads.set(0);
        assertThat(cache.getLogs(21, 32)).isEqualTo(entries(21, 32));
        assertThat(backing.reads).hasValue(0);
        assertThat(cache.getLog(20)).isEmpty();
        assertThat(cache.firstIndex()).isEqualTo(21);
    }

    @Test
    void a_delete_wider_than_the_ring_evicts_exactly_the_entries_in_range() throws IOException {
        cache.storeLogs(entries(1, 10));
        cache.storeLog(entry(1005)); // slot 13, outside the deleted range
        cache.deleteRange(0, 1000);
        backing.data.deleteRange(1005, 1005); // so that a hit can only come from the ring
        assertThat(cache.getLog(1005)).contains(entry(1005));
        for (long i = 1; i <= 10; i++) {
            assertThat(cache.getLog(i)).isEmpty();
        }
    }

    @Test
    void a_delete_shorter_than_the_ring_leaves_other_slots_alone() throws IOException {
        cache.storeLogs(entries(1, 10));
        cache.deleteRange(4, 6);
        backing.reads.set(0);
        assertThat(cache.getLogs(1, 3)).isEqualTo(entries(1, 3));
        assertThat(cache.getLogs(7, 10)).isEqualTo(entries(7, 10));
        assertThat(backing.reads).hasValue(0);
        assertThat(cache.getLog(5)).isEmpty();
    }

    @Test
    void get_logs_serves_the_cached_run_and_reads_the_rest_in_one_call() throws IOException {
        cache.storeLogs(entries(1, 32));
        backing.reads.set(0);
        assertThat(cache.getLogs(10, 32)).isEqualTo(entries(10, 32));
        assertThat(backing.reads).hasValue(1);
        backing.reads.set(0);
        assertThat(cache.getLogs(20, 40)).isEqualTo(entries(20, 32));
        assertThat(backing.reads).as("only the uncached tail 33..40 is asked for").hasValue(1);
        assertThat(cache.getLogs(5, 4)).isEmpty();
    }

    @Test
    void indexes_above_2_pow_63_use_unsigned_slots() throws IOException {
        // Unsigned slots 13, 0, 14 and 15 of 16; a signed remainder would be negative for the last three.
        List<LogEntry> high = List.of(entry(Long.MAX_VALUE - 2), entry(Long.MIN_VALUE), entry(-2), entry(-1));
        cache.storeLogs(high);
        backing.reads.set(0);
        for (LogEntry e : high) {
            assertThat(cache.getLog(e.index())).contains(e);
        }
        assertThat(cache.getLogs(-2, -1)).containsExactly(entry(-2), entry(-1));
        assertThat(backing.reads).hasValue(0);
    }

    @Test
    void first_and_last_index_come_from_the_store() throws IOException {
        backing.data.storeLogs(entries(3, 7));
        assertThat(cache.firstIndex()).isEqualTo(3);
        assertThat(cache.lastIndex()).isEqualTo(7);
    }
}
