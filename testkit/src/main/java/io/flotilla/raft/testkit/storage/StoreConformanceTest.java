package io.flotilla.raft.testkit.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Timeout;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lifecycle shared by the store conformance suites: a fresh store per test from {@link #newStore()},
 * released by {@link #closeStore} afterwards, and an optional {@link #reopen} for durable stores.
 *
 * <p>Every test has a timeout, run on a separate thread so that even a store busy-looping over a huge range
 * fails the test instead of hanging the build. Test names read as a specification of the store contract (underscores become spaces).
 *
 * @param <S> the store interface under test
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class StoreConformanceTest<S> {
    /** The store under test: fresh for each test, replaced by {@link #reopened()}. */
    protected S store;

    /** Subclasses are the tests. */
    protected StoreConformanceTest() {
    }

    /**
     * A new, empty store. Called once before each test (after JUnit has injected fields such as
     * {@code @TempDir}).
     */
    protected abstract S newStore() throws Exception;

    /**
     * Releases a store after a test. The default closes it if it is {@link AutoCloseable}.
     *
     * @param store the current store (after a {@link #reopen}, the reopened one)
     */
    protected void closeStore(S store) throws Exception {
        if (store instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * Closes {@code store} cleanly and opens a new store over the same data, as a restarted node would; the
     * hook owns closing the old store. The default does not support it and the tests that need it are
     * skipped. Durable stores should implement it: it is how the suite checks that data survives a restart.
     */
    protected Optional<S> reopen(S store) throws Exception {
        return Optional.empty();
    }

    /**
     * Replaces {@link #store} by a reopened one, or skips the current test when {@link #reopen} is not
     * supported.
     */
    protected final S reopened() throws Exception {
        Optional<S> next = reopen(store);
        assumeTrue(next.isPresent(), "the store under test does not support reopen");
        store = next.get();
        return store;
    }

    @BeforeEach
    final void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    final void releaseStore() throws Exception {
        if (store != null) {
            closeStore(store);
            store = null;
        }
    }
}
