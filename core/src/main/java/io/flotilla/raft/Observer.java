package io.flotilla.raft;

import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Receives {@link Observation}s from a node it is registered with (hashicorp's {@code Observer}). A blocking
 * observer waits for room in its queue — stalling the node's event loop meanwhile, so drain it promptly; a
 * non-blocking one drops what does not fit and counts it.
 */
public final class Observer {
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final long id = NEXT_ID.getAndIncrement();
    private final BlockingQueue<Observation> queue;
    private final boolean blocking;
    private final Predicate<Observation> filter;
    private final AtomicLong observed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param queue    where observations go
     * @param blocking whether to wait for room rather than drop
     * @param filter   which observations to deliver ({@code null} for all)
     */
    public Observer(BlockingQueue<Observation> queue, boolean blocking, Predicate<Observation> filter) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.blocking = blocking;
        this.filter = filter == null ? o -> true : filter;
    }

    /** A process-unique id, from 1. */
    public long id() {
        return id;
    }

    /** How many observations were delivered. */
    public long numObserved() {
        return observed.get();
    }

    /** How many observations were dropped because the queue was full (non-blocking observers only). */
    public long numDropped() {
        return dropped.get();
    }

    void deliver(Observation o) {
        if (!filter.test(o)) {
            return;
        }
        if (blocking) {
            try {
                queue.put(o);
                observed.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (queue.offer(o)) {
            observed.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }
}
