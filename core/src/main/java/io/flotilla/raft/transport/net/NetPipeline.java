package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.PipelineShutdownException;
import io.flotilla.raft.transport.RemoteRpcException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * AppendEntries pipelined over one dedicated connection (hashicorp's {@code netPipeline}): senders write
 * request frames back to back without waiting, and a decoder thread reads the answers in order and completes
 * the futures in order. At most {@value #MAX_IN_FLIGHT} requests are unanswered ({@code rpcMaxPipeline});
 * further senders block. Each answer must arrive within the timeout, counted from when the decoder starts
 * waiting for it; each frame must be written within the timeout.
 *
 * <p>The first failure — a broken connection, a timeout, an error answer — fails that request and every later
 * one, and the connection is closed; it is never returned to the pool.
 */
final class NetPipeline implements AppendPipeline {
    /** hashicorp's {@code rpcMaxPipeline}. */
    static final int MAX_IN_FLIGHT = 128;

    private record InFlight(CompletableFuture<AppendEntriesResponse> result, boolean holdsSlot) {
    }

    private static final InFlight CLOSE_MARKER = new InFlight(null, false);
    private static final int WAKE_ALL = Integer.MAX_VALUE / 2;

    private final NetworkTransport owner;
    private final ClientConnection conn;
    private final long timeoutNanos;
    private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
    private final ReentrantLock sendLock = new ReentrantLock();
    private final BlockingQueue<InFlight> inFlight = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<IOException> broken = new AtomicReference<>();
    private final Thread decoder;
    /** The decoder's first failure; every later request fails with it (decoder thread only). */
    private IOException cascade;

    NetPipeline(NetworkTransport owner, ClientConnection conn, Duration timeout, String threadName) {
        this.owner = owner;
        this.conn = conn;
        this.timeoutNanos = timeout.toNanos();
        this.decoder = new Thread(this::decode, threadName);
        decoder.setDaemon(true);
        decoder.start();
    }

    Thread decoderThread() {
        return decoder;
    }

    @Override
    public CompletableFuture<AppendEntriesResponse> appendEntries(AppendEntriesRequest request) throws IOException {
        Objects.requireNonNull(request, "request");
        if (closed.get()) {
            throw new PipelineShutdownException();
        }
        IOException failure = broken.get();
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        boolean holdsSlot = acquireSlot();
        boolean handedOver = false;
        try {
            lockForSending();
            try {
                if (closed.get()) {
                    throw new PipelineShutdownException();
                }
                failure = broken.get();
                if (failure != null) {
                    return CompletableFuture.failedFuture(failure);
                }
                try {
                    conn.send(request, deadline());
                } catch (IOException e) {
                    if (closed.get()) {
                        throw new PipelineShutdownException();
                    }
                    broken.compareAndSet(null, e);
                    // Answers to requests already sent may still be arriving: let the decoder read them (it closes
                    // the connection at the end of the stream) rather than throw them away with a reset.
                    if (inFlight.isEmpty() || !conn.stopSending()) {
                        conn.abort();
                    }
                    throw e;
                }
                InFlight item = new InFlight(new CompletableFuture<>(), holdsSlot);
                inFlight.add(item);
                handedOver = true;
                // If close() raced past us and the decoder already swept the queue, take the request back.
                if (closed.get() && inFlight.remove(item)) {
                    handedOver = false;
                    throw new PipelineShutdownException();
                }
                return item.result();
            } finally {
                sendLock.unlock();
            }
        } finally {
            if (!handedOver && holdsSlot) {
                slots.release();
            }
        }
    }

    private long deadline() {
        return timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
    }

    /**
     * Waits for room in the pipeline. The decoder never waits: it is the only thread that frees room, so a
     * completion callback that sends the next request must not block on it.
     */
    private boolean acquireSlot() throws InterruptedIOException {
        if (Thread.currentThread() == decoder) {
            return slots.tryAcquire();
        }
        try {
            slots.acquire();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room in the pipeline");
        }
    }

    private void lockForSending() throws InterruptedIOException {
        try {
            sendLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send");
        }
    }

    private void decode() {
        try {
            while (true) {
                InFlight item = inFlight.take();
                if (item == CLOSE_MARKER) {
                    return;
                }
                settle(item);
            }
        } catch (InterruptedException e) {
            close();
        } finally {
            for (InFlight item; (item = inFlight.poll()) != null; ) {
                if (item != CLOSE_MARKER) {
                    finish(item, null, new PipelineShutdownException());
                }
            }
        }
    }

    private void settle(InFlight item) {
        if (cascade == null && closed.get()) {
            cascade = new PipelineShutdownException();
        }
        if (cascade != null) {
            finish(item, null, cascade);
            return;
        }
        try {
            WireResponse wire = conn.receive(RpcType.APPEND_ENTRIES, deadline());
            if (wire.isError()) {
                throw new RemoteRpcException(wire.error());
            }
            RpcMessage response = wire.response()
                    .orElseThrow(() -> new IOException("peer answered without a response"));
            finish(item, (AppendEntriesResponse) response, null);
        } catch (IOException | RuntimeException e) {
            IOException failure = closed.get() ? new PipelineShutdownException()
                    : e instanceof IOException io ? io : new IOException(e.toString(), e);
            cascade = failure;
            broken.compareAndSet(null, failure);
            conn.abort();
            finish(item, null, failure);
        }
    }

    /** Frees the slot before completing, so that a callback sending the next request finds room. */
    private void finish(InFlight item, AppendEntriesResponse response, IOException failure) {
        if (item.holdsSlot()) {
            slots.release();
        }
        if (failure == null) {
            item.result().complete(response);
        } else {
            item.result().completeExceptionally(failure);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // With no sender writing, an orderly close will do (a blocked reader wakes either way), and spares the
        // peer a reset it would log (Go logs one as "failed to decode incoming command"). A sender blocked
        // writing, though, is only woken by a reset.
        if (sendLock.tryLock()) {
            try {
                conn.close();
            } finally {
                sendLock.unlock();
            }
        } else {
            conn.abort();
        }
        inFlight.add(CLOSE_MARKER);
        slots.release(WAKE_ALL);
        owner.forget(this, conn);
    }

    @Override
    public String toString() {
        return "NetPipeline[" + conn.target() + "]";
    }
}
