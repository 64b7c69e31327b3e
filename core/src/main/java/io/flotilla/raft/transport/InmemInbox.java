package io.flotilla.raft.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * The receiving end of an {@link InmemTransport}: a bounded queue of requests (hashicorp's consumer channel)
 * drained by one daemon thread that hands each request to the {@link RpcHandler}.
 *
 * <p>The bound is what lets a sender give up ({@code send timed out}) when this node stops taking requests;
 * the dedicated thread means a handler never runs on, and so can never block, a sender's thread.
 */
final class InmemInbox {
    /** What became of a request handed to {@link #deliver}. */
    enum Delivery {
        /** Queued; the handler will see it. */
        ACCEPTED,
        /** The queue stayed full for the whole timeout. */
        TIMED_OUT,
        /** Nobody is listening: no handler yet, or the inbox is closed. */
        REFUSED
    }

    private static final Logger log = LoggerFactory.getLogger(InmemInbox.class);

    private final String name;
    private final BlockingQueue<IncomingRpc> queue;
    private volatile RpcHandler handler;
    private volatile boolean closed;
    private Thread dispatcher; // guarded by this

    /**
     * @param name     names the dispatcher thread
     * @param capacity how many requests may wait; 0 means a sender waits until the dispatcher takes its request
     */
    InmemInbox(String name, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("inbox capacity must not be negative: " + capacity);
        }
        this.name = name;
        this.queue = capacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(capacity);
    }

    /** Sets the handler; the first call starts the dispatcher. Ignored once closed. */
    synchronized void setHandler(RpcHandler newHandler) {
        Objects.requireNonNull(newHandler, "handler");
        if (closed) {
            return;
        }
        handler = newHandler;
        if (dispatcher == null) {
            dispatcher = new Thread(this::dispatch, "flotilla-inmem-rpc-" + name);
            dispatcher.setDaemon(true);
            dispatcher.start();
        }
    }

    /** Queues a request, waiting at most {@code timeout} for room. */
    Delivery deliver(IncomingRpc rpc, Duration timeout) throws InterruptedIOException {
        if (closed || handler == null) {
            return Delivery.REFUSED;
        }
        try {
            if (!queue.offer(rpc, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return Delivery.TIMED_OUT;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending");
        }
        // close() raises the flag before it drains, so a request that slipped in after the drain is caught
        // here instead of waiting forever in a queue nobody reads.
        if (closed && queue.remove(rpc)) {
            return Delivery.REFUSED;
        }
        return Delivery.ACCEPTED;
    }

    /** How many requests wait for the dispatcher (for tests). */
    int queued() {
        return queue.size();
    }

    /** Whether a dispatcher thread is running or about to exit (for tests). */
    synchronized boolean hasDispatcher() {
        return dispatcher != null && dispatcher.isAlive();
    }

    /** Stops the dispatcher and refuses every queued request. Idempotent. */
    void close() {
        Thread running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = dispatcher;
        }
        // A handler closing its own transport must not interrupt itself.
        if (running != null && running != Thread.currentThread()) {
            running.interrupt();
        }
        refuseQueued();
    }

    private void dispatch() {
        try {
            while (!closed) {
                IncomingRpc rpc = queue.take();
                if (closed) {
                    refuse(rpc);
                } else {
                    handle(rpc);
                }
            }
        } catch (InterruptedException e) {
            // close() wakes us this way; the queue is drained below.
        } finally {
            refuseQueued();
        }
    }

    private void handle(IncomingRpc rpc) {
        try {
            handler.handle(rpc);
        } catch (RuntimeException e) {
            // A broken handler must not kill the dispatcher, and the caller deserves an answer now rather than
            // a timeout.
            log.warn("rpc handler failed transport={} request={}", name, rpc.request(), e);
            rpc.respond(null, "rpc handler failed: " + e);
        }
    }

    private void refuseQueued() {
        for (IncomingRpc rpc; (rpc = queue.poll()) != null; ) {
            refuse(rpc);
        }
    }

    private static void refuse(IncomingRpc rpc) {
        rpc.respond(null, TransportShutdownException.MESSAGE);
    }
}
