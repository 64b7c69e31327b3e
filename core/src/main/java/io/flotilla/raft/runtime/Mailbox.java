package io.flotilla.raft.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue in front of one of the runtime's threads (event loop, log writer, FSM): any thread adds, only the
 * owning thread takes. Adding never takes a lock and makes a system call only when the owner is asleep waiting
 * for work — a {@code LinkedBlockingQueue} locks on every add, and with many clients proposing at once that lock
 * was contended, parking and waking the clients themselves.
 *
 * @param <T> what is queued
 */
final class Mailbox<T> {
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    /** The owner while it waits for work, else {@code null}. */
    private volatile Thread sleeper;

    /** Queues {@code item}, waking the owner if it waits. */
    void add(T item) {
        items.offer(item);
        // Paired with the owner's write of sleeper before its last look at the queue: one of the two sees the other.
        Thread s = sleeper;
        if (s != null) {
            LockSupport.unpark(s);
        }
    }

    /** The oldest item, or {@code null} at once if there is none. */
    T poll() {
        return items.poll();
    }

    /** The oldest item, waiting up to {@code timeout} for one; {@code null} if none came. Owner only. */
    T poll(long timeout, TimeUnit unit) throws InterruptedException {
        T item = items.poll();
        if (item != null) {
            return item;
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        sleeper = Thread.currentThread();
        try {
            while (true) {
                item = items.poll();
                if (item != null) {
                    return item;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            sleeper = null;
        }
    }

    /** The oldest item, waiting as long as it takes. Owner only. */
    T take() throws InterruptedException {
        while (true) {
            T item = poll(1, TimeUnit.DAYS);
            if (item != null) {
                return item;
            }
        }
    }

    /** Moves up to {@code max} items into {@code into}; returns how many. */
    int drainTo(Collection<? super T> into, int max) {
        int n = 0;
        T item;
        while (n < max && (item = items.poll()) != null) {
            into.add(item);
            n++;
        }
        return n;
    }

    /** Moves every item into {@code into}; returns how many. */
    int drainTo(Collection<? super T> into) {
        return drainTo(into, Integer.MAX_VALUE);
    }

    /** Removes and returns everything queued. */
    List<T> removeAll() {
        List<T> all = new ArrayList<>();
        drainTo(all);
        return all;
    }

    /** Whether nothing is queued. */
    boolean isEmpty() {
        return items.isEmpty();
    }
}
