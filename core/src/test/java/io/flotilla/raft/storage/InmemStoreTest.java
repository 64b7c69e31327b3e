package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * InmemStore's own choices and its fixes of hashicorp's quirks; the general contract is checked by the
 * testkit conformance suites.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class InmemStoreTest {
    private final InmemStore store = new InmemStore();

    private static LogEntry entry(long index) {
        return new LogEntry(index, 1, LogType.COMMAND, new byte[] {(byte) index});
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

    @Test
    void first_index_is_right_after_a_prefix_is_deleted_and_entries_are_stored_again() {
        // hashicorp sets lowIndex only when it is 0 (inventory §8.2 #16) and would report 6 here.
        store.storeLogs(entries(1, 10));
        store.deleteRange(1, 5);
        assertThat(store.firstIndex()).isEqualTo(6);
        store.storeLogs(entries(2, 5));
        assertThat(store.firstIndex()).isEqualTo(2);
        assertThat(store.lastIndex()).isEqualTo(10);
    }

    @Test
    void first_index_follows_entries_stored_out_of_order() {
        store.storeLogs(entries(5, 10));
        store.storeLogs(entries(1, 4));
        assertThat(store.firstIndex()).isEqualTo(1);
    }

    @Test
    void deleting_past_either_end_keeps_the_real_bounds() {
        // hashicorp would set lastIndex to 19 and firstIndex to 6 here.
        store.storeLogs(entries(10, 15));
        store.deleteRange(20, 30);
        store.deleteRange(1, 5);
        assertThat(store.firstIndex()).isEqualTo(10);
        assertThat(store.lastIndex()).isEqualTo(15);
    }

    @Test
    void deleting_from_zero_does_not_wrap_the_last_index() {
        // hashicorp computes highIndex = min - 1, which wraps to 2^64-1 when min is 0.
        store.storeLogs(entries(1, 10));
        store.deleteRange(0, 1000);
        assertThat(store.firstIndex()).isZero();
        assertThat(store.lastIndex()).isZero();
    }

    @Test
    void index_zero_may_be_stored_as_hashicorps_store_benchmarks_do() {
        store.storeLogs(entries(0, 2));
        assertThat(store.getLog(0)).contains(entry(0));
        assertThat(store.firstIndex()).isZero();
        assertThat(store.lastIndex()).isEqualTo(2);
        store.deleteRange(0, 9);
        assertThat(store.lastIndex()).isZero();
    }

    @Test
    void the_last_of_two_entries_with_one_index_in_a_batch_wins() {
        LogEntry second = new LogEntry(1, 2, LogType.NOOP, null);
        store.storeLogs(List.of(entry(1), second));
        assertThat(store.getLog(1)).contains(second);
    }

    @Test
    void a_batch_with_a_null_entry_is_rejected_whole() {
        List<LogEntry> batch = Arrays.asList(entry(1), null, entry(3));
        assertThatThrownBy(() -> store.storeLogs(batch)).isInstanceOf(NullPointerException.class);
        assertThat(store.lastIndex()).isZero();
        assertThat(store.getLog(1)).isEmpty();
    }

    @Test
    void an_empty_value_counts_as_present() {
        // hashicorp treats a nil value as missing; Java has no nil slice besides null, which is rejected.
        store.set(utf8("k"), new byte[0]);
        assertThat(store.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void null_keys_and_values_are_rejected() {
        assertThatThrownBy(() -> store.set(null, utf8("v"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.set(utf8("k"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.setUint64(null, 1)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void bytes_and_uint64_values_live_in_separate_namespaces_as_in_hashicorp() {
        store.setUint64(utf8("k"), 7);
        assertThat(store.get(utf8("k"))).isEmpty();
        store.set(utf8("j"), new byte[] {0, 0, 0, 0, 0, 0, 0, 9});
        assertThat(store.getUint64(utf8("j"))).isZero();
    }

    @Test
    void values_are_copied_in_and_out() {
        byte[] key = utf8("k");
        byte[] value = utf8("value");
        store.set(key, value);
        key[0] = 'x';
        value[0] = 'x';
        store.get(utf8("k")).orElseThrow()[1] = 'x';
        assertThat(store.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("value")));
    }

    @Test
    void a_missing_uint64_is_zero() {
        assertThat(store.getUint64(utf8("CurrentTerm"))).isZero();
    }
}
