package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.ServerAddress;

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
 * A pipeline of AppendEntries from an {@link InmemTransport} to one peer (hashicorp's {@code inmemPipeline}).
 * Senders hand requests straight to the peer's inbox; one daemon thread, the decoder, waits for their
 * answers in sending order and completes the futures, so futures complete in order and their callbacks run
 * on the decoder, never on the peer's threads.
 *
 * <p>Each answer gets the transport's timeout, counted from when the decoder starts waiting for it, as in
 * hashicorp. At most {@link InmemTransport#PIPELINE_MAX_IN_FLIGHT} requests are sent but not yet settled;
 * further senders block (back-pressure).
 */
final class InmemPipeline implements AppendPipeline {
    /** One sent request and where its result goes. */
    private record InFlight(PendingResponse pending, CompletableFuture<AppendEntriesResponse> result,
                            boolean holdsSlot) {
    }

    /** Wakes the decoder when it is waiting for work and the pipeline closes. */
    private static final InFlight CLOSE_MARKER = new InFlight(null, null, false);

    /** Enough permits to wake every blocked sender without overflowing the semaphore. */
    private static final int WAKE_ALL = Integer.MAX_VALUE / 2;

    private final InmemTransport owner;
    private final InmemInbox peer;
    private final ServerAddress peerAddress;
    private final Duration timeout;
    private final Semaphore slots = new Semaphore(InmemTransport.PIPELINE_MAX_IN_FLIGHT);
    private final ReentrantLock sendLock = new ReentrantLock();
    private final BlockingQueue<InFlight> inFlight = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The first failure; requests after it are not sent. */
    private final AtomicReference<IOException> broken = new AtomicReference<>();
    private final Thread decoder;
    /** The request the decoder waits for, so close() can stop that wait too. */
    private volatile InFlight current;
    /** The first failure the decoder saw; every later request fails with it (decoder thread only). */
    private IOException cascade;

    InmemPipeline(InmemTransport owner, InmemInbox peer, ServerAddress peerAddress, Duration timeout) {
        this.owner = owner;
        this.peer = peer;
        this.peerAddress = peerAddress;
        this.timeout = timeout;
        this.decoder = new Thread(this::decode,
                "flotilla-inmem-pipeline-" + owner.localAddress() + "-to-" + peerAddress);
        decoder.setDaemon(true);
        decoder.start();
    }

    /** The peer this pipeline sends to. */
    ServerAddress peerAddress() {
        return peerAddress;
    }

    /** Whether the decoder thread is still running (for tests). */
    boolean decoderAlive() {
        return decoder.isAlive();
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
            if (closed.get()) {
                throw new PipelineShutdownException();
            }
            lockForSending();
            try {
                failure = broken.get();
                if (failure != null) {
                    return CompletableFuture.failedFuture(failure);
                }
                PendingResponse pending = new PendingResponse();
                switch (peer.deliver(new IncomingRpc(request, null, pending::answer), timeout)) {
                    case TIMED_OUT -> throw breakWith(new IOException("command enqueue timeout"));
                    case REFUSED -> throw breakWith(InmemTransport.notConnected(peerAddress));
                    case ACCEPTED -> { }
                }
                InFlight item = new InFlight(pending, new CompletableFuture<>(), holdsSlot);
                inFlight.add(item);
                handedOver = true;
                // Same handshake as the inbox: if close() already swept the queue, take the request back.
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

    /**
     * Waits for room in the pipeline. The decoder itself never waits: it is the only thread that frees room, so
     * a completion callback that sends the next request must not block on it.
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

    private IOException breakWith(IOException failure) {
        broken.compareAndSet(null, failure);
        return failure;
    }

    private void decode() {
        try {
            while (true) {
                InFlight item = inFlight.take();
                if (item == CLOSE_MARKER) {
                    return;
                }
                current = item;
                if (closed.get()) {
                    item.pending().abandon(new PipelineShutdownException());
                }
                settle(item);
                current = null;
            }
        } catch (InterruptedException e) {
            // Nobody else interrupts the decoder; if a callback did, the pipeline cannot go on.
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
        if (cascade != null) {
            finish(item, null, cascade);
            return;
        }
        try {
            finish(item, item.pending().await(timeout, AppendEntriesResponse.class), null);
        } catch (IOException e) {
            cascade = e;
            breakWith(e);
            finish(item, null, e);
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
        // The decoder waits for answers one by one; abandoning them all lets it run through the rest at once.
        InFlight waitingFor = current;
        if (waitingFor != null) {
            waitingFor.pending().abandon(new PipelineShutdownException());
        }
        for (InFlight item : inFlight) {
            item.pending().abandon(new PipelineShutdownException());
        }
        inFlight.add(CLOSE_MARKER);
        slots.release(WAKE_ALL);
        owner.forget(this);
    }

    @Override
    public String toString() {
        return "InmemPipeline[" + owner.localAddress() + " -> " + peerAddress + "]";
    }
}
