package io.flotilla.raft.engine;

/**
 * Where the engine reports its metrics, named as hashicorp's ({@code raft.state.leader}, {@code raft.commitTime},
 * ...). In-memory only, so calling it is not I/O; the runtime backs it with Micrometer.
 */
public interface EngineMetrics {
    /** Does nothing. */
    EngineMetrics NOOP = new EngineMetrics() {
        @Override
        public void increment(String name, double amount) {
        }

        @Override
        public void recordNanos(String name, long nanos) {
        }

        @Override
        public void gauge(String name, double value) {
        }
    };

    /** Adds to a counter. */
    void increment(String name, double amount);

    /** Records a duration on a timer. */
    void recordNanos(String name, long nanos);

    /** Sets a gauge / records a sample. */
    void gauge(String name, double value);

    /** Adds one to a counter. */
    default void increment(String name) {
        increment(name, 1);
    }
}
