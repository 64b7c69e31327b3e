/**
 * A linearizability checker for concurrent histories (Wing &amp; Gong, Lowe, Porcupine), with a key-value model
 * ({@link io.flotilla.raft.testkit.sim.linearizability.KvModel}: read, write, compare-and-set per key) and support
 * for operations of unknown outcome. Usable on any history: record {@link
 * io.flotilla.raft.testkit.sim.linearizability.Operation}s with call and return times from one clock, then call
 * {@link io.flotilla.raft.testkit.sim.linearizability.LinearizabilityChecker#check}.
 */
package io.flotilla.raft.testkit.sim.linearizability;
