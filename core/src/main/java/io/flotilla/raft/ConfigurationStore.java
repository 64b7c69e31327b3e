package io.flotilla.raft;

/**
 * An {@link Fsm} that also wants to see every committed configuration (hashicorp's {@code ConfigurationStore}).
 * Called on the FSM thread, in log order, for protocol version 3 and above; batching FSMs receive
 * configuration entries through {@link BatchingFsm#applyBatch} instead.
 */
public interface ConfigurationStore extends Fsm {
    /** A configuration entry at {@code index} has committed. */
    void storeConfiguration(long index, Configuration configuration);
}
