package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.StableStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link StableStore} must meet, as a JUnit 5 suite to extend (see
 * {@link LogStoreConformanceTest} for an example; the hooks are the same).
 *
 * <p>It covers missing keys ({@code get} empty, {@code getUint64} 0); set, overwrite and read back; keys
 * compared by content, not array identity; values copied in and out; empty values being present; binary
 * and 1 MiB values; unsigned 64-bit values at the extremes (0, 2<sup>63</sup>, 2<sup>64</sup>-1 = -1L); the
 * keys Raft itself uses; concurrent use; and, when {@link #reopen} is implemented, durability.
 *
 * <p>It does not specify whether {@code set} and {@code setUint64} share a namespace: hashicorp's
 * {@code InmemStore} keeps them apart, while raft-boltdb stores a uint64 as 8 big-endian bytes under the
 * same key. Raft never reads a key through both.
 */
public abstract class StableStoreConformanceTest extends StoreConformanceTest<StableStore> {
    /** The keys hashicorp/raft persists its term and vote under (see the seed inventory, §5.5). */
    private static final byte[] CURRENT_TERM = utf8("CurrentTerm");
    private static final byte[] LAST_VOTE_TERM = utf8("LastVoteTerm");
    private static final byte[] LAST_VOTE_CAND = utf8("LastVoteCand");

    /** Subclasses provide the store. */
    protected StableStoreConformanceTest() {
    }

    // ---------------------------------------------------------------- missing keys

    @Test
    void a_missing_key_reads_as_empty() throws Exception {
        assertThat(store.get(utf8("nothing here"))).isEmpty();
    }

    @Test
    void a_missing_uint64_reads_as_zero() throws Exception {
        assertThat(store.getUint64(utf8("nothing here"))).isZero();
    }

    // ---------------------------------------------------------------- byte values

    @Test
    void a_value_reads_back_as_set() throws Exception {
        store.set(utf8("k"), utf8("v"));
        assertThat(store.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("v")));
    }

    @Test
    void setting_a_key_again_replaces_its_value() throws Exception {
        store.set(utf8("k"), utf8("first"));
        store.set(utf8("k"), utf8("second, and longer"));
        assertValue("k", utf8("second, and longer"));
        store.set(utf8("k"), utf8("3"));
        assertValue("k", utf8("3"));
    }

    @Test
    void keys_are_compared_by_content_not_identity() throws Exception {
        byte[] setWith = {1, 2, 3};
        byte[] readWith = {1, 2, 3};
        store.set(setWith, utf8("v"));
        assertThat(store.get(readWith)).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("v")));
        store.setUint64(setWith, 42);
        assertThat(store.getUint64(readWith.clone())).isEqualTo(42);
    }

    @Test
    void keys_that_share_a_prefix_are_distinct() throws Exception {
        store.set(utf8("a"), utf8("1"));
        store.set(utf8("ab"), utf8("2"));
        store.set(new byte[] {'a', 0}, utf8("3"));
        assertValue("a", utf8("1"));
        assertValue("ab", utf8("2"));
        assertThat(store.get(new byte[] {'a', 0})).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("3")));
        assertThat(store.get(utf8("abc"))).isEmpty();
    }

    @Test
    void binary_keys_and_values_round_trip_byte_for_byte() throws Exception {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }
        byte[] key = {0, (byte) 0xff, (byte) 0x80, 0x7f};
        store.set(key, all);
        assertThat(store.get(key.clone())).hasValueSatisfying(v -> assertThat(v).isEqualTo(all));
    }

    @Test
    void an_empty_value_is_present_and_empty() throws Exception {
        store.set(utf8("k"), new byte[0]);
        assertThat(store.get(utf8("k"))).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void a_value_can_be_replaced_by_an_empty_one_and_back() throws Exception {
        store.set(utf8("k"), utf8("v"));
        store.set(utf8("k"), new byte[0]);
        assertValue("k", new byte[0]);
        store.set(utf8("k"), utf8("w"));
        assertValue("k", utf8("w"));
    }

    @Test
    void changing_the_key_array_after_set_does_not_move_the_value() throws Exception {
        byte[] key = utf8("key");
        store.set(key, utf8("v"));
        key[0] = 'X';
        assertValue("key", utf8("v"));
        assertThat(store.get(utf8("Xey"))).isEmpty();
    }

    @Test
    void changing_the_value_array_after_set_does_not_change_the_stored_value() throws Exception {
        byte[] value = utf8("value");
        store.set(utf8("k"), value);
        value[0] = 'X';
        assertValue("k", utf8("value"));
    }

    @Test
    void changing_a_returned_value_does_not_change_the_stored_value() throws Exception {
        store.set(utf8("k"), utf8("value"));
        store.get(utf8("k")).orElseThrow()[0] = 'X';
        assertValue("k", utf8("value"));
    }

    @Test
    void a_one_mebibyte_value_round_trips() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        store.set(utf8("big"), big);
        assertValue("big", big);
    }

    // ---------------------------------------------------------------- uint64 values

    @Test
    void uint64_values_round_trip_including_the_unsigned_extremes() throws Exception {
        long[] values = {0, 1, 255, 256, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1};
        for (int i = 0; i < values.length; i++) {
            store.setUint64(utf8("u" + i), values[i]);
        }
        for (int i = 0; i < values.length; i++) {
            assertThat(store.getUint64(utf8("u" + i))).as("value %d", i).isEqualTo(values[i]);
        }
    }

    @Test
    void setting_a_uint64_again_replaces_it() throws Exception {
        store.setUint64(CURRENT_TERM, 5);
        store.setUint64(CURRENT_TERM, 6);
        assertThat(store.getUint64(CURRENT_TERM)).isEqualTo(6);
    }

    @Test
    void a_uint64_can_be_set_back_to_zero() throws Exception {
        store.setUint64(CURRENT_TERM, -1);
        store.setUint64(CURRENT_TERM, 0);
        assertThat(store.getUint64(CURRENT_TERM)).isZero();
    }

    @Test
    void uint64_keys_are_independent_of_each_other() throws Exception {
        store.setUint64(CURRENT_TERM, 9);
        store.setUint64(LAST_VOTE_TERM, 8);
        assertThat(store.getUint64(CURRENT_TERM)).isEqualTo(9);
        assertThat(store.getUint64(LAST_VOTE_TERM)).isEqualTo(8);
    }

    @Test
    void the_term_and_vote_raft_persists_round_trip() throws Exception {
        // The order Raft writes them in when it votes: vote term first, then candidate.
        store.setUint64(CURRENT_TERM, 3);
        store.setUint64(LAST_VOTE_TERM, 3);
        store.set(LAST_VOTE_CAND, utf8("127.0.0.1:8300"));
        assertThat(store.getUint64(utf8("CurrentTerm"))).isEqualTo(3);
        assertThat(store.getUint64(utf8("LastVoteTerm"))).isEqualTo(3);
        assertValue("LastVoteCand", utf8("127.0.0.1:8300"));
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrent_writers_to_distinct_keys_all_land() throws Exception {
        int writers = 4;
        int keysEach = 200;
        List<Callable<?>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            tasks.add(() -> {
                for (int k = 0; k < keysEach; k++) {
                    store.set(utf8("w" + writer + "-" + k), utf8("v" + k));
                    store.setUint64(utf8("u" + writer + "-" + k), k + 1L);
                }
                return null;
            });
        }
        Concurrently.run(tasks);
        for (int w = 0; w < writers; w++) {
            for (int k = 0; k < keysEach; k++) {
                assertValue("w" + w + "-" + k, utf8("v" + k));
                assertThat(store.getUint64(utf8("u" + w + "-" + k))).isEqualTo(k + 1L);
            }
        }
    }

    @Test
    void readers_never_see_a_rising_value_go_backwards() throws Exception {
        long target = 5000;
        AtomicBoolean writerDone = new AtomicBoolean();
        List<Callable<?>> tasks = new ArrayList<>();
        tasks.add(() -> {
            try {
                for (long term = 1; term <= target; term++) {
                    store.setUint64(CURRENT_TERM, term);
                    store.set(LAST_VOTE_CAND, utf8("node-" + term));
                }
            } finally {
                writerDone.set(true);
            }
            return null;
        });
        for (int r = 0; r < 3; r++) {
            tasks.add(() -> {
                long seen = 0;
                do {
                    long term = store.getUint64(CURRENT_TERM);
                    assertThat(term).isGreaterThanOrEqualTo(seen);
                    seen = term;
                    store.get(LAST_VOTE_CAND).ifPresent(v ->
                            assertThat(new String(v, StandardCharsets.UTF_8)).startsWith("node-"));
                } while (!writerDone.get());
                return null;
            });
        }
        Concurrently.run(tasks);
        assertThat(store.getUint64(CURRENT_TERM)).isEqualTo(target);
    }

    // ---------------------------------------------------------------- durability (needs reopen)

    @Test
    void values_survive_reopening() throws Exception {
        store.set(LAST_VOTE_CAND, utf8("node-1"));
        store.set(utf8("empty"), new byte[0]);
        store.set(utf8("replaced"), utf8("old"));
        store.set(utf8("replaced"), utf8("new"));
        reopened();
        assertValue("LastVoteCand", utf8("node-1"));
        assertValue("empty", new byte[0]);
        assertValue("replaced", utf8("new"));
        assertThat(store.get(utf8("never set"))).isEmpty();
    }

    @Test
    void uint64_values_survive_reopening() throws Exception {
        store.setUint64(CURRENT_TERM, -1);
        store.setUint64(LAST_VOTE_TERM, Long.MIN_VALUE);
        reopened();
        assertThat(store.getUint64(CURRENT_TERM)).isEqualTo(-1);
        assertThat(store.getUint64(LAST_VOTE_TERM)).isEqualTo(Long.MIN_VALUE);
        assertThat(store.getUint64(utf8("never set"))).isZero();
    }

    // ---------------------------------------------------------------- helpers

    private void assertValue(String key, byte[] expected) throws Exception {
        assertThat(store.get(utf8(key))).as("get(%s)", key)
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(expected));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
