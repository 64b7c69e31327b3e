package io.flotilla.raft.codec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads msgpack values into Go-typed fields with exactly the leniency of go-msgpack 0.5.5's decoder (see
 * the wire README, "What the Go decoder accepts"): nil gives the zero value, any integer width fits an
 * integer field if the value does, bools also take 0 and 1, byte fields take str, bin or an array of small
 * ints, string fields take only the str family.
 *
 * <p>Every declared length is checked against the {@link CodecLimits} and, for array input, against what is
 * left, before anything is allocated. Every problem is a {@link CodecException} naming the field and offset.
 */
final class GoMsgpackReader {
    /** Keys longer than this match no field of ours, so they are skipped unread. */
    static final int MAX_KEY_LENGTH = 64;

    /** Streams larger payloads into a growing array, so a lying header cannot reserve memory up front. */
    private static final int EAGER_ALLOCATION_LIMIT = 1 << 20;

    private final ByteSource src;
    private final CodecLimits limits;
    private final byte[] keyBuffer = new byte[MAX_KEY_LENGTH];

    GoMsgpackReader(ByteSource src, CodecLimits limits) {
        this.src = src;
        this.limits = limits;
    }

    ByteSource source() {
        return src;
    }

    CodecLimits limits() {
        return limits;
    }

    /** Consumes a nil if one is next. */
    boolean tryReadNil() throws IOException {
        if (src.peekUnsignedByte() == 0xc0) {
            src.readUnsignedByte();
            return true;
        }
        return false;
    }

    /** Whether the next value is an array (a struct may arrive as one, in field-declaration order). */
    boolean nextIsArray() throws IOException {
        int b = src.peekUnsignedByte();
        return (b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd;
    }

    /**
     * Reads the header of a struct sent as a map or an array and returns its element count; nil counts as an
     * empty struct (all zero values), as in Go.
     */
    int readStructHeader(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        long count;
        int minBytesPerElement;
        if (b >= 0x80 && b <= 0x8f) {
            count = b & 0x0f;
            minBytesPerElement = 2;
        } else if (b == 0xde) {
            count = src.readUint16();
            minBytesPerElement = 2;
        } else if (b == 0xdf) {
            count = src.readInt32() & 0xffffffffL;
            minBytesPerElement = 2;
        } else if (b >= 0x90 && b <= 0x9f) {
            count = b & 0x0f;
            minBytesPerElement = 1;
        } else if (b == 0xdc) {
            count = src.readUint16();
            minBytesPerElement = 1;
        } else if (b == 0xdd) {
            count = src.readInt32() & 0xffffffffL;
            minBytesPerElement = 1;
        } else if (b == 0xc0) {
            return 0;
        } else {
            throw unexpected(what, "a map or array", b, start);
        }
        return checkCount(what, count, minBytesPerElement, limits.maxCollectionLength());
    }

    /**
     * Reads the header of a Go slice of structs ({@code []*Log}, {@code []Server}) or of byte strings, or
     * returns -1 for nil.
     */
    int readArrayHeaderOrNil(String what, int maxElements) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        long count;
        if (b >= 0x90 && b <= 0x9f) {
            count = b & 0x0f;
        } else if (b == 0xdc) {
            count = src.readUint16();
        } else if (b == 0xdd) {
            count = src.readInt32() & 0xffffffffL;
        } else if (b == 0xc0) {
            return -1;
        } else {
            throw unexpected(what, "an array", b, start);
        }
        return checkCount(what, count, 1, maxElements);
    }

    /**
     * Which field the next value of a struct fills: named by a key for a struct sent as a map, by position
     * for one sent as an array; -1 for a value to skip (an unknown key, or a position past the last field).
     * Also where the message size limit is enforced, since every struct field passes here.
     */
    int nextField(StructSchema schema, boolean asArray, int position) throws IOException {
        if (src.offset() > limits.maxMessageBytes()) {
            throw error(schema.name(), "message exceeds the limit of " + limits.maxMessageBytes() + " bytes",
                    src.offset());
        }
        return asArray ? schema.fieldAtPosition(position) : readFieldKey(schema);
    }

