package io.flotilla.raft.codec;

import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.RpcMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the network transport's side of a connection: request frames on the server side, responses on the
 * client side, and the raw snapshot data that follows an InstallSnapshot request on the same stream.
 *
 * <p>The reader buffers ahead, so once created it must be the only reader of the stream. Bad input raises
 * {@link CodecException} (after which the connection should be closed); failures of the stream itself
 * propagate as they are. Not thread-safe; one reader per connection.
 */
public final class WireReader {
    private final ByteSource source;
    private final GoMsgpackReader reader;
    private long snapshotBytesLeft;

    /** A reader with the default limits. */
    public WireReader(InputStream in) {
        this(in, CodecLimits.DEFAULT);
    }

    /** A reader that enforces {@code limits} on every message. */
    public WireReader(InputStream in, CodecLimits limits) {
        this.source = ByteSource.of(Objects.requireNonNull(in, "in"));
        this.reader = new GoMsgpackReader(source, Objects.requireNonNull(limits, "limits"));
    }

    /**
     * Reads the next request frame, first discarding whatever the caller left unread of the previous
     * InstallSnapshot's data. Empty when the stream ends cleanly between requests (the peer hung up).
     *
     * @throws CodecException for an unknown type byte ({@code unknown rpc type N}), a malformed or
     *                        truncated request, or one over the limits
     */
    public Optional<WireRequest> readRequest() throws IOException {
        discardSnapshotData();
        if (!source.hasMore()) {
            return Optional.empty();
        }
        source.markMessageStart();
        RpcType type = RpcType.fromCode(source.readUnsignedByte());
        RpcMessage request = DecodeGuard.run(type + " request", () -> MessageDecoder.request(type, reader));
        if (request instanceof InstallSnapshotRequest install) {
            snapshotBytesLeft = install.size();
        }
        return Optional.of(new WireRequest(type, request));
    }

    /**
     * Reads the next response, which answers a request of {@code type}: the error string, then the response
     * message or nil.
     *
     * @throws CodecException for a malformed or truncated response, including a stream that ends first
     */
    public WireResponse readResponse(RpcType type) throws IOException {
        Objects.requireNonNull(type, "type");
        discardSnapshotData();
        source.markMessageStart();
        return DecodeGuard.run(type + " response", () -> {
            String error = reader.readString("error string");
            if (reader.tryReadNil()) {
                return WireResponse.error(error);
            }
            return new WireResponse(error, Optional.of(MessageDecoder.response(type, reader)));
        });
    }

    /** How many bytes of the last InstallSnapshot request's data are still unread. */
    public long snapshotBytesLeft() {
        return snapshotBytesLeft;
    }

    /**
     * The data of the InstallSnapshot request just read: a stream of exactly its {@code Size} bytes, read
     * from this connection (closing it does not close the connection). It fails with a
     * {@link CodecException} if the connection ends before {@code Size} bytes arrived.
     */
    public InputStream snapshotData() {
        return new SnapshotData();
    }

    private void discardSnapshotData() throws IOException {
        if (snapshotBytesLeft > 0) {
            long left = snapshotBytesLeft;
            snapshotBytesLeft = 0;
            source.skip(left);
        }
    }

    /** Go hands raft {@code io.LimitReader(conn, Size)}; this is that, over the reader's own buffer. */
    private final class SnapshotData extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (snapshotBytesLeft == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = source.read(b, off, (int) Math.min(len, snapshotBytesLeft));
            if (n < 0) {
                throw new CodecException("snapshot data ended with " + snapshotBytesLeft + " of its bytes missing");
            }
            snapshotBytesLeft -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(snapshotBytesLeft, source.knownRemaining());
        }
    }
}
