package io.flotilla.raft.testkit.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A command of the simulator's key-value state machine, as it travels in a log entry: put, compare-and-set or get
 * (a read through the log), tagged with the client operation's unique id.
 *
 * @param kind     what to do
 * @param opId     the client operation (unique in a run)
 * @param key      the key
 * @param value    the value to write (put, cas)
 * @param expected the value a cas expects, {@code null} for absent
 */
record KvCommand(Kind kind, long opId, String key, String value, String expected) {
    enum Kind { PUT, CAS, GET }

    byte[] encode() {
        byte[] k = bytes(key);
        byte[] v = bytes(value);
        byte[] x = bytes(expected);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 12 + len(k) + len(v) + len(x));
        b.put((byte) kind.ordinal()).putLong(opId);
        put(b, k);
        put(b, v);
        put(b, x);
        return b.array();
    }

    static KvCommand decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        Kind kind = Kind.values()[b.get()];
        long opId = b.getLong();
        return new KvCommand(kind, opId, get(b), get(b), get(b));
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void put(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putInt(-1);
        } else {
            b.putInt(s.length).put(s);
        }
    }

    private static String get(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