    /**
     * Reads a map key and returns the index of the schema field it names, or -1 for a key the struct does
     * not have (the caller then skips its value). A nil key is Go's empty string: unknown.
     */
    private int readFieldKey(StructSchema schema) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        long length;
        if (b >= 0xa0 && b <= 0xbf) {
            length = b & 0x1f;
        } else if (b == 0xd9) {
            length = src.readUnsignedByte();
        } else if (b == 0xda) {
            length = src.readUint16();
        } else if (b == 0xdb) {
            length = src.readInt32() & 0xffffffffL;
        } else if (b == 0xc0) {
            return -1;
        } else {
            throw unexpected(schema.name() + " map key", "a string", b, start);
        }
        if (length > MAX_KEY_LENGTH) {
            checkPayload(schema.name() + " map key", length);
            src.skip(length);
            return -1;
        }
        src.readFully(keyBuffer, 0, (int) length);
        return schema.indexOf(keyBuffer, (int) length);
    }

    /** A Go {@code uint64}; the result is the unsigned value's bits. */
    long readUint64(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        if (b <= 0x7f) {
            return b;
        }
        switch (b) {
            case 0xc0:
                return 0;
            case 0xcc:
                return src.readUnsignedByte();
            case 0xcd:
                return src.readUint16();
            case 0xce:
                return src.readInt32() & 0xffffffffL;
            case 0xcf:
                return src.readInt64();
            case 0xd0:
                return nonNegative(what, (byte) src.readUnsignedByte(), start);
            case 0xd1:
                return nonNegative(what, (short) src.readUint16(), start);
            case 0xd2:
                return nonNegative(what, src.readInt32(), start);
            case 0xd3:
                return nonNegative(what, src.readInt64(), start);
            default:
                if (b >= 0xe0) {
                    return nonNegative(what, (byte) b, start);
                }
                throw unexpected(what, "an integer", b, start);
        }
    }

    /** A Go {@code uint8}. */
    int readUint8(String what) throws IOException {
        long start = src.offset();
        long v = readUint64(what);
        if (Long.compareUnsigned(v, 0xff) > 0) {
            throw error(what, "value " + Long.toUnsignedString(v) + " overflows uint8", start);
        }
        return (int) v;
    }

    /** A Go signed integer, which must also fit a Java {@code long}. */
    long readInt64(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        if (b <= 0x7f || b >= 0xe0) {
            return (byte) b;
        }
        switch (b) {
            case 0xc0:
                return 0;
            case 0xcc:
                return src.readUnsignedByte();
            case 0xcd:
                return src.readUint16();
            case 0xce:
                return src.readInt32() & 0xffffffffL;
            case 0xcf: {
                long v = src.readInt64();
                if (v < 0) {
                    throw error(what, "value " + Long.toUnsignedString(v) + " overflows int64", start);
                }
                return v;
            }
            case 0xd0:
                return (byte) src.readUnsignedByte();
            case 0xd1:
                return (short) src.readUint16();
            case 0xd2:
                return src.readInt32();
            case 0xd3:
                return src.readInt64();
            default:
                throw unexpected(what, "an integer", b, start);
        }
    }

    /** A Go {@code int} that must fit a Java {@code int}. */
    int readInt(String what) throws IOException {
        long start = src.offset();
        long v = readInt64(what);
        if (v != (int) v) {
            throw error(what, "value " + v + " is out of range", start);
        }
        return (int) v;
    }

    /** A Go {@code bool}: {@code c2}/{@code c3}, or fixint 0/1 as go-msgpack also allows, or nil for false. */
    boolean readBool(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        switch (b) {
            case 0xc2:
            case 0x00:
            case 0xc0:
                return false;
            case 0xc3:
            case 0x01:
                return true;
            default:
                throw unexpected(what, "a bool", b, start);
        }
    }

    /**
     * A Go {@code []byte}: nil gives {@code null}; a zero-length str or bin gives an empty array (Go would
     * give nil, but keeping it empty lets a re-encode reproduce the sender's {@code a0}).
     */
    byte[] readBytes(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        long length;
        if (b >= 0xa0 && b <= 0xbf) {
            length = b & 0x1f;
        } else {
            switch (b) {
                case 0xc0:
                    return null;
                case 0xd9:
                case 0xc4:
                    length = src.readUnsignedByte();
                    break;
                case 0xda:
                case 0xc5:
                    length = src.readUint16();
                    break;
                case 0xdb:
                case 0xc6:
                    length = src.readInt32() & 0xffffffffL;
                    break;
                case 0xdc:
                    return readByteArrayElements(what, src.readUint16());
                case 0xdd:
                    return readByteArrayElements(what, src.readInt32() & 0xffffffffL);
                default:
                    if (b >= 0x90 && b <= 0x9f) {
                        return readByteArrayElements(what, b & 0x0f);
                    }
                    throw unexpected(what, "bytes (str or bin)", b, start);
            }
        }
        return readPayload(what, length);
    }

    /** A Go {@code string}: the str family only (go-msgpack rejects bin here); nil is the empty string. */
    String readString(String what) throws IOException {
        long start = src.offset();
        int b = src.readUnsignedByte();
        long length;
        if (b >= 0xa0 && b <= 0xbf) {
            length = b & 0x1f;
        } else {
            switch (b) {
                case 0xc0:
                    return "";
                case 0xd9:
                    length = src.readUnsignedByte();
                    break;
                case 0xda:
                    length = src.readUint16();
                    break;
                case 0xdb:
                    length = src.readInt32() & 0xffffffffL;
                    break;
                default:
                    throw unexpected(what, "a string (bin is not accepted for a Go string)", b, start);
            }
        }
        if (length == 0) {
            return "";
        }
        return new String(readPayload(what, length), StandardCharsets.UTF_8);
    }

    /** Skips one value of any type, as go-msgpack does for an unknown key. */
    void skipValue(String what) throws IOException {
        skipValue(what, 0);
    }

    private void skipValue(String what, int depth) throws IOException {
        if (depth > limits.maxNestingDepth()) {
            throw error(what, "unknown value nested deeper than " + limits.maxNestingDepth(), src.offset());
        }
        long start = src.offset();
        int b = src.readUnsignedByte();
        if (b <= 0x7f || b >= 0xe0) {
            return;
        }
        if (b <= 0x8f) {
            skipElements(what, b & 0x0f, 2, depth);
            return;
        }
        if (b <= 0x9f) {
            skipElements(what, b & 0x0f, 1, depth);
            return;
        }
        if (b <= 0xbf) {
            src.skip(b & 0x1f);
            return;
        }
        switch (b) {
            case 0xc0, 0xc2, 0xc3 -> {
            }
            case 0xc4, 0xd9 -> skipPayload(what, src.readUnsignedByte());
            case 0xc5, 0xda -> skipPayload(what, src.readUint16());
            case 0xc6, 0xdb -> skipPayload(what, src.readInt32() & 0xffffffffL);
            case 0xc7 -> skipPayload(what, src.readUnsignedByte() + 1L);
            case 0xc8 -> skipPayload(what, src.readUint16() + 1L);
            case 0xc9 -> skipPayload(what, (src.readInt32() & 0xffffffffL) + 1L);
            case 0xca -> src.skip(4);
            case 0xcb -> src.skip(8);
            case 0xcc, 0xd0 -> src.skip(1);
            case 0xcd, 0xd1 -> src.skip(2);
            case 0xce, 0xd2 -> src.skip(4);
            case 0xcf, 0xd3 -> src.skip(8);
            case 0xd4 -> src.skip(2);
            case 0xd5 -> src.skip(3);
            case 0xd6 -> src.skip(5);
            case 0xd7 -> src.skip(9);
            case 0xd8 -> src.skip(17);
            case 0xdc -> skipElements(what, src.readUint16(), 1, depth);
            case 0xdd -> skipElements(what, src.readInt32() & 0xffffffffL, 1, depth);
            case 0xde -> skipElements(what, src.readUint16(), 2, depth);
            case 0xdf -> skipElements(what, src.readInt32() & 0xffffffffL, 2, depth);
            default -> throw unexpected(what, "a msgpack value", b, start); // 0xc1 is never used
        }
    }

    private void skipElements(String what, long count, int valuesPerElement, int depth) throws IOException {
        int n = checkCount(what, count, valuesPerElement, limits.maxCollectionLength());
        for (long i = (long) n * valuesPerElement; i > 0; i--) {
            skipValue(what, depth + 1);
        }
    }

    private void skipPayload(String what, long length) throws IOException {
        checkPayload(what, length);
        src.skip(length);
    }

    /** Go's []byte also decodes from an array of small integers. */
    private byte[] readByteArrayElements(String what, long count) throws IOException {
        int n = checkCount(what, count, 1, limits.maxByteStringLength());
        // On a stream the count is unverified, so the array grows as elements actually arrive.
        byte[] bytes = new byte[src.isBounded() ? n : Math.min(n, 4096)];
        for (int i = 0; i < n; i++) {
            if (i == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(n, 2L * bytes.length));
            }
            bytes[i] = (byte) readUint8(what);
        }
        return bytes;
    }

    private byte[] readPayload(String what, long length) throws IOException {
        checkPayload(what, length);
        int n = (int) length;
        if (n <= EAGER_ALLOCATION_LIMIT || src.isBounded()) {
            byte[] bytes = new byte[n];
            src.readFully(bytes, 0, n);
            return bytes;
        }
        byte[] bytes = new byte[EAGER_ALLOCATION_LIMIT];
        int filled = 0;
        while (filled < n) {
            if (filled == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(n, 2L * bytes.length));
            }
            int chunk = bytes.length - filled;
            src.readFully(bytes, filled, chunk);
            filled += chunk;
        }
        return bytes;
    }

    private void checkPayload(String what, long length) throws CodecException {
        if (length > limits.maxByteStringLength()) {
            throw error(what, "declared length " + length + " exceeds the limit " + limits.maxByteStringLength(),
                    src.offset());
        }
        checkAvailable(what, length);
    }

    private int checkCount(String what, long count, int minBytesPerElement, int max) throws CodecException {
        if (count > max) {
            throw error(what, "declared " + count + " elements, over the limit " + max, src.offset());
        }
        checkAvailable(what, count * minBytesPerElement);
        return (int) count;
    }

    private void checkAvailable(String what, long bytes) throws CodecException {
        if (src.offset() + bytes > limits.maxMessageBytes()) {
            throw error(what, "message exceeds the limit of " + limits.maxMessageBytes() + " bytes",
                    src.offset());
        }
        if (src.isBounded() && bytes > src.knownRemaining()) {
            throw error(what, "declares " + bytes + " bytes but only " + src.knownRemaining() + " remain",
                    src.offset());
        }
    }

    private static long nonNegative(String what, long value, long start) throws CodecException {
        if (value < 0) {
            throw error(what, "negative value " + value + " for an unsigned field", start);
        }
        return value;
    }

    CodecException unexpected(String what, String expected, int formatByte, long offset) {
        return error(what, "expected " + expected + " but found " + MsgpackFormats.describe(formatByte), offset);
    }

    static CodecException error(String what, String problem, long offset) {
        return new CodecException(what + ": " + problem + " at offset " + offset);
    }
}
