package io.flotilla.raft.codec;

import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes a decoder reads, from an array or from a stream, through one buffer the codec owns. Owning the
 * buffer is what lets raw InstallSnapshot data be read from the same stream right after a msgpack header,
 * without losing the bytes a read-ahead buffer already holds.
 *
 * <p>Offsets in error messages are relative to the start of the current message (see {@link #markMessageStart()}).
 */
final class ByteSource {
    private static final int STREAM_BUFFER_SIZE = 8192;

    private final InputStream in; // null when reading an array
    private final byte[] buf;
    private int pos;
    private int limit;
    private long consumedBeforeBuf; // bytes that left the buffer before buf[0], for positions
    private long messageStart;

    private ByteSource(InputStream in, byte[] buf, int pos, int limit) {
        this.in = in;
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
        this.consumedBeforeBuf = -pos;
    }

    /** A source over {@code length} bytes of {@code bytes} from {@code offset}; the array is not copied. */
    static ByteSource of(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + bytes.length);
        }
        return new ByteSource(null, bytes, offset, offset + length);
    }

    /** A buffered source over a stream; it reads ahead, so nothing else may read the stream afterwards. */
    static ByteSource of(InputStream in) {
        return new ByteSource(in, new byte[STREAM_BUFFER_SIZE], 0, 0);
    }

    /** Bytes consumed so far. */
    long position() {
        return consumedBeforeBuf + pos;
    }

    /** Makes the current position offset 0 of the message about to be read. */
    void markMessageStart() {
        messageStart = position();
    }

    /** The current offset within the message. */
    long offset() {
        return position() - messageStart;
    }

    /**
     * How many bytes are certainly still available: exact for an array, only the buffered part for a stream
     * (which may have more). Lets callers reject a declared length an array cannot hold before allocating.
     */
    long knownRemaining() {
        return limit - pos;
    }

    /** Whether the source is an array, whose end is the end of the input. */
    boolean isBounded() {
        return in == null;
    }

    /** Whether another byte exists; for a stream this blocks until one arrives or the stream ends. */
    boolean hasMore() throws IOException {
        return pos < limit || fill();
    }

    int peekUnsignedByte() throws IOException {
        require(1);
        return buf[pos] & 0xff;
    }

    int readUnsignedByte() throws IOException {
        require(1);
        return buf[pos++] & 0xff;
    }

    int readUint16() throws IOException {
        require(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int readInt32() throws IOException {
        require(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long readInt64() throws IOException {
        long high = readInt32() & 0xffffffffL;
        long low = readInt32() & 0xffffffffL;
        return (high << 32) | low;
    }

    /** Reads exactly {@code length} bytes into {@code dst}. */
    void readFully(byte[] dst, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = read(dst, offset + done, length - done);
            if (n < 0) {
                throw truncated();
            }
            done += n;
        }
    }

    /** Reads up to {@code length} bytes, blocking only until at least one is available; -1 at the end. */
    int read(byte[] dst, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (pos == limit) {
            if (in == null) {
                return -1;
            }
            if (length >= buf.length) {
                // Large reads bypass the buffer: no point copying snapshot data twice.
                int n = in.read(dst, offset, length);
                if (n > 0) {
                    consumedBeforeBuf += n;
                }
                return n;
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(length, limit - pos);
        System.arraycopy(buf, pos, dst, offset, n);
        pos += n;
        return n;
    }

    /** Discards exactly {@code count} bytes. */
    void skip(long count) throws IOException {
        long left = count;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw truncated();
            }
            int n = (int) Math.min(left, limit - pos);
            pos += n;
            left -= n;
        }
    }

    /** The error for input that ends inside a value. */
    CodecException truncated() {
        return new CodecException("unexpected end of input at offset " + offset());
    }

    private void require(int count) throws IOException {
        while (limit - pos < count) {
            if (!fill()) {
                throw truncated();
            }
        }
    }

    /** Appends more stream bytes to the buffer, compacting first; false at the end of the input. */
    private boolean fill() throws IOException {
        if (in == null) {
            return false;
        }
        if (pos > 0) {
            int kept = limit - pos;
            System.arraycopy(buf, pos, buf, 0, kept);
            consumedBeforeBuf += pos;
            pos = 0;
            limit = kept;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }
}
