package io.flotilla.kv.interop;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling; never a fixed sleep standing in for synchronisation. */
final class Poll {
    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /** A check that may throw (e.g. an HTTP call to a node that is still starting). */
    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }

    /**
     * Polls {@code check} until it holds; on timeout throws an {@link AssertionError} with {@code what} and the
     * {@code state} description (evaluated once, at the end) and the last exception seen.
     */
    static void until(Duration timeout, String what, Supplier<String> state, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                String s;
                try {
                    s = state.get();
                } catch (RuntimeException e) {
                    s = "(state unavailable: " + e + ")";
                }
                AssertionError err = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + "; state: " + s);
                if (last != null) {
                    err.initCause(last);
                }
                throw err;
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    static void until(Duration timeout, String what, Check check) {
        until(timeout, what, () -> "", check);
    }
}
