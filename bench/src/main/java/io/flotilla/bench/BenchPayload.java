package io.flotilla.bench;

import io.flotilla.kv.KvCommand;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The log entry a benchmark client applies, byte for byte the one gopeer's bench mode applies
 * ({@code benchPayload} in {@code ../shared/gopeer/bench.go}): a KV-API.md {@code set} entry
 * {@code {"op":"set","key":"bench/<client>","value":"xxx…"}} padded to exactly the payload size, so that both
 * systems replicate, store and apply the same bytes through the same state machine.
 */
public final class BenchPayload {
    private BenchPayload() {
    }

    /**
     * The entry of client {@code client}, exactly {@code size} bytes long. When {@code size} cannot hold a
     * {@code set} entry with an empty value (39 bytes or less, 40 from client 10 on) it is raw filler, which the
     * state machine commits and answers with an error result, as gopeer does.
     */
    public static byte[] entry(int client, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("payload must be >= 1 byte, got " + size);
        }
        String key = "bench/" + client;
        int empty = KvCommand.set(key, "").encode().length;
        if (size <= empty) {
            byte[] filler = new byte[size];
            Arrays.fill(filler, (byte) 'x');
            return filler;
        }
        byte[] entry = KvCommand.set(key, "x".repeat(size - empty)).encode();
        if (entry.length != size) {
            throw new IllegalStateException("entry is " + entry.length + " bytes, wanted " + size);
        }
        return entry;
    }

    /** Whether {@link #entry} of this size is raw filler rather than a {@code set} entry (for client 0). */
    public static boolean isFiller(int size) {
        return size <= KvCommand.set("bench/0", "").encode().length;
    }

    /** The entry as text, for messages and tests. */
    static String text(int client, int size) {
        return new String(entry(client, size), StandardCharsets.UTF_8);
    }
}
