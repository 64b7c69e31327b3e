package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.internal.Bytes;

import java.util.zip.CRC32C;

/**
 * The bytes {@link RocksDbStore} keeps in RocksDB: keys of both column families and the self-checking
 * encodings of log entries and stable values.
 *
 * <p><b>Log keys</b> are the index as 8 big-endian bytes. RocksDB's default comparator orders keys as
 * unsigned bytes, so this order is exactly the unsigned order of Raft indexes, 2<sup>63</sup> and above
 * included.
 *
 * <p><b>Log values</b> (format version 1):
 * <pre>
 *   u8      version (1)
 *   u8      log type code
 *   u8      flags: bit 0 data present, bit 1 extensions present, other bits 0
 *   varint  index (unsigned LEB128, at most 10 bytes)
 *   varint  term
 *   varint  data length, then the data          (only when data is present)
 *   varint  extensions length, then the bytes   (only when extensions are present)
 *   u32     CRC32C of every byte above (big-endian)
 * </pre>
 * The presence flags keep {@code null} and empty arrays distinct; the index is repeated in the value so that
 * a value found under the wrong key is caught, and the checksum catches any change to the value between the
 * moment it was encoded and the moment it is read, whatever layer caused it.
 *
 * <p><b>Stable keys</b> are a namespace byte ({@link #BYTES_NAMESPACE} or {@link #UINT64_NAMESPACE}) followed by
 * the caller's key, so {@code set} and {@code setUint64} never see each other's values, as in
 * {@code InmemStore}. <b>Stable values</b> are a version byte (1), the payload (the caller's bytes, or 8
 * big-endian bytes for a uint64), and a CRC32C over the full RocksDB key, the version and the payload; the
 * key is covered so that a value moved to another key is detected too.
 *
 * <p><b>Bookkeeping records</b> live in the default column family, encoded like stable values: {@code log-bounds}
 * (an "empty" flag byte, then the first and last index, 8 bytes each), rewritten in the same write batch as
 * every log write that moves an end; and {@code stable-digest} (the key count and the {@link StableDigest},
 * 8 bytes each), rewritten with every stable write. The store checks both against the data at open.
 */
final class StoredFormat {
    static final byte VERSION = 1;
    static final byte BYTES_NAMESPACE = 1;
    static final byte UINT64_NAMESPACE = 2;

    private static final int FLAG_DATA = 1;
    private static final int FLAG_EXTENSIONS = 2;
    private static final int CRC_BYTES = 4;
    private static final int MAX_VARINT_BYTES = 10;
    /** version + type + flags + two one-byte varints + checksum. */
    private static final int MIN_ENTRY_BYTES = 3 + 2 + CRC_BYTES;

    private StoredFormat() {
    }

    // ---------------------------------------------------------------- log keys

    static byte[] logKey(long index) {
        byte[] key = new byte[8];
        putLong(key, 0, index);
        return key;
    }

    /**
     * The smallest key that sorts after {@code logKey(index)}: that key followed by a zero byte. Unlike
     * {@code logKey(index + 1)} it exists for the largest unsigned index too, which lets a range delete's
     * exclusive end bound cover an inclusive {@code max} of 2<sup>64</sup>-1.
     */
    static byte[] logKeySuccessor(long index) {
        byte[] key = new byte[9];
        putLong(key, 0, index);
        return key;
    }

    static long indexOfKey(byte[] key) throws StoreCorruptedException {
        if (key.length != 8) {
            throw new StoreCorruptedException("log column family holds a key of " + key.length
                    + " bytes (" + Bytes.describe(key) + "); log keys are 8 bytes");
        }
        return getLong(key, 0);
    }

    // ---------------------------------------------------------------- log values

    static byte[] encodeEntry(LogEntry entry) {
        byte[] data = entry.data();
        byte[] extensions = entry.extensions();
        int size = 3 + varintSize(entry.index()) + varintSize(entry.term()) + CRC_BYTES;
        if (data != null) {
            size += varintSize(data.length) + data.length;
        }
        if (extensions != null) {
            size += varintSize(extensions.length) + extensions.length;
        }
        byte[] out = new byte[size];
        out[0] = VERSION;
        out[1] = (byte) entry.type().code();
        out[2] = (byte) ((data != null ? FLAG_DATA : 0) | (extensions != null ? FLAG_EXTENSIONS : 0));
        int pos = putVarint(out, 3, entry.index());
        pos = putVarint(out, pos, entry.term());
        if (data != null) {
            pos = putVarint(out, pos, data.length);
            System.arraycopy(data, 0, out, pos, data.length);
            pos += data.length;
        }
        if (extensions != null) {
            pos = putVarint(out, pos, extensions.length);
            System.arraycopy(extensions, 0, out, pos, extensions.length);
            pos += extensions.length;
        }
        putInt(out, pos, crc(null, out, pos));
        return out;
    }

