package io.flotilla.raft.transport.net;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Enforces write deadlines, which Java sockets lack: a write that has not finished by its deadline gets its
 * connection aborted, which makes the blocked write fail. One daemon thread per transport; nothing runs on it
 * but those aborts.
 */
final class Watchdog implements AutoCloseable {
    /** Cancels a deadline once the guarded write finished. */
    interface Armed {
        /** Disarms; the abort will not run unless it already started. */
        void disarm();
    }

    private static final Armed NOTHING = () -> { };

    private final ScheduledThreadPoolExecutor executor;

    Watchdog(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Runs {@code onExpiry} at {@code deadlineNanos} (a {@link System#nanoTime()} value) unless disarmed first;
     * does nothing when {@code deadlineNanos} is 0 (no deadline) or the watchdog is closed.
     */
    Armed arm(long deadlineNanos, Runnable onExpiry) {
        if (deadlineNanos == 0) {
            return NOTHING;
        }
        try {
            ScheduledFuture<?> f = executor.schedule(onExpiry, deadlineNanos - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return NOTHING; // closed: the transport is aborting every connection anyway
        }
    }

    /** Stops the thread; pending deadlines are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Waits a little for the thread to end (for tidy shutdowns and thread-counting tests). */
    void awaitTermination(long millis) throws InterruptedException {
        executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
