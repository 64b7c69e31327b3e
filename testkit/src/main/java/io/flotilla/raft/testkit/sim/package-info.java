/**
 * The deterministic simulator: N Raft {@link io.flotilla.raft.engine.Engine}s driven in one thread under faults,
 * with Raft's safety properties checked after every step — the project's proof machinery.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>{@link io.flotilla.raft.testkit.sim.Simulation} owns everything of one run: a virtual clock (nanoseconds), an
 *       event queue ordered by (time, sequence), the nodes, the network, the clients and the nemesis. Its loop
 *       delivers the earliest of the next event and the earliest engine deadline ({@code nextDeadline()} → Tick).
 *       One {@link java.util.SplittableRandom} seeded by {@link io.flotilla.raft.testkit.sim.SimOptions#seed()} makes
 *       every decision (engines get their own generators drawn from it), so a seed replays a run exactly.</li>
 *   <li>A <em>step</em> is one {@code Engine.step(input)}: the outputs are collected, then executed in order, as the
 *       Output Javadoc requires — term and vote persists are synchronous; log operations are applied to the
 *       in-memory log at once and to the disk when the simulated log writer syncs (group commit after 0.05–1 ms, or
 *       5–100 ms on a slow disk), which then feeds {@code LogPersisted}; {@code SendEntries} reads the sender's
 *       in-memory log (a missing entry → {@code RpcFailed(ENTRIES_UNAVAILABLE)}); {@code SendSnapshot} sends the
 *       sender's newest durable snapshot ({@code NO_SNAPSHOT} if none); {@code AcceptSnapshot} stores the snapshot
 *       durably after 1–20 ms, restores the state machine and feeds {@code SnapshotInstalled}; {@code Commit} applies
 *       entries to the {@link io.flotilla.raft.testkit.sim.KvFsm} and completes client requests;
 *       {@code ShutdownRequested} shuts the node down.</li>
 *   <li>{@link io.flotilla.raft.testkit.sim.SimNode}: a node's disk (term, vote, durable log, the two newest
 *       snapshots) survives crashes; the engine, in-memory log, pending writes, state machine and unanswered RPCs do
 *       not. A (re)booted node computes its {@link io.flotilla.raft.engine.RestoredState} from its disk as the runtime
 *       does: the newest snapshot, term runs of the durable log, configurations from the snapshot's then the log's
 *       configuration entries after it (latest = last, committed = the one before); a log that ends at or before
 *       the snapshot, or disagrees with it at its index (a crash lost the ResetLog of an install), is replaced by
 *       it. The state machine is restored from the snapshot.</li>
 *   <li>{@link io.flotilla.raft.testkit.sim.Safety} holds the invariants (documented there) and checks them
 *       incrementally while outputs execute and after every step.</li>
 *   <li>{@link io.flotilla.raft.testkit.sim.Scenarios}: {@code chaos} (random nemesis), {@code hunt} (leadership
 *       churn) and ports of hashicorp's fuzzy tests ({@code simple}, {@code partition}, {@code add-membership},
 *       {@code add-remove-not-leader}, {@code remove-leader}, {@code remove-partitioned-node},
 *       {@code leadership-transfer}, {@code slow-send-vote}, {@code slow-recv-vote}).</li>
 *   <li>{@link io.flotilla.raft.testkit.sim.SimRunner} sweeps seeds (in parallel: runs are independent);
 *       {@link io.flotilla.raft.testkit.sim.SimulateCommand} is {@code ./flotilla simulate}.</li>
 * </ul>
 *
 * <h2>Fault model ({@link io.flotilla.raft.testkit.sim.Fault})</h2>
 * Per seed the run draws cluster size (3–7 engines, some of them spares for membership changes), timeouts,
 * {@code MaxAppendEntries} (1–64), pipeline depth (1–128), {@code TrailingLogs}, a snapshot threshold (3–50 applied
 * entries), and fault rates. The network delivers each request and response after 0.1–2 ms (plus 5–150 ms for a
 * share of "slow" messages), FIFO per link unless reordering is on; it drops messages (the sender sees a transport
 * failure, as after a reset connection), duplicates requests (the copy arrives up to 300 ms later and is answered
 * too), partitions the nodes into two groups and cuts single links in one direction; unanswered RPCs fail after 2 s.
 * Nodes crash — losing unsynced log writes, or with a slow disk keeping a random prefix of them — and restart after
 * 5 ms–1.5 s; a node may also crash in the middle of a step, just before a term or vote reaches the disk (the outputs
 * after it are never executed). The nemesis also asks the leader for membership changes (add voter / non-voter,
 * promote, demote, remove — including the leader itself) and leadership transfers. After the faulty phase
 * everything heals: network repaired, crashed nodes rebooted, clients stopped; the cluster must then converge.
 *
 * <h2>Clients and reads</h2>
 * Two to seven clients each run one operation at a time on one to three keys: writes, compare-and-sets and reads,
 * with unique written values. A write or cas is a log entry proposed at a node believed to lead; it completes with
 * the state machine's result when that node applies it. Reads are linearizable in two ways, chosen at random:
 * (1) as a log entry (a GET command applied like a write), or (2) Raft's ReadIndex: the leader must have committed
 * an entry of its own term (otherwise the read is refused), records its commit index, confirms leadership with
 * {@code VerifyLeader}, and then reads its state machine, which has applied at least that index. An operation that
 * fails at once with NotLeader / TransferInProgress / Shutdown had no effect and leaves the history; any other failure,
 * a crash of its node or a client timeout makes its outcome unknown. At the end, an unknown write whose command never
 * reached the (converged) committed log is dropped; the others stay unknown for the
 * {@link io.flotilla.raft.testkit.sim.linearizability.LinearizabilityChecker}.
 */
package io.flotilla.raft.testkit.sim;
