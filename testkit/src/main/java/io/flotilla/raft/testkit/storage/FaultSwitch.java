package io.flotilla.raft.testkit.storage;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether the next operation of one kind (reads, or writes) of a faulty store fails: healthy, fail
 * the next {@code n}, or fail until healed. Thread-safe; arming it again replaces the previous setting.
 *
 * <p>{@link #injected()} counts every failure thrown, so a test can wait for a fault to have happened (for
 * example with Awaitility) instead of sleeping.
 */
public final class FaultSwitch {
    private static final int ALWAYS = -1;

    /** Failures still to inject: 0 = healthy, {@link #ALWAYS} = until healed. */
    private final AtomicInteger remaining = new AtomicInteger();
    private final AtomicLong injected = new AtomicLong();

    /** A healthy switch. */
    public FaultSwitch() {
    }

    /**
     * Fails the next {@code n} operations, then lets operations through again.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public void failNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        remaining.set(n);
    }

    /** Fails every operation until {@link #heal()}. */
    public void failAlways() {
        remaining.set(ALWAYS);
    }

    /** Lets every operation through again, cancelling any failures still pending. */
    public void heal() {
        remaining.set(0);
    }

    /** Whether the next operation would fail. */
    public boolean isArmed() {
        return remaining.get() != 0;
    }

    /** How many failures this switch has thrown so far. */
    public long injected() {
        return injected.get();
    }

    /**
     * Throws if the switch is armed, consuming one pending failure; called by a store before it delegates.
     *
     * @param operation the store method, named in the exception message
     */
    public void check(String operation) throws InjectedIOException {
        while (true) {
            int r = remaining.get();
            if (r == 0) {
                return;
            }
            // Compare-and-set so that concurrent callers never inject more than n failures between them.
            if (r == ALWAYS || remaining.compareAndSet(r, r - 1)) {
                injected.incrementAndGet();
                throw new InjectedIOException(operation);
            }
        }
    }
}