    /**
     * Decodes the value stored under {@code index}, checking its checksum, version, structure and that it
     * belongs at that index.
     *
     * @throws StoreCorruptedException naming the index if anything is wrong
     */
    static LogEntry decodeEntry(long index, byte[] value) throws StoreCorruptedException {
        if (value.length < MIN_ENTRY_BYTES) {
            throw corruptEntry(index, "value is " + value.length + " bytes, shorter than any valid entry");
        }
        int body = value.length - CRC_BYTES;
        int stored = getInt(value, body);
        int computed = crc(null, value, body);
        if (stored != computed) {
            throw corruptEntry(index, String.format("checksum mismatch (stored %08x, computed %08x)", stored, computed));
        }
        if (value[0] != VERSION) {
            throw corruptEntry(index, "unknown format version " + (value[0] & 0xff));
        }
        LogType type;
        try {
            type = LogType.fromCode(value[1] & 0xff);
        } catch (IllegalArgumentException e) {
            throw corruptEntry(index, "unknown log type " + (value[1] & 0xff));
        }
        int flags = value[2] & 0xff;
        if ((flags & ~(FLAG_DATA | FLAG_EXTENSIONS)) != 0) {
            throw corruptEntry(index, "unknown flags " + Integer.toBinaryString(flags));
        }
        Reader in = new Reader(index, value, 3, body);
        long storedIndex = in.varint();
        if (storedIndex != index) {
            throw corruptEntry(index, "value belongs to index " + Long.toUnsignedString(storedIndex));
        }
        long term = in.varint();
        byte[] data = (flags & FLAG_DATA) != 0 ? in.bytes() : null;
        byte[] extensions = (flags & FLAG_EXTENSIONS) != 0 ? in.bytes() : null;
        if (in.pos != body) {
            throw corruptEntry(index, (body - in.pos) + " unexpected trailing bytes");
        }
        return new LogEntry(index, term, type, data, extensions);
    }

    private static StoreCorruptedException corruptEntry(long index, String reason) {
        return new StoreCorruptedException("log entry at index " + Long.toUnsignedString(index) + " is corrupt: " + reason);
    }

    // ---------------------------------------------------------------- stable keys and values

    static byte[] stableKey(byte namespace, byte[] key) {
        byte[] out = new byte[key.length + 1];
        out[0] = namespace;
        System.arraycopy(key, 0, out, 1, key.length);
        return out;
    }

    static byte[] encodeStable(byte[] stableKey, byte[] payload) {
        byte[] out = new byte[1 + payload.length + CRC_BYTES];
        out[0] = VERSION;
        System.arraycopy(payload, 0, out, 1, payload.length);
        putInt(out, 1 + payload.length, crc(stableKey, out, 1 + payload.length));
        return out;
    }

    static byte[] encodeUint64(byte[] stableKey, long value) {
        byte[] payload = new byte[8];
        putLong(payload, 0, value);
        return encodeStable(stableKey, payload);
    }

    /** The payload of a stable value, after checking it. */
    static byte[] decodeStable(byte[] stableKey, byte[] value) throws StoreCorruptedException {
        if (value.length < 1 + CRC_BYTES) {
            throw corruptStable(stableKey, "value is " + value.length + " bytes, shorter than any valid value");
        }
        int body = value.length - CRC_BYTES;
        int stored = getInt(value, body);
        int computed = crc(stableKey, value, body);
        if (stored != computed) {
            throw corruptStable(stableKey, String.format("checksum mismatch (stored %08x, computed %08x)", stored, computed));
        }
        if (value[0] != VERSION) {
            throw corruptStable(stableKey, "unknown format version " + (value[0] & 0xff));
        }
        byte[] payload = new byte[body - 1];
        System.arraycopy(value, 1, payload, 0, payload.length);
        return payload;
    }

    static long decodeUint64(byte[] stableKey, byte[] value) throws StoreCorruptedException {
        byte[] payload = decodeStable(stableKey, value);
        if (payload.length != 8) {
            throw corruptStable(stableKey, "uint64 value is " + payload.length + " bytes, not 8");
        }
        return getLong(payload, 0);
    }

