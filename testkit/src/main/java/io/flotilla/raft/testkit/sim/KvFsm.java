package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The simulator's deterministic key-value state machine. Besides the map it keeps the index it has applied and a
 * chain hash over every entry applied so far (index, term, type and payload, commands or not), so two nodes that
 * applied different entries anywhere up to an index disagree on the chain at that index — the state machine safety
 * check compares chains. Snapshot format: {@code "KVS1"}, applied index, chain, entry count, then (key, value) pairs
 * in key order, strings as length-prefixed UTF-8.
 */
final class KvFsm {
    /** What applying a command returned. */
    record Result(String value, boolean ok) {
    }

    private static final int MAGIC = 0x4b565331; // "KVS1"

    private final TreeMap<String, String> data = new TreeMap<>();
    private long appliedIndex;
    private long chain;

    long appliedIndex() {
        return appliedIndex;
    }

    long chain() {
        return chain;
    }

    String get(String key) {
        return data.get(key);
    }

    /** Applies the entry at {@code appliedIndex + 1}; returns the command's result or {@code null} for non-commands. */
    Result apply(LogEntry e) {
        if (e.index() != appliedIndex + 1) {
            throw new IllegalStateException("apply of index " + e.index() + " after " + appliedIndex);
        }
        appliedIndex = e.index();
        chain = mix(chain, entryHash(e));
        if (e.type() != LogType.COMMAND) {
            return null;
        }
        KvCommand c = KvCommand.decode(e.data());
        return switch (c.kind()) {
            case PUT -> {
                data.put(c.key(), c.value());
                yield new Result(null, true);
            }
            case CAS -> {
                if (Objects.equals(data.get(c.key()), c.expected())) {
                    data.put(c.key(), c.value());
                    yield new Result(null, true);
                }
                yield new Result(null, false);
            }
            case GET -> new Result(data.get(c.key()), true);
        };
    }

    /** A digest of the key-value contents. */
    long digest() {
        long h = 17;
        for (Map.Entry<String, String> en : data.entrySet()) {
            h = mix(h, en.getKey().hashCode());
            h = mix(h, en.getValue() == null ? 0 : en.getValue().hashCode());
        }
        return h;
    }

    byte[] snapshot() {
        int size = 4 + 8 + 8 + 4;
        for (Map.Entry<String, String> en : data.entrySet()) {
            size += 8 + en.getKey().getBytes(StandardCharsets.UTF_8).length
                    + en.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(MAGIC).putLong(appliedIndex).putLong(chain).putInt(data.size());
        for (Map.Entry<String, String> en : data.entrySet()) {
            byte[] k = en.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = en.getValue().getBytes(StandardCharsets.UTF_8);
            b.putInt(k.length).put(k).putInt(v.length).put(v);
        }
        return b.array();
    }

    static KvFsm restore(byte[] snapshot) {
        ByteBuffer b = ByteBuffer.wrap(snapshot);
        if (b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a KV snapshot");
        }
        KvFsm f = new KvFsm();
        f.appliedIndex = b.getLong();
        f.chain = b.getLong();
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[b.getInt()];
            b.get(k);
            byte[] v = new byte[b.getInt()];
            b.get(v);
            f.data.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8));
        }
        return f;
    }

    /** A stable 64-bit identity of an entry (index, term, type, data, extensions). */
    static long entryHash(LogEntry e) {
        long h = mix(e.index(), e.term());
        h = mix(h, e.type().ordinal());
        h = mix(h, bytesHash(e.data()));
        h = mix(h, bytesHash(e.extensions()));
        return h;
    }

    private static long bytesHash(byte[] b) {
        if (b == null) {
            return 0x9E3779B97F4A7C15L;
        }
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return h ^ b.length;
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
