package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoredFormatTest {
    private static final byte[] X = "x".getBytes(StandardCharsets.UTF_8);

    @Test
    void log_keys_sort_bytewise_in_unsigned_index_order() {
        long[] ascending = {0, 1, 255, 256, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1};
        for (int i = 1; i < ascending.length; i++) {
            assertThat(Arrays.compareUnsigned(StoredFormat.logKey(ascending[i - 1]), StoredFormat.logKey(ascending[i])))
                    .as("key(%s) < key(%s)", Long.toUnsignedString(ascending[i - 1]), Long.toUnsignedString(ascending[i]))
                    .isNegative();
        }
    }

    @Test
    void the_successor_key_sits_between_an_index_and_the_next_one() {
        for (long i : new long[] {0, 41, Long.MAX_VALUE, -2}) {
            byte[] successor = StoredFormat.logKeySuccessor(i);
            assertThat(Arrays.compareUnsigned(StoredFormat.logKey(i), successor)).isNegative();
            assertThat(Arrays.compareUnsigned(successor, StoredFormat.logKey(i + 1))).isNegative();
        }
        // For the largest index there is no next key, but the successor still bounds every key from above.
        assertThat(Arrays.compareUnsigned(StoredFormat.logKey(-1), StoredFormat.logKeySuccessor(-1))).isNegative();
    }

    @Test
    void entries_round_trip_with_null_and_empty_payloads_kept_apart() throws Exception {
        for (LogEntry e : variety()) {
            assertThat(StoredFormat.decodeEntry(e.index(), StoredFormat.encodeEntry(e))).isEqualTo(e);
        }
    }

    @Test
    void the_encoding_is_compact_for_small_entries() {
        // version, type, flags, index 1 byte, term 1 byte, length 1 byte, 1 data byte, 4 checksum bytes
        assertThat(StoredFormat.encodeEntry(new LogEntry(5, 1, LogType.COMMAND, X))).hasSize(11);
        assertThat(StoredFormat.encodeEntry(new LogEntry(-1, -1, LogType.COMMAND, null))).hasSize(3 + 10 + 10 + 4);
    }

    @Test
    void every_single_byte_change_is_detected_and_names_the_index() {
        LogEntry e = new LogEntry(42, 7, LogType.CONFIGURATION, "some payload".getBytes(StandardCharsets.UTF_8), X);
        byte[] good = StoredFormat.encodeEntry(e);
        for (int pos = 0; pos < good.length; pos++) {
            for (int mask : new int[] {0x01, 0x80, 0xff, 0x5a}) {
                byte[] bad = good.clone();
                bad[pos] ^= (byte) mask;
                assertThatThrownBy(() -> StoredFormat.decodeEntry(42, bad))
                        .as("byte %d xor %02x", pos, mask)
                        .isInstanceOf(StoreCorruptedException.class)
                        .hasMessageContaining("log entry at index 42 is corrupt");
            }
        }
    }

    @Test
    void every_truncation_and_extension_is_detected() {
        byte[] good = StoredFormat.encodeEntry(new LogEntry(9, 2, LogType.COMMAND, new byte[100], new byte[0]));
        for (int length = 0; length < good.length; length++) {
            byte[] bad = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> StoredFormat.decodeEntry(9, bad)).isInstanceOf(StoreCorruptedException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> StoredFormat.decodeEntry(9, longer)).isInstanceOf(StoreCorruptedException.class);
    }

    @Test
    void an_intact_entry_under_the_wrong_index_is_rejected() {
        byte[] value = StoredFormat.encodeEntry(new LogEntry(Long.MIN_VALUE, 2, LogType.COMMAND, X));
        assertThatThrownBy(() -> StoredFormat.decodeEntry(3, value))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessage("log entry at index 3 is corrupt: value belongs to index 9223372036854775808");
    }

    @Test
    void well_checksummed_but_malformed_values_are_rejected_with_the_reason() {
        byte[] good = StoredFormat.encodeEntry(new LogEntry(1, 1, LogType.COMMAND, X));
        assertThatThrownBy(() -> StoredFormat.decodeEntry(1, resealed(good, 0, 2)))
                .hasMessageContaining("unknown format version 2");
        assertThatThrownBy(() -> StoredFormat.decodeEntry(1, resealed(good, 1, 6)))
                .hasMessageContaining("unknown log type 6");
        assertThatThrownBy(() -> StoredFormat.decodeEntry(1, resealed(good, 2, 0x85)))
                .hasMessageContaining("unknown flags");
        assertThatThrownBy(() -> StoredFormat.decodeEntry(1, resealed(good, 5, 100)))
                .hasMessageContaining("field length 100 exceeds");
        // Clearing the data flag leaves the length byte and the data byte unread.
        assertThatThrownBy(() -> StoredFormat.decodeEntry(1, resealed(good, 2, 0)))
                .hasMessageContaining("2 unexpected trailing bytes");
    }

    @Test
    void stable_values_round_trip_and_carry_their_key() throws Exception {
        byte[] key = StoredFormat.stableKey(StoredFormat.BYTES_NAMESPACE, "LastVoteCand".getBytes(StandardCharsets.UTF_8));
        byte[] value = StoredFormat.encodeStable(key, X);
        assertThat(StoredFormat.decodeStable(key, value)).isEqualTo(X);
        assertThat(StoredFormat.decodeStable(key, StoredFormat.encodeStable(key, new byte[0]))).isEmpty();
        byte[] other = StoredFormat.stableKey(StoredFormat.BYTES_NAMESPACE, "Other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> StoredFormat.decodeStable(other, value))
                .isInstanceOf(StoreCorruptedException.class)
                .hasMessageContaining("stable value of key \"Other\" is corrupt: checksum mismatch");
    }

    @Test
    void uint64_values_round_trip_and_every_byte_change_is_detected() throws Exception {
        byte[] key = StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, "CurrentTerm".getBytes(StandardCharsets.UTF_8));
        for (long v : new long[] {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
            assertThat(StoredFormat.decodeUint64(key, StoredFormat.encodeUint64(key, v))).isEqualTo(v);
        }
        byte[] good = StoredFormat.encodeUint64(key, 5);
        for (int pos = 0; pos < good.length; pos++) {
            byte[] bad = good.clone();
            bad[pos] ^= 1;
            assertThatThrownBy(() -> StoredFormat.decodeUint64(key, bad))
                    .isInstanceOf(StoreCorruptedException.class)
                    .hasMessageContaining("stable uint64 value of key \"CurrentTerm\" is corrupt");
        }
    }

    @Test
    void varint_sizes_grow_every_seven_bits() {
        assertThat(StoredFormat.varintSize(0)).isEqualTo(1);
        assertThat(StoredFormat.varintSize(127)).isEqualTo(1);
        assertThat(StoredFormat.varintSize(128)).isEqualTo(2);
        assertThat(StoredFormat.varintSize(Long.MAX_VALUE)).isEqualTo(9);
        assertThat(StoredFormat.varintSize(-1)).isEqualTo(10);
    }

    private static List<LogEntry> variety() {
        List<LogEntry> out = new ArrayList<>();
        byte[][] payloads = {null, new byte[0], X, new byte[300]};
        long[] numbers = {0, 1, 127, 128, 16384, Long.MAX_VALUE, Long.MIN_VALUE, -1};
        int k = 0;
        for (LogType type : LogType.values()) {
            for (byte[] data : payloads) {
                for (byte[] ext : payloads) {
                    out.add(new LogEntry(numbers[k % numbers.length], numbers[(k * 3 + 1) % numbers.length], type, data, ext));
                    k++;
                }
            }
        }
        return out;
    }

    /** {@code value} with one byte replaced and a valid checksum, as a buggy writer (not a bad disk) would leave it. */
    private static byte[] resealed(byte[] value, int pos, int newByte) {
        byte[] out = value.clone();
        out[pos] = (byte) newByte;
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - 4);
        int c = (int) crc.getValue();
        out[out.length - 4] = (byte) (c >>> 24);
        out[out.length - 3] = (byte) (c >>> 16);
        out[out.length - 2] = (byte) (c >>> 8);
        out[out.length - 1] = (byte) c;
        return out;
    }
}
