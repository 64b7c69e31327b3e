package io.flotilla.kv;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The key-value snapshot stream of KV-API.md: big-endian {@code u64 count}, then for each key in byte-wise
 * order {@code u32 keyLength, key, u32 valueLength, value}. Nothing else. Reading is strict: a short stream,
 * trailing bytes, or keys not strictly increasing are rejected — so an encoder bug on either side fails loudly.
 */
public final class KvSnapshotCodec {
    /** The Go node's limit on one key or value in a snapshot. */
    static final long MAX_STRING = 1L << 30;

    private KvSnapshotCodec() {
    }

    /** Writes a state whose keys are in byte-wise (code point) order. */
    public static void write(SortedMap<String, String> state, OutputStream out) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(8);
        header.putLong(state.size());
        out.write(header.array());
        byte[] len = new byte[4];
        for (Map.Entry<String, String> e : state.entrySet()) {
            writeString(out, e.getKey(), len);
            writeString(out, e.getValue(), len);
        }
    }

    private static void writeString(OutputStream out, String s, byte[] len) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        len[0] = (byte) (b.length >>> 24);
        len[1] = (byte) (b.length >>> 16);
        len[2] = (byte) (b.length >>> 8);
        len[3] = (byte) b.length;
        out.write(len);
        out.write(b);
    }

    /**
     * Reads a state.
     *
     * @throws IOException naming the entry and what was wrong, for any deviation from the format
     */
    public static TreeMap<String, String> read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long count;
        try {
            count = data.readLong();
        } catch (EOFException e) {
            throw new IOException("snapshot: reading count: unexpected end of stream");
        }
        TreeMap<String, String> state = new TreeMap<>(KvState.BYTEWISE);
        byte[] last = null;
        for (long i = 0; Long.compareUnsigned(i, count) < 0; i++) {
            byte[] key = readString(data, "key", i);
            if (last != null && Arrays.compareUnsigned(key, last) <= 0) {
                throw new IOException("snapshot: entry " + i + ": keys not in strictly increasing byte-wise order");
            }
            byte[] value = readString(data, "value", i);
            state.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            last = key;
        }
        if (data.read() != -1) {
            throw new IOException("snapshot: trailing bytes after the last entry");
        }
        return state;
    }

    private static byte[] readString(DataInputStream in, String what, long i) throws IOException {
        long len;
        try {
            len = Integer.toUnsignedLong(in.readInt());
        } catch (EOFException e) {
            throw new IOException("snapshot: entry " + i + ": reading " + what + " length: unexpected end of stream");
        }
        if (len > MAX_STRING) {
            throw new IOException("snapshot: entry " + i + ": " + what + " length " + len + " too large");
        }
        byte[] b = in.readNBytes((int) len);
        if (b.length != len) {
            throw new IOException("snapshot: entry " + i + ": reading " + what + " (" + len
                    + " bytes): unexpected end of stream");
        }
        return b;
    }
}