    private static StoreCorruptedException corruptStable(byte[] stableKey, String reason) {
        if (stableKey == BOUNDS_KEY) {
            return new StoreCorruptedException("the recorded log bounds are corrupt: " + reason);
        }
        if (stableKey == DIGEST_KEY) {
            return new StoreCorruptedException("the recorded stable digest is corrupt: " + reason);
        }
        byte[] userKey = new byte[stableKey.length - 1];
        System.arraycopy(stableKey, 1, userKey, 0, userKey.length);
        String kind = stableKey[0] == UINT64_NAMESPACE ? "uint64 value" : "value";
        return new StoreCorruptedException("stable " + kind + " of key " + Bytes.describe(userKey) + " is corrupt: " + reason);
    }

    // ---------------------------------------------------------------- bookkeeping

    /** The default column family's only key: the log's recorded bounds. */
    static final byte[] BOUNDS_KEY = "log-bounds".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The recorded bounds: a stable value whose payload is an empty flag, the first and the last index. */
    static byte[] encodeBounds(LogBounds bounds) {
        byte[] payload = new byte[17];
        payload[0] = (byte) (bounds.empty() ? 1 : 0);
        putLong(payload, 1, bounds.first());
        putLong(payload, 9, bounds.last());
        return encodeStable(BOUNDS_KEY, payload);
    }

    static LogBounds decodeBounds(byte[] value) throws StoreCorruptedException {
        byte[] payload = decodeStable(BOUNDS_KEY, value);
        if (payload.length != 17 || (payload[0] & ~1) != 0) {
            throw new StoreCorruptedException("the recorded log bounds are malformed (" + Bytes.describe(payload) + ")");
        }
        return payload[0] == 1 ? LogBounds.EMPTY : new LogBounds(getLong(payload, 1), getLong(payload, 9), false);
    }

    /** The default column family's other key: the {@link StableDigest} of the stable column family. */
    static final byte[] DIGEST_KEY = "stable-digest".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static byte[] encodeDigest(StableDigest digest) {
        byte[] payload = new byte[16];
        putLong(payload, 0, digest.count());
        putLong(payload, 8, digest.digest());
        return encodeStable(DIGEST_KEY, payload);
    }

    static StableDigest decodeDigest(byte[] value) throws StoreCorruptedException {
        byte[] payload = decodeStable(DIGEST_KEY, value);
        if (payload.length != 16) {
            throw new StoreCorruptedException("the recorded stable digest is malformed (" + Bytes.describe(payload) + ")");
        }
        return new StableDigest(getLong(payload, 0), getLong(payload, 8));
    }

    // ---------------------------------------------------------------- primitives

    private static int crc(byte[] prefix, byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        if (prefix != null) {
            crc.update(prefix, 0, prefix.length);
        }
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7fL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private static int putVarint(byte[] out, int pos, long value) {
        while ((value & ~0x7fL) != 0) {
            out[pos++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out[pos++] = (byte) value;
        return pos;
    }

    private static void putLong(byte[] out, int pos, long value) {
        for (int i = 7; i >= 0; i--) {
            out[pos + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static long getLong(byte[] in, int pos) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (in[pos + i] & 0xff);
        }
        return value;
    }

    private static void putInt(byte[] out, int pos, int value) {
        out[pos] = (byte) (value >>> 24);
        out[pos + 1] = (byte) (value >>> 16);
        out[pos + 2] = (byte) (value >>> 8);
        out[pos + 3] = (byte) value;
    }

    private static int getInt(byte[] in, int pos) {
        return (in[pos] & 0xff) << 24 | (in[pos + 1] & 0xff) << 16 | (in[pos + 2] & 0xff) << 8 | (in[pos + 3] & 0xff);
    }

    /** Bounds-checked reading of an entry body; every overrun is reported as corruption, never as an index error. */
    private static final class Reader {
        private final long index;
        private final byte[] in;
        private final int end;
        int pos;

        Reader(long index, byte[] in, int pos, int end) {
            this.index = index;
            this.in = in;
            this.pos = pos;
            this.end = end;
        }

        long varint() throws StoreCorruptedException {
            long value = 0;
            for (int i = 0; i < MAX_VARINT_BYTES; i++) {
                if (pos >= end) {
                    throw corruptEntry(index, "truncated varint");
                }
                int b = in[pos++] & 0xff;
                if (i == MAX_VARINT_BYTES - 1 && b > 1) {
                    throw corruptEntry(index, "varint overflows 64 bits");
                }
                value |= (long) (b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw corruptEntry(index, "varint longer than 10 bytes");
        }

        byte[] bytes() throws StoreCorruptedException {
            long length = varint();
            if (length < 0 || length > end - pos) {
                throw corruptEntry(index, "field length " + Long.toUnsignedString(length) + " exceeds the "
                        + (end - pos) + " bytes left");
            }
            byte[] out = new byte[(int) length];
            System.arraycopy(in, pos, out, 0, out.length);
            pos += out.length;
            return out;
        }
    }
}
