package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.storage.LogStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link LogStore} must meet for Raft to be safe on it, as a JUnit 5 suite to extend:
 *
 * <pre>{@code
 * class MyLogStoreTest extends LogStoreConformanceTest {
 *     @TempDir Path dir;
 *     protected LogStore newStore() throws IOException { return MyLogStore.open(dir); }
 *     protected Optional<LogStore> reopen(LogStore old) throws IOException {
 *         ((MyLogStore) old).close();
 *         return Optional.of(MyLogStore.open(dir));
 *     }
 * }
 * }</pre>
 *
 * <p>It covers the empty store; storing one entry, batches and every field of an entry ({@code null} and
 * empty payloads kept distinct, 1 MiB payloads, unsigned terms and indexes above 2<sup>63</sup>); reads of
 * missing indexes and of ranges; overwriting entries as the engine does when it replaces a conflicting
 * suffix; deleting prefixes, suffixes, middles, everything and ranges beyond either end, with
 * {@code firstIndex}/{@code lastIndex} checked after each; readers racing a writer; and, when
 * {@link #reopen} is implemented, that all of it survives a restart.
 *
 * <p>A store that deliberately differs on one point can opt out of that test by overriding its method
 * without {@code @Test} (JUnit does not run an overriding method that is not annotated).
 */
public abstract class LogStoreConformanceTest extends StoreConformanceTest<LogStore> {

    /** Subclasses provide the store. */
    protected LogStoreConformanceTest() {
    }

    // ---------------------------------------------------------------- the empty store

    @Test
    void an_empty_store_has_first_and_last_index_zero() throws Exception {
        assertBounds(0, 0);
    }

    @Test
    void an_empty_store_has_no_entry_at_any_index() throws Exception {
        assertMissing(0, 1, 2, Long.MAX_VALUE, Long.MIN_VALUE, -1);
        assertThat(store.getLogs(1, 10)).isEmpty();
    }

    @Test
    void deleting_from_an_empty_store_leaves_it_empty() throws Exception {
        store.deleteRange(1, 10);
        assertBounds(0, 0);
    }

    @Test
    void storing_an_empty_batch_changes_nothing() throws Exception {
        store.storeLogs(List.of());
        assertBounds(0, 0);
        append(1, 3);
        store.storeLogs(List.of());
        assertBounds(1, 3);
    }

    // ---------------------------------------------------------------- storing

    @Test
    void a_stored_entry_reads_back_equal() throws Exception {
        LogEntry e = new LogEntry(1, 7, LogType.COMMAND, utf8("set x=1"), utf8("ext"));
        store.storeLog(e);
        assertThat(store.getLog(1)).contains(e);
        assertBounds(1, 1);
    }

    @Test
    void a_stored_batch_reads_back_entry_by_entry() throws Exception {
        append(1, 100);
        assertBounds(1, 100);
        assertHolds(1, 100);
    }

    @Test
    void store_log_appends_one_entry_at_a_time() throws Exception {
        for (long i = 1; i <= 20; i++) {
            store.storeLog(entry(i));
            assertBounds(1, i);
        }
        assertHolds(1, 20);
    }

    @Test
    void successive_batches_extend_the_log() throws Exception {
        append(1, 10);
        append(11, 25);
        append(26, 26);
        assertBounds(1, 26);
        assertHolds(1, 26);
    }

    @Test
    void the_log_may_start_at_any_index() throws Exception {
        // After a snapshot is installed the log resumes far from 1.
        append(1000, 1010);
        assertBounds(1000, 1010);
        assertMissing(1, 999, 1011);
    }

    @Test
    void every_log_type_round_trips() throws Exception {
        List<LogEntry> batch = new ArrayList<>();
        long i = 1;
        for (LogType type : LogType.values()) {
            batch.add(new LogEntry(i, 3, type, utf8(type.name())));
            i++;
        }
        store.storeLogs(batch);
        for (LogEntry e : batch) {
            assertThat(store.getLog(e.index())).contains(e);
        }
    }

    @Test
    void absent_data_and_extensions_stay_absent_and_empty_ones_stay_empty() throws Exception {
        byte[][] variants = {null, new byte[0], utf8("x")};
        List<LogEntry> batch = new ArrayList<>();
        long i = 1;
        for (byte[] data : variants) {
            for (byte[] ext : variants) {
                batch.add(new LogEntry(i++, 1, LogType.COMMAND, data, ext));
            }
        }
        store.storeLogs(batch);
        for (LogEntry expected : batch) {
            LogEntry actual = store.getLog(expected.index()).orElseThrow();
            assertThat(actual.data()).as("data of %s", expected).isEqualTo(expected.data());
            assertThat(actual.extensions()).as("extensions of %s", expected).isEqualTo(expected.extensions());
        }
    }

    @Test
    void a_one_mebibyte_payload_round_trips() throws Exception {
        Random random = new Random(42);
        byte[] data = new byte[1 << 20];
        byte[] ext = new byte[64 << 10];
        random.nextBytes(data);
        random.nextBytes(ext);
        LogEntry big = new LogEntry(2, 1, LogType.COMMAND, data, ext);
        store.storeLogs(List.of(entry(1), big, entry(3)));
        assertThat(store.getLog(2)).contains(big);
        assertThat(store.getLogs(1, 3)).containsExactly(entry(1), big, entry(3));
    }

    @Test
    void every_byte_value_round_trips_in_data_and_extensions() throws Exception {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        LogEntry e = new LogEntry(1, 1, LogType.COMMAND, all, all);
        store.storeLog(e);
        assertThat(store.getLog(1)).contains(e);
    }

    @Test
    void the_store_does_not_keep_the_callers_list() throws Exception {
        List<LogEntry> batch = new ArrayList<>(entries(1, 3, 1));
        store.storeLogs(batch);
        batch.clear();
        batch.add(entry(1, 9));
        assertHolds(1, 3);
    }

    @Test
    void terms_are_unsigned_and_round_trip_at_the_extremes() throws Exception {
        long[] terms = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1};
        for (int i = 0; i < terms.length; i++) {
            store.storeLog(entry(i + 1, terms[i]));
        }
        for (int i = 0; i < terms.length; i++) {
            assertThat(store.getLog(i + 1).orElseThrow().term()).isEqualTo(terms[i]);
        }
    }

    @Test
    void indexes_above_2_pow_63_are_ordered_as_unsigned() throws Exception {
        // Go's uint64 index maps to a long; 2^63 and up are negative longs but come after Long.MAX_VALUE.
        long first = Long.MAX_VALUE - 1;
        append(first, Long.MIN_VALUE + 1);
        assertBounds(first, Long.MIN_VALUE + 1);
        assertHolds(first, Long.MIN_VALUE + 1);
        assertThat(store.getLogs(first, Long.MIN_VALUE + 1)).extracting(LogEntry::index)
                .containsExactly(Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1);
    }

    @Test
    void the_largest_unsigned_index_can_be_stored_and_read() throws Exception {
        append(-3, -1);
        assertBounds(-3, -1);
        assertThat(store.getLogs(-3, -1)).extracting(LogEntry::index).containsExactly(-3L, -2L, -1L);
        assertThat(store.getLogs(-1, -1)).extracting(LogEntry::index).containsExactly(-1L);
    }

    // ---------------------------------------------------------------- reading what is not there

    @Test
    void get_log_before_the_first_index_is_empty() throws Exception {
        append(5, 10);
        assertMissing(0, 1, 4);
    }

    @Test
    void get_log_after_the_last_index_is_empty() throws Exception {
        append(5, 10);
        assertMissing(11, 1000, Long.MAX_VALUE, -1);
    }

    @Test
    void get_log_of_index_zero_is_empty() throws Exception {
        append(1, 3);
        assertMissing(0);
    }

    @Test
    void get_log_inside_a_deleted_range_is_empty() throws Exception {
        append(1, 10);
        store.deleteRange(4, 6);
        assertMissing(4, 5, 6);
        assertHolds(1, 3);
        assertHolds(7, 10);
    }

    // ---------------------------------------------------------------- reading ranges

    @Test
    void get_logs_returns_the_inclusive_range_in_order() throws Exception {
        append(1, 50);
        assertThat(store.getLogs(10, 20)).isEqualTo(entries(10, 20, 1));
        assertThat(store.getLogs(1, 50)).isEqualTo(entries(1, 50, 1));
    }

    @Test
    void get_logs_of_a_single_index_returns_that_entry() throws Exception {
        append(1, 5);
        assertThat(store.getLogs(3, 3)).containsExactly(entry(3));
    }

    @Test
    void get_logs_stops_at_the_last_index() throws Exception {
        append(1, 5);
        assertThat(store.getLogs(3, 100)).isEqualTo(entries(3, 5, 1));
        assertThat(store.getLogs(3, -1)).isEqualTo(entries(3, 5, 1));
    }

    @Test
    void get_logs_starting_before_the_first_index_is_empty() throws Exception {
        // The contract stops at the first missing entry, and the very first one is missing.
        append(10, 20);
        assertThat(store.getLogs(5, 15)).isEmpty();
    }

    @Test
    void get_logs_stops_at_a_gap() throws Exception {
        append(1, 10);
        store.deleteRange(5, 6);
        assertThat(store.getLogs(2, 10)).isEqualTo(entries(2, 4, 1));
        assertThat(store.getLogs(7, 10)).isEqualTo(entries(7, 10, 1));
    }

    @Test
    void get_logs_with_from_after_to_is_empty() throws Exception {
        append(1, 10);
        assertThat(store.getLogs(6, 5)).isEmpty();
        assertThat(store.getLogs(-1, 1)).isEmpty();
    }

    // ---------------------------------------------------------------- overwriting

    @Test
    void storing_at_an_existing_index_replaces_that_entry_only() throws Exception {
        append(1, 10);
        store.storeLog(entry(5, 2));
        assertThat(store.getLog(5)).contains(entry(5, 2));
        assertHolds(1, 4);
        assertHolds(6, 10);
        assertBounds(1, 10);
    }

    @Test
    void a_conflicting_suffix_is_replaced_after_delete_range() throws Exception {
        // What the engine does when a new leader's entries conflict with ours from index 6 on.
        append(1, 10);
        store.deleteRange(6, 10);
        assertBounds(1, 5);
        store.storeLogs(entries(6, 8, 2));
        assertBounds(1, 8);
        assertHolds(1, 5);
        for (long i = 6; i <= 8; i++) {
            assertThat(store.getLog(i)).contains(entry(i, 2));
        }
        assertMissing(9, 10);
    }

    @Test
    void one_batch_may_overwrite_and_extend_at_once() throws Exception {
        append(1, 10);
        store.storeLogs(entries(8, 15, 3));
        assertBounds(1, 15);
        assertHolds(1, 7);
        assertThat(store.getLogs(8, 15)).isEqualTo(entries(8, 15, 3));
    }

    // ---------------------------------------------------------------- deleting

    @Test
    void deleting_a_prefix_moves_the_first_index() throws Exception {
        append(1, 10);
        store.deleteRange(1, 4);
        assertBounds(5, 10);
        assertMissing(1, 4);
        assertHolds(5, 10);
    }

    @Test
    void deleting_a_suffix_moves_the_last_index() throws Exception {
        append(1, 10);
        store.deleteRange(7, 10);
        assertBounds(1, 6);
        assertMissing(7, 10);
        assertHolds(1, 6);
    }

    @Test
    void deleting_a_middle_range_keeps_both_ends_and_leaves_a_gap() throws Exception {
        append(1, 10);
        store.deleteRange(4, 7);
        assertBounds(1, 10);
        assertMissing(4, 5, 6, 7);
        assertHolds(1, 3);
        assertHolds(8, 10);
    }

    @Test
    void deleting_single_entries_at_the_start_middle_and_end() throws Exception {
        append(1, 10);
        store.deleteRange(1, 1);
        assertBounds(2, 10);
        store.deleteRange(10, 10);
        assertBounds(2, 9);
        store.deleteRange(5, 5);
        assertBounds(2, 9);
        assertMissing(1, 5, 10);
    }

    @Test
    void deleting_exactly_everything_empties_the_store() throws Exception {
        append(1, 10);
        store.deleteRange(1, 10);
        assertBounds(0, 0);
        assertMissing(1, 5, 10);
    }

    @Test
    void deleting_a_range_wider_than_the_log_empties_the_store() throws Exception {
        append(5, 10);
        store.deleteRange(0, 1000);
        assertBounds(0, 0);
    }

    @Test
    void deleting_the_whole_unsigned_range_empties_the_store_quickly() throws Exception {
        append(1, 10);
        append(Long.MAX_VALUE, Long.MIN_VALUE);
        store.deleteRange(0, -1);
        assertBounds(0, 0);
        assertMissing(1, Long.MAX_VALUE, Long.MIN_VALUE);
    }

    @Test
    void deleting_a_range_overlapping_the_start_moves_the_first_index() throws Exception {
        append(5, 10);
        store.deleteRange(1, 7);
        assertBounds(8, 10);
        assertHolds(8, 10);
    }

    @Test
    void deleting_a_range_overlapping_the_end_moves_the_last_index() throws Exception {
        append(5, 10);
        store.deleteRange(8, 1000);
        assertBounds(5, 7);
        assertHolds(5, 7);
    }

    @Test
    void deleting_a_range_before_the_first_index_changes_nothing() throws Exception {
        append(10, 20);
        store.deleteRange(1, 5);
        assertBounds(10, 20);
        assertHolds(10, 20);
    }

    @Test
    void deleting_a_range_after_the_last_index_changes_nothing() throws Exception {
        // hashicorp's InmemStore sets lastIndex to min-1 here, past the real end; a correct store must not.
        append(1, 10);
        store.deleteRange(20, 30);
        assertBounds(1, 10);
        assertHolds(1, 10);
    }

    @Test
    void an_inverted_range_deletes_nothing() throws Exception {
        append(1, 10);
        store.deleteRange(8, 3);
        assertBounds(1, 10);
        assertHolds(1, 10);
    }

    @Test
    void compacting_then_appending_keeps_both_ends_right() throws Exception {
        append(1, 10);
        store.deleteRange(1, 5);
        append(11, 12);
        assertBounds(6, 12);
        assertHolds(6, 12);
    }

    @Test
    void storing_below_the_first_index_moves_it_down() throws Exception {
        // hashicorp's InmemStore only sets its low index when it is 0 and would still report 6 here.
        append(1, 10);
        store.deleteRange(1, 5);
        append(3, 5);
        assertBounds(3, 10);
        assertHolds(3, 10);
    }

    @Test
    void storing_after_everything_was_deleted_starts_a_new_log() throws Exception {
        // A follower that installs a snapshot discards its whole log and resumes after the snapshot.
        append(1, 10);
        store.deleteRange(1, 10);
        append(100, 105);
        assertBounds(100, 105);
        assertMissing(1, 10, 99);
        assertHolds(100, 105);
    }

    @Test
    void repeated_append_and_compaction_like_a_running_node() throws Exception {
        long trailing = 5;
        for (long round = 0; round < 50; round++) {
            long from = round * 10 + 1;
            append(from, from + 9);
            long last = from + 9;
            long compactTo = last - trailing;
            store.deleteRange(store.firstIndex(), compactTo);
            assertBounds(compactTo + 1, last);
        }
        assertHolds(496, 500);
        assertMissing(495);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void readers_never_observe_part_of_a_batch() throws Exception {
        int batchSize = 16;
        int batches = 300;
        AtomicBoolean writerDone = new AtomicBoolean();
        List<Callable<?>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                for (int b = 0; b < batches; b++) {
                    store.storeLogs(entries((long) b * batchSize + 1, (long) (b + 1) * batchSize, 1));
                }
            } finally {
                writerDone.set(true);
            }
            return null;
        });
        for (int r = 0; r < 3; r++) {
            tasks.add(() -> {
                do {
                    long last = store.lastIndex();
                    assertThat(last % batchSize).as("lastIndex %d is mid-batch", last).isZero();
                    if (last > 0) {
                        assertThat(store.firstIndex()).isEqualTo(1);
                        assertThat(store.getLog(last)).contains(entry(last));
                        long from = Math.max(1, last - 2 * batchSize + 1);
                        assertThat(store.getLogs(from, last)).isEqualTo(entries(from, last, 1));
                    }
                    // Once any entry of the next batch is visible, all of it must be.
                    if (store.getLog(last + 1).isPresent()) {
                        assertThat(store.getLog(last + batchSize)).isPresent();
                    }
                } while (!writerDone.get());
                return null;
            });
        }
        Concurrently.run(tasks);
        assertBounds(1, (long) batchSize * batches);
    }

    @Test
    void readers_see_only_correct_entries_while_the_log_is_appended_and_compacted() throws Exception {
        long trailing = 20;
        AtomicBoolean writerDone = new AtomicBoolean();
        List<Callable<?>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                long compacted = 0;
                for (long from = 1; from < 4000; from += 10) {
                    store.storeLogs(entries(from, from + 9, 1));
                    long last = from + 9;
                    if (last > trailing) {
                        store.deleteRange(compacted + 1, last - trailing);
                        compacted = last - trailing;
                    }
                }
            } finally {
                writerDone.set(true);
            }
            return null;
        });
        for (int r = 0; r < 3; r++) {
            tasks.add(() -> {
                do {
                    long first = store.firstIndex();
                    long last = store.lastIndex();
                    // last only grows and is read after first, so the two can only be further apart.
                    assertThat(first).isLessThanOrEqualTo(last);
                    for (long i = first; i != 0 && i <= last; i++) {
                        Optional<LogEntry> found = store.getLog(i); // empty if compacted meanwhile
                        if (found.isPresent()) {
                            assertThat(found.get()).isEqualTo(entry(i));
                        }
                    }
                    List<LogEntry> range = store.getLogs(first, last);
                    for (int k = 0; k < range.size(); k++) {
                        assertThat(range.get(k)).isEqualTo(entry(first + k));
                    }
                } while (!writerDone.get());
                return null;
            });
        }
        Concurrently.run(tasks);
        assertBounds(4000 - trailing + 1, 4000);
    }

    // ---------------------------------------------------------------- durability (needs reopen)

    @Test
    void an_empty_store_reopens_empty() throws Exception {
        reopened();
        assertBounds(0, 0);
    }

    @Test
    void entries_survive_reopening() throws Exception {
        LogEntry withNulls = new LogEntry(11, 2, LogType.NOOP, null, null);
        LogEntry withEmpties = new LogEntry(12, 2, LogType.BARRIER, new byte[0], new byte[0]);
        append(1, 10);
        store.storeLogs(List.of(withNulls, withEmpties));
        reopened();
        assertBounds(1, 12);
        assertHolds(1, 10);
        assertThat(store.getLog(11)).contains(withNulls);
        assertThat(store.getLog(12)).contains(withEmpties);
        assertThat(store.getLog(11).orElseThrow().data()).isNull();
        assertThat(store.getLog(12).orElseThrow().data()).isEmpty();
    }

    @Test
    void deletions_survive_reopening() throws Exception {
        append(1, 20);
        store.deleteRange(1, 5);
        store.deleteRange(16, 20);
        store.deleteRange(9, 10);
        reopened();
        assertBounds(6, 15);
        assertMissing(1, 5, 9, 10, 16, 20);
        assertHolds(6, 8);
        assertHolds(11, 15);
    }

    @Test
    void overwrites_survive_reopening() throws Exception {
        append(1, 10);
        store.deleteRange(6, 10);
        store.storeLogs(entries(6, 7, 2));
        reopened();
        assertBounds(1, 7);
        assertThat(store.getLogs(6, 7)).isEqualTo(entries(6, 7, 2));
    }

    @Test
    void unsigned_indexes_survive_reopening() throws Exception {
        append(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
        reopened();
        assertBounds(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
        assertHolds(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
    }

    // ---------------------------------------------------------------- helpers

    /** The entry the suite stores at {@code index} in term 1; its payload names its position. */
    protected static LogEntry entry(long index) {
        return entry(index, 1);
    }

    /** The entry the suite stores at {@code index} in {@code term}; its payload names its position. */
    protected static LogEntry entry(long index, long term) {
        String name = "entry " + Long.toUnsignedString(index) + " of term " + Long.toUnsignedString(term);
        return new LogEntry(index, term, LogType.COMMAND, utf8(name));
    }

    /** {@link #entry(long, long)} for every index from {@code from} to {@code to} inclusive (unsigned). */
    protected static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; ; i++) {
            out.add(entry(i, term));
            if (i == to) {
                return out;
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void append(long from, long to) throws IOException {
        store.storeLogs(entries(from, to, 1));
    }

    private void assertBounds(long first, long last) throws IOException {
        assertThat(Long.toUnsignedString(store.firstIndex())).as("firstIndex").isEqualTo(Long.toUnsignedString(first));
        assertThat(Long.toUnsignedString(store.lastIndex())).as("lastIndex").isEqualTo(Long.toUnsignedString(last));
    }

    private void assertHolds(long from, long to) throws IOException {
        for (long i = from; ; i++) {
            assertThat(store.getLog(i)).as("getLog(%s)", Long.toUnsignedString(i)).contains(entry(i));
            if (i == to) {
                return;
            }
        }
    }

    private void assertMissing(long... indexes) throws IOException {
        for (long i : indexes) {
            assertThat(store.getLog(i)).as("getLog(%s)", Long.toUnsignedString(i)).isEmpty();
        }
    }
}
