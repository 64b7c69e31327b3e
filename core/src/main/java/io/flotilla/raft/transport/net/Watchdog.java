package io.flotilla.raft.transport.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces write deadlines, which Java sockets lack: a write that has not finished by its deadline gets its
 * connection aborted, which makes the blocked write fail. One daemon thread per transport; nothing runs on it
 * but those aborts.
 *
 * <p>Every socket write arms and disarms a deadline, so both must be cheap and must not wake the thread: arming
 * adds to a set, disarming removes from it, and the thread sleeps until the earliest deadline it knows of. Since
 * deadlines are almost always "now plus the same timeout", a new one is later than the one the thread sleeps
 * towards and needs no wake-up. (A scheduled executor here woke its thread on every write: thousands of context
 * switches a second under load.)
 */
final class Watchdog implements AutoCloseable {
    /** Cancels a deadline once the guarded write finished. */
    interface Armed {
        /** Disarms; the abort will not run unless it already started. */
        void disarm();
    }

    private static final Armed NOTHING = () -> { };
    /** How long the thread sleeps with nothing armed; arming something earlier wakes it. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** An armed deadline; whoever removes it from {@link #armed} first (expiry or disarm) decides its fate. */
    private final class Deadline implements Armed {
        final long at;
        final Runnable onExpiry;

        Deadline(long at, Runnable onExpiry) {
            this.at = at;
            this.onExpiry = onExpiry;
        }

        @Override
        public void disarm() {
            armed.remove(this);
        }
    }

    private final Set<Deadline> armed = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    /** When the thread will next look (a {@link System#nanoTime()} value). */
    private volatile long nextLook;
    private volatile boolean closed;

    Watchdog(String threadName) {
        nextLook = System.nanoTime() + IDLE_NANOS;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code onExpiry} at {@code deadlineNanos} (a {@link System#nanoTime()} value) unless disarmed first;
     * does nothing when {@code deadlineNanos} is 0 (no deadline) or the watchdog is closed.
     */
    Armed arm(long deadlineNanos, Runnable onExpiry) {
        if (deadlineNanos == 0 || closed) {
            return NOTHING; // closed: the transport is aborting every connection anyway
        }
        Deadline d = new Deadline(deadlineNanos, onExpiry);
        armed.add(d);
        if (deadlineNanos - nextLook < 0) {
            LockSupport.unpark(thread);
        }
        return d;
    }

    private void run() {
        while (!closed) {
            // While scanning, every arm() wakes us: one that the scan misses makes the park below return at once.
            nextLook = System.nanoTime() + Long.MAX_VALUE / 2;
            long now = System.nanoTime();
            long earliest = now + IDLE_NANOS;
            for (Deadline d : armed) {
                if (d.at - now <= 0) {
                    if (armed.remove(d)) {
                        expire(d);
                    }
                } else if (d.at - earliest < 0) {
                    earliest = d.at;
                }
            }
            nextLook = earliest;
            LockSupport.parkNanos(this, earliest - System.nanoTime());
        }
    }

    private static void expire(Deadline d) {
        try {
            d.onExpiry.run();
        } catch (RuntimeException e) {
            // An abort that fails has nothing left to abort; keep guarding the other connections.
        }
    }

    /** Stops the thread; pending deadlines are dropped. */
    @Override
    public void close() {
        closed = true;
        armed.clear();
        LockSupport.unpark(thread);
    }

    /** Waits a little for the thread to end (for tidy shutdowns and thread-counting tests). */
    void awaitTermination(long millis) throws InterruptedException {
        thread.join(millis);
    }
}
