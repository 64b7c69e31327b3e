package io.flotilla.raft.transport.net;

import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireReader;
import io.flotilla.raft.codec.WireRequest;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.codec.WireWriter;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.RpcHandler;
import org.slf4j.Logger;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server side of one accepted connection: a reader thread that decodes requests continuously and hands
 * each to the {@link RpcHandler} at once, and a writer thread that sends the answers in request order, whatever
 * order the handler produces them in.
 *
 * <p>So a follower's log writer can answer a burst of pipelined AppendEntries with one fsync, instead of the
 * connection waiting for each answer before reading the next request (hashicorp's server does the latter). A
 * client still sees what hashicorp's server gives it: responses in request order on each connection.
 *
 * <p>Limits: at most {@code maxPendingPerConnection} unanswered requests (then reading pauses, and TCP pushes
 * back on the client); a request that has started must arrive within {@code requestReadTimeout}; each answer
 * must be written within {@code writeTimeout}. Malformed input, an unknown type byte, or a timeout closes the
 * connection with a logged reason, and nothing of a malformed frame reaches the handler.
 *
 * <p>InstallSnapshot: its data follows the request on the stream, so the reader lends the handler a stream of
 * exactly {@code Size} bytes and reads nothing else until the handler has read them all or answered; then it
 * discards what the handler left (as hashicorp's raft does) and goes on.
 */
final class InboundConnection {
    /** What the client gets when no handler is set. */
    static final String NO_HANDLER = "no rpc handler registered";

    /** One request's place in the response order. */
    private static final class Slot {
        final RpcType type;
        WireResponse response; // guarded by lock; set once

        Slot(RpcType type) {
            this.type = type;
        }
    }

    private final NetworkTransport owner;
    private final Socket socket;
    private final String remote;
    private final Logger log;
    private final NetworkTransportConfig config;
    private final TimedInputStream input;
    private final WireReader reader;
    private final OutputStream output;
    private final WireWriter writer;
    private final Thread readerThread;
    private final Thread writerThread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Slot> pending = new ArrayDeque<>(); // guarded by lock
    private boolean readerIdle = true; // waiting for the first byte of a request; guarded by lock
    private boolean readerDone; // guarded by lock
    private boolean closeRequested; // guarded by lock
    private boolean closed; // guarded by lock
    private long lastActivityNanos = System.nanoTime(); // guarded by lock
    private SnapshotDataStream lentSnapshot; // guarded by lock

    InboundConnection(NetworkTransport owner, Socket socket, String threadPrefix) throws IOException {
        this.owner = owner;
        this.socket = socket;
        this.remote = describe(socket);
        this.log = owner.logger();
        this.config = owner.config();
        this.input = new TimedInputStream(socket);
        this.reader = new WireReader(input, config.codecLimits());
        this.output = socket.getOutputStream();
        this.writer = new WireWriter(output);
        this.readerThread = new Thread(this::readLoop, threadPrefix + "in-" + remote + "-reader");
        this.writerThread = new Thread(this::writeLoop, threadPrefix + "in-" + remote + "-writer");
        readerThread.setDaemon(true);
        writerThread.setDaemon(true);
    }

    static String describe(Socket socket) {
        return socket.getRemoteSocketAddress() instanceof InetSocketAddress a ? HostPort.format(a)
                : String.valueOf(socket.getRemoteSocketAddress());
    }

    void start() {
        readerThread.start();
        writerThread.start();
    }

    String remote() {
        return remote;
    }

    /** Both threads, for joining at shutdown. */
    Thread[] threads() {
        return new Thread[] {readerThread, writerThread};
    }

    // ---- reading ----

    private void readLoop() {
        try {
            handshake();
            while (readOne()) {
                // next request
            }
        } catch (CodecException e) {
            closeFor("failed to decode incoming command", e.getMessage());
        } catch (SocketTimeoutException e) {
            closeFor(isReaderIdle() ? "idle timeout" : "request not received in time",
                    e.getMessage());
        } catch (IOException e) {
            if (!isClosingOrClosed()) {
                // A peer that hangs up abruptly (as a closed pipeline does) is no news; say so quietly.
                log.debug("inbound connection lost remote={} error={}", remote, e.toString());
                close(true);
            }
        } catch (RuntimeException | Error e) {
            log.error("unexpected failure reading inbound connection remote={}", remote, e);
            closeFor("internal error", e.toString());
        } finally {
            lock.lock();
            try {
                readerDone = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void handshake() throws IOException {
        if (socket instanceof SSLSocket tls) {
            try {
                input.applyTimeout(TcpStreamLayer.millis(config.requestReadTimeout()));
                tls.startHandshake();
            } catch (IOException e) {
                closeFor("tls handshake failed", e instanceof SocketTimeoutException
                        ? "not completed within " + config.requestReadTimeout().toMillis() + " ms" : e.getMessage());
                throw new ClosedQuietly();
            }
        }
    }

    /** Thrown once the reason was logged, so the read loop ends without logging again. */
    private static final class ClosedQuietly extends IOException {
        ClosedQuietly() {
            super("closed");
        }
    }

    /** Reads and dispatches one request; false when the connection should stop reading. */
    private boolean readOne() throws IOException {
        lock.lock();
        try {
            if (closeRequested || closed) {
                return false;
            }
            readerIdle = true;
        } finally {
            lock.unlock();
        }
        input.setPerReadTimeout(TcpStreamLayer.millis(config.idleTimeout()));
        input.onNextData(this::requestStarted);
        Optional<WireRequest> next;
        try {
            next = reader.readRequest();
        } finally {
            input.cancelOnNextData();
            input.clearDeadline();
        }
        if (next.isEmpty()) {
            log.debug("inbound connection closed by peer remote={}", remote);
            return false;
        }
        lock.lock();
        try {
            readerIdle = false;
            lastActivityNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
        dispatch(next.get());
        return true;
    }

    /** The first bytes of a request arrived: from now on it must arrive within the request read timeout. */
    private void requestStarted() {
        input.setDeadline(System.nanoTime() + config.requestReadTimeout().toNanos());
        lock.lock();
        try {
            readerIdle = false;
            lastActivityNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    private void dispatch(WireRequest wire) throws IOException {
        Slot slot = reserve(wire.type());
        if (slot == null) {
            return; // closed meanwhile
        }
        RpcMessage request = wire.message();
        SnapshotDataStream data = null;
        if (request instanceof InstallSnapshotRequest install) {
            data = new SnapshotDataStream(reader.snapshotData(), install.size());
            input.setPerReadTimeout(TcpStreamLayer.millis(config.requestReadTimeout()));
            lock.lock();
            try {
                if (closed) {
                    data.abort();
                }
                lentSnapshot = data;
            } finally {
                lock.unlock();
            }
        }
        SnapshotDataStream lent = data;
        IncomingRpc rpc = new IncomingRpc(request, data, (response, error) -> answer(slot, response, error, lent));
        RpcHandler handler = owner.handler();
        if (handler == null) {
            rpc.respond(null, NO_HANDLER);
        } else {
            try {
                handler.handle(rpc);
            } catch (RuntimeException e) {
                log.warn("rpc handler failed remote={} request={} error={}", remote, request, e.toString(), e);
                rpc.respond(null, "rpc handler failed: " + e);
            }
        }
        if (lent != null) {
            takeBackSnapshotData(lent);
        }
    }

    private void takeBackSnapshotData(SnapshotDataStream lent) throws IOException {
        lent.awaitConsumed(config.requestReadTimeout().toNanos());
        lent.detach();
        lock.lock();
        try {
            lentSnapshot = null;
        } finally {
            lock.unlock();
        }
        // hashicorp's raft drains what it did not read before answering; do the same for any handler.
        long discarded = reader.snapshotData().transferTo(OutputStream.nullOutputStream());
        if (discarded > 0) {
            log.debug("discarded unread snapshot data remote={} bytes={}", remote, discarded);
        }
    }

    /** A place in the response order; waits while the connection has its fill of unanswered requests. */
    private Slot reserve(RpcType type) throws InterruptedIOException {
        lock.lock();
        try {
            while (!closed && pending.size() >= config.maxPendingPerConnection()) {
                changed.await();
            }
            if (closed) {
                return null;
            }
            Slot slot = new Slot(type);
            pending.addLast(slot);
            return slot;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room for another request");
        } finally {
            lock.unlock();
        }
    }

    /** The handler's answer, from any thread; never blocks on I/O. */
    private void answer(Slot slot, RpcMessage response, String error, SnapshotDataStream lent) {
        WireResponse wire;
        if (response != null && !slot.type.responseType().isInstance(response)) {
            log.error("rpc handler answered with the wrong message remote={} expected={} got={}", remote,
                    slot.type.responseType().getSimpleName(), response.getClass().getSimpleName());
            wire = WireResponse.error("internal error: wrong response type " + response.getClass().getSimpleName());
        } else {
            wire = new WireResponse(error == null ? "" : error, Optional.ofNullable(response));
        }
        lock.lock();
        try {
            slot.response = wire;
            if (pending.peekFirst() == slot) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (lent != null) {
            lent.answered();
        }
    }

    // ---- writing ----

    private void writeLoop() {
        boolean orderly = false;
        try {
            while (true) {
                Slot next;
                boolean more;
                lock.lock();
                try {
                    while (true) {
                        if (closed) {
                            return;
                        }
                        Slot head = pending.peekFirst();
                        if (head != null && head.response != null) {
                            pending.removeFirst();
                            changed.signalAll(); // room for the reader
                            next = head;
                            break;
                        }
                        if (head == null && (readerDone || (closeRequested && readerIdle))) {
                            orderly = true;
                            return;
                        }
                        changed.await();
                    }
                    Slot after = pending.peekFirst();
                    more = after != null && after.response != null;
                    lastActivityNanos = System.nanoTime();
                } finally {
                    lock.unlock();
                }
                write(next.response, more);
            }
        } catch (IOException e) {
            if (!isClosingOrClosed()) {
                closeFor("failed to send response", e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("unexpected failure writing inbound connection remote={}", remote, e);
        } finally {
            if (orderly) {
                log.debug("closing inbound connection remote={}", remote);
                close(false);
            } else {
                close(true);
            }
        }
    }

    /** Writes one answer; flushes unless the next one is already waiting (one flush for a burst). */
    private void write(WireResponse response, boolean more) throws IOException {
        long deadline = System.nanoTime() + config.writeTimeout().toNanos();
        // The watchdog logs the reason itself: closing wakes the reader too, which might otherwise report first.
        Watchdog.Armed armed = owner.watchdog().arm(deadline, () -> closeFor("response not written in time",
                "not written within " + config.writeTimeout().toMillis() + " ms"));
        try {
            writer.writeResponse(response);
            if (!more) {
                writer.flush();
            }
        } finally {
            armed.disarm();
        }
    }

    // ---- lifecycle ----

    private boolean isReaderIdle() {
        lock.lock();
        try {
            return readerIdle;
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosingOrClosed() {
        lock.lock();
        try {
            return closed || closeRequested;
        } finally {
            lock.unlock();
        }
    }

    /**
     * When this connection was last active, or -1 if it is busy: a request arriving, waiting for its answer,
     * or an answer being written. Used to pick a connection to evict when there are too many.
     */
    long idleSince() {
        lock.lock();
        try {
            if (closed || !readerIdle || !pending.isEmpty()) {
                return -1;
            }
            return lastActivityNanos;
        } finally {
            lock.unlock();
        }
    }

    /** hashicorp's CloseStreams: answer what has been received, read nothing more, then close. */
    void closeAfterCurrent() {
        lock.lock();
        try {
            closeRequested = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Logs why the connection closes, then closes it at once. */
    void closeFor(String reason, String detail) {
        if (!isClosed()) {
            log.warn("closing inbound connection remote={} reason=\"{}\" error=\"{}\"", remote, reason, detail);
        }
        close(true);
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes now; answers not yet written are dropped.
     *
     * @param abort reset the connection rather than close it in order (which never blocks)
     */
    void close(boolean abort) {
        SnapshotDataStream lent;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            lent = lentSnapshot;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (lent != null) {
            lent.abort();
        }
        input.prepareClose();
        if (abort) {
            Sockets.abort(socket);
        } else {
            // An orderly close still writes (a TLS close_notify); a peer that reads nothing must not hold it up.
            Watchdog.Armed armed = owner.watchdog().arm(System.nanoTime() + config.writeTimeout().toNanos(),
                    () -> Sockets.abort(socket));
            Sockets.close(socket);
            armed.disarm();
        }
        owner.forget(this);
    }

    @Override
    public String toString() {
        return "InboundConnection[" + remote + "]";
    }
}
