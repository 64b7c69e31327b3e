package io.flotilla.raft.transport.net;

import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.codec.CodecLimits;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireReader;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.codec.WireWriter;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One outbound connection (hashicorp's {@code netConn}): the socket with its reader and writer. Used by one
 * caller at a time — a pooled RPC, an InstallSnapshot, or a pipeline's sender and decoder, which touch
 * separate halves. Reads and writes are bounded by deadlines: reads through socket timeouts, writes by the
 * transport's {@link Watchdog}, which aborts the connection when a write overstays.
 */
final class ClientConnection {
    private final ServerAddress target;
    private final Socket socket;
    private final TimedInputStream input;
    private final WireReader reader;
    private final WireWriter writer;
    private final Watchdog watchdog;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean timedOut;

    ClientConnection(ServerAddress target, Socket socket, CodecLimits limits, Watchdog watchdog) throws IOException {
        this.target = target;
        this.socket = socket;
        this.input = new TimedInputStream(socket);
        this.reader = new WireReader(input, limits);
        this.writer = new WireWriter(socket.getOutputStream());
        this.watchdog = watchdog;
    }

    /** The address this connection was dialled to (the pool's key). */
    ServerAddress target() {
        return target;
    }

    /** Writes a request frame and flushes it, by {@code deadlineNanos} (0: no deadline). */
    void send(RpcMessage request, long deadlineNanos) throws IOException {
        Watchdog.Armed armed = watchdog.arm(deadlineNanos, this::expire);
        try {
            writer.writeRequest(request);
            writer.flush();
        } catch (IOException e) {
            throw timedOut ? timeout("write", e) : e;
        } finally {
            armed.disarm();
        }
    }

    /**
     * Writes an InstallSnapshot request, then exactly {@code size} bytes of {@code data}, and flushes, by
     * {@code deadlineNanos}.
     */
    void sendSnapshot(RpcMessage request, InputStream data, long size, long deadlineNanos) throws IOException {
        Watchdog.Armed armed = watchdog.arm(deadlineNanos, this::expire);
        try {
            writer.writeRequest(request);
            byte[] buf = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = data.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("snapshot data ended after " + (size - left) + " of its " + size + " bytes");
                }
                writer.writeSnapshotData(buf, 0, n);
                left -= n;
            }
            writer.flush();
        } catch (IOException e) {
            throw timedOut ? timeout("write", e) : e;
        } finally {
            armed.disarm();
        }
    }

    /** Reads the answer to a request of {@code type}, by {@code deadlineNanos} (0: no deadline). */
    WireResponse receive(RpcType type, long deadlineNanos) throws IOException {
        if (deadlineNanos != 0) {
            input.setDeadline(deadlineNanos);
        }
        try {
            return reader.readResponse(type);
        } catch (IOException e) {
            throw timedOut || e instanceof SocketTimeoutException ? timeout("read", e) : e;
        } finally {
            input.clearDeadline();
        }
    }

    private void expire() {
        timedOut = true;
        abort();
    }

    private SocketTimeoutException timeout(String what, IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException(what + " tcp " + target + ": i/o timeout");
        e.initCause(cause);
        return e;
    }

    /** Whether the connection has been closed. */
    boolean isClosed() {
        return closed.get();
    }

    /** An orderly close, for an idle connection. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            input.prepareClose();
            Sockets.close(socket);
        }
    }

    /**
     * Stops sending but keeps the connection open for reading, so answers already on their way can still be read.
     *
     * @return false if the socket cannot half-close (TLS), in which case nothing changed
     */
    boolean stopSending() {
        try {
            socket.shutdownOutput();
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A reset, for a connection in an unknown state or in use by a blocked thread. Idempotent. */
    void abort() {
        if (closed.compareAndSet(false, true)) {
            input.prepareClose();
            Sockets.abort(socket);
        }
    }

    @Override
    public String toString() {
        return "ClientConnection[" + target + " local=" + socket.getLocalPort() + "]";
    }
}
