/**
 * Interop tests: real hashicorp/raft 1.1.2 nodes ({@code shared/gopeer}, one process each) and Flotilla nodes (in
 * the test JVM: {@code Raft} over a TCP {@code NetworkTransport} with the {@code KvFsm}) in one TCP cluster.
 * Every test compares FSM digests (Go's {@code GET /fsm}, Java's {@code KvFsm.digest()}) once all nodes have applied
 * the last write, and, where the writes are well-formed, against the state the test expects.
 *
 * <p>Scenarios: a Go leader with Flotilla followers and the reverse (plain, odd and concurrent writes, large
 * entries, linearizable reads); leader failover to the other implementation; InstallSnapshot both ways and
 * relayed on; AddVoter, AddNonvoter, RemoveServer (including a leader removing itself); leadership transfer both
 * ways; divergent uncommitted log suffixes overwritten after restarts; protocol versions 1 and 2.
 *
 * <p>The Go binary is {@code GOPEER_BIN} if set, else built by {@code shared/gopeer/build.sh}; without either the
 * tests are skipped with the reason. Go logs go to {@code target/interop/<class>/<test>/}, Java logs to the
 * surefire output file; a failing test carries the state of every node and the tail of every Go log. Processes are
 * killed after each test and, whatever happens, when the JVM exits.
 *
 * <p>Timing: heartbeat, election and leader lease timeouts of 500 ms on both sides (Go's defaults are 1 s, 1 s and
 * 500 ms), so an election takes about a second; nothing sleeps for synchronisation, every wait polls a
 * condition with a deadline ({@link io.flotilla.kv.interop.MixedCluster#WAIT}).
 */
package io.flotilla.kv.interop;
