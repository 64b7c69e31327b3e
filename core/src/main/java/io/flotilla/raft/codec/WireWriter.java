package io.flotilla.raft.codec;

import io.flotilla.raft.RpcMessage;

import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes the network transport's side of a connection: request frames (type byte, then the msgpack request),
 * InstallSnapshot data right after its request, and responses (error string, then the response or nil).
 * There are no length prefixes; the reader finds message boundaries by parsing msgpack.
 *
 * <p>Output is buffered: call {@link #flush()} once per message, as hashicorp does. Not thread-safe; one
 * writer per connection.
 */
public final class WireWriter implements Flushable {
    private final GoMsgpackWriter out;
    private final byte[] copyBuffer = new byte[8192];

    /** A writer onto a connection's output stream; the stream should not be written by anything else. */
    public WireWriter(OutputStream out) {
        this.out = GoMsgpackWriter.to(Objects.requireNonNull(out, "out"));
    }

    /**
     * Writes a request frame. For InstallSnapshot, follow it with exactly {@code size} bytes through
     * {@link #writeSnapshotData}.
     *
     * @throws IllegalArgumentException if the message is a response
     */
    public void writeRequest(RpcMessage request) throws IOException {
        MessageEncoder.requestFrame(out, request);
    }

    /** Writes a response without error. */
    public void writeResponse(RpcMessage response) throws IOException {
        writeResponse(WireResponse.of(response));
    }

    /** Writes a response: its error string ({@code a0} when none), then the message or nil. */
    public void writeResponse(WireResponse response) throws IOException {
        MessageEncoder.responseFrame(out, response);
    }

    /** Writes raw snapshot data after an InstallSnapshot request. */
    public void writeSnapshotData(byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        out.raw(data, offset, length);
    }

    /**
     * Copies {@code data} to its end as raw snapshot data, as hashicorp's client streams the whole snapshot
     * reader; returns the number of bytes copied, which should equal the request's {@code Size}.
     */
    public long writeSnapshotData(InputStream data) throws IOException {
        long total = 0;
        for (int n; (n = data.read(copyBuffer)) >= 0; ) {
            out.raw(copyBuffer, 0, n);
            total += n;
        }
        return total;
    }

    /** Sends everything written so far. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }
}
