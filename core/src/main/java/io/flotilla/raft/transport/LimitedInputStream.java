package io.flotilla.raft.transport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Shows a receiver exactly the first {@code limit} bytes of a sender's stream, the way hashicorp's network
 * transport hands over snapshot data through {@code io.LimitReader}. Closing it leaves the underlying stream
 * open because the sender owns that stream.
 */
final class LimitedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    LimitedInputStream(InputStream in, long limit) {
        this.in = Objects.requireNonNull(in, "data");
        this.remaining = Math.max(0, limit);
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n > 0) {
            remaining -= n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(Math.max(n, 0), remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() {
        // The sender closes its own stream once the call returns.
    }
}
