package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationChangeCommand;
import io.flotilla.raft.ConfigurationChangeRequest;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LeadershipTransferInProgressException;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.Configurations;
import io.flotilla.raft.engine.EngineConfig;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.engine.RestoredState;
import io.flotilla.raft.engine.SimEngines;
import io.flotilla.raft.testkit.sim.linearizability.CheckResult;
import io.flotilla.raft.testkit.sim.linearizability.KvInput;
import io.flotilla.raft.testkit.sim.linearizability.KvModel;
import io.flotilla.raft.testkit.sim.linearizability.KvOutput;
import io.flotilla.raft.testkit.sim.linearizability.LinearizabilityChecker;
import io.flotilla.raft.testkit.sim.linearizability.Operation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A deterministic simulation of a Raft cluster: N engines driven in one thread by a virtual clock, exchanging
 * messages over a simulated network, writing to simulated disks, serving simulated clients, under faults chosen from
 * one seed. After every engine step the safety invariants are checked ({@link Safety}); at the end the faults heal,
 * the cluster must converge, and the client history must be linearizable.
 *
 * <p>Determinism: every decision comes from one {@link SplittableRandom} seeded with {@link SimOptions#seed()}; events
 * are ordered by (virtual time, sequence number); only insertion-ordered or value-keyed collections are iterated.
 */
public final class Simulation {
    static final long MS = 1_000_000L;

    // ---- configuration drawn from the seed
    final SimOptions opts;
    final SplittableRandom rng;
    final Set<Fault> faults;
    final Scenario scenario;
    final List<SimNode> nodes = new ArrayList<>();
    private final Map<ServerId, SimNode> byId = new HashMap<>();
    int initialVoters;
    int minVoters;
    long heartbeatTimeout;
    long electionTimeout;
    long leaseTimeout;
    long commitTimeout;
    int maxAppendEntries;
    int maxInflight;
    long trailingLogs;
    long snapshotThreshold;
    boolean shutdownOnRemove;
    double dropP;
    double dupP;
    double slowP;
    boolean reorder;
    double crashAtPersistP;
    double slowDiskP;
    long clientTimeout;
    int clientCount;
    int keyCount;
    long nemesisMin;
    long nemesisMax;
    /** How many tickets membership changes get in the nemesis's draw (2 in chaos). */
    int membershipWeight = 2;
    /** Whether the nemesis aims mostly at the leader. */
    boolean leaderBias;

    // ---- run state
    long now;
    long steps;
    private long stepId;
    private long eventSeq;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
            a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    final Trace trace;
    final Safety safety;
    boolean healing;
    private boolean nemesisOn;
    private long nextRpcId = 1;
    private long nextRequestId = 1;
    private long nextOpId = 1;
    private int[] group;
    private boolean[][] oneway;
    private long[][] linkLast;
    private boolean partitioned;
    DelayRule delayRule;
    private SimNode stepping;
    private boolean steppingWasLeader;
    private long sameTimeTicks;
    private long lastTickTime = -1;

    // ---- clients
    private final Map<Long, Call> calls = new LinkedHashMap<>();
    private Call[] clientBusy;
    final List<Call> history = new ArrayList<>();
    private final Map<String, String> lastWritten = new HashMap<>();
    final Stats stats = new Stats();

    /** Extra network delay a scenario adds to some messages (slow voters). */
    public interface DelayRule {
        /** Extra nanoseconds for this message, or 0. */
        long extra(SimNode from, SimNode to, RpcMessage message, boolean response);
    }

    /** Counters reported with a run. */
    static final class Stats {
        long elections;
        long crashes;
        long crashesAtPersist;
        long partitions;
        long snapshotsTaken;
        long snapshotsInstalled;
        long membershipChanges;
        long transfers;
        long clientOk;
        long clientUnknown;
        long clientFailed;
        long messages;
        long maxCommit;
    }

    private record Event(long time, long seq, Runnable action) {
    }

    /** An RPC in flight, from request to answer. */
    static final class Rpc {
        final long id;
        final SimNode from;
        final int fromInc;
        final SimNode to;
        final long correlation;
        final RpcMessage request;
        final SimNode.StoredSnapshot snapshot;
        final boolean ghost;
        boolean resolved;

        Rpc(long id, SimNode from, SimNode to, long correlation, RpcMessage request, SimNode.StoredSnapshot snapshot,
            boolean ghost) {
            this.id = id;
            this.from = from;
            this.fromInc = from.incarnation;
            this.to = to;
            this.correlation = correlation;
            this.request = request;
            this.snapshot = snapshot;
            this.ghost = ghost;
        }
    }

    enum CallKind { PUT, CAS, GET_LOG, READ_INDEX, MEMBERSHIP, TRANSFER, BOOTSTRAP }

    enum CallStatus { PENDING, OK, FAILED, UNKNOWN }

    /** A client request and, for key-value operations, its place in the history. */
    static final class Call {
        final long requestId;
        final int client;
        final CallKind kind;
        final KvInput input;
        final long opId;
        final long callTime;
        final long submitStep;
        final SimNode node;
        long readIndex;
        CallStatus status = CallStatus.PENDING;
        KvOutput output;
        long returnTime;

        Call(long requestId, int client, CallKind kind, KvInput input, long opId, long callTime, long submitStep,
             SimNode node) {
            this.requestId = requestId;
            this.client = client;
            this.kind = kind;
            this.input = input;
            this.opId = opId;
            this.callTime = callTime;
            this.submitStep = submitStep;
            this.node = node;
        }

        boolean isKv() {
            return kind == CallKind.PUT || kind == CallKind.CAS || kind == CallKind.GET_LOG
                    || kind == CallKind.READ_INDEX;
        }
    }

    Simulation(SimOptions opts) {
        this.opts = opts;
        this.rng = new SplittableRandom(opts.seed());
        this.scenario = Scenarios.byName(opts.scenario());
        this.faults = scenario.faults(opts.faults());
        this.trace = new Trace(Math.max(opts.traceSize(), 1) * 4);
        this.safety = new Safety(this);
        configure();
    }

    /** Runs one seed to completion and reports. */
    public static SimResult run(SimOptions opts) {
        Simulation sim = new Simulation(opts);
        return sim.execute();
    }

    // ------------------------------------------------------------------------------------------------------
    // Setup

    private void configure() {
        int universe = opts.nodes() != 0 ? opts.nodes() : 3 + rng.nextInt(5);
        universe = scenario.nodes(universe);
        for (int i = 0; i < universe; i++) {
            SimNode n = new SimNode(i);
            nodes.add(n);
            byId.put(n.id, n);
        }
        int spare = faults.contains(Fault.MEMBERSHIP) && universe > 3 ? rng.nextInt(Math.min(3, universe - 2)) : 0;
        initialVoters = scenario.initialVoters(universe - spare, universe);
        minVoters = Math.min(initialVoters, 2 + rng.nextInt(2));
        long[] hbs = {50 * MS, 100 * MS, 200 * MS};
        heartbeatTimeout = hbs[rng.nextInt(hbs.length)];
        electionTimeout = heartbeatTimeout;
        leaseTimeout = heartbeatTimeout / 2;
        commitTimeout = (5 + rng.nextInt(16)) * MS;
        int[] maes = {1, 1, 2, 3, 8, 64};
        maxAppendEntries = maes[rng.nextInt(maes.length)];
        int[] mis = {1, 2, 4, 16, 128};
        maxInflight = mis[rng.nextInt(mis.length)];
        long[] tls = {0, 1, 2, 5, 10, 50};
        trailingLogs = tls[rng.nextInt(tls.length)];
        long[] sts = {3, 5, 10, 20, 50};
        snapshotThreshold = faults.contains(Fault.SNAPSHOT) ? sts[rng.nextInt(sts.length)] : Long.MAX_VALUE;
        shutdownOnRemove = rng.nextBoolean();
        dropP = faults.contains(Fault.DROP) ? 0.005 + rng.nextDouble() * 0.08 : 0;
        dupP = faults.contains(Fault.DUPLICATE) ? 0.005 + rng.nextDouble() * 0.04 : 0;
        slowP = faults.contains(Fault.DELAY) ? 0.01 + rng.nextDouble() * 0.1 : 0;
        reorder = faults.contains(Fault.REORDER);
        double[] caps = {0.002, 0.01, 0.05};
        crashAtPersistP = faults.contains(Fault.CRASH) ? caps[rng.nextInt(caps.length)] : 0;
        slowDiskP = faults.contains(Fault.DISK) ? 0.02 + rng.nextDouble() * 0.1 : 0;
        clientTimeout = (300 + rng.nextInt(1700)) * MS;
        clientCount = 2 + rng.nextInt(6);
        keyCount = 1 + rng.nextInt(3);
        nemesisMin = (10 + rng.nextInt(40)) * MS;
        nemesisMax = nemesisMin + (50 + rng.nextInt(400)) * MS;
        group = new int[universe];
        oneway = new boolean[universe][universe];
        linkLast = new long[universe][universe];
        scenario.configure(this);
    }

    String describeSetup() {
        return "nodes=" + nodes.size() + " voters=" + initialVoters + " hb=" + heartbeatTimeout / MS + "ms"
                + " maxAppend=" + maxAppendEntries + " inflight=" + maxInflight + " trailing=" + trailingLogs
                + " snapshotEvery=" + (snapshotThreshold == Long.MAX_VALUE ? "never" : String.valueOf(snapshotThreshold))
                + " drop=" + pct(dropP) + " dup=" + pct(dupP) + " slow=" + pct(slowP) + " reorder=" + reorder
                + " crashAtFsync=" + pct(crashAtPersistP) + " clients=" + clientCount + " keys=" + keyCount;
    }

    private static String pct(double p) {
        return String.format("%.1f%%", p * 100);
    }

    EngineConfig engineConfig(SimNode n) {
        return new EngineConfig(n.id, n.address, PeerCodec.ADDRESS, 3, heartbeatTimeout, electionTimeout,
                commitTimeout, leaseTimeout, maxAppendEntries, trailingLogs, shutdownOnRemove, false, maxInflight);
    }

    private SimResult execute() {
        Violation violation = null;
        boolean converged = false;
        String linearizability = "not checked";
        try {
            start();
            long timeLimit = scenario.duration();
            runLoop(() -> steps >= opts.steps() || (timeLimit > 0 && now >= timeLimit));
            if (opts.finalChecks()) {
                heal();
                long healStart = now;
                long stepsAtHeal = steps;
                long limitSteps = Math.max(50_000, opts.steps() * 10L);
                boolean[] done = {false};
                scheduleConvergenceCheck(done);
                runLoop(() -> done[0] || now - healStart > 120_000 * MS || steps - stepsAtHeal > limitSteps);
                converged = done[0];
                if (!converged) {
                    throw new Violation("convergence", "the cluster did not converge within "
                            + (now - healStart) / MS + "ms / " + (steps - stepsAtHeal)
                            + " steps after faults healed: " + clusterSummary());
                }
                linearizability = checkLinearizability(converged);
            }
        } catch (Violation v) {
            violation = v;
        }
        return new SimResult(opts, steps, now, violation, violation == null ? List.of() : tail(),
                describeSetup(), statsLine(), converged, linearizability);
    }

    private List<String> tail() {
        List<String> lines = trace.lines();
        int k = opts.traceSize();
        return lines.size() <= k ? lines : lines.subList(lines.size() - k, lines.size());
    }

    private String statsLine() {
        return "elections=" + stats.elections + " crashes=" + stats.crashes + " (at-fsync=" + stats.crashesAtPersist
                + ") partitions=" + stats.partitions + " snapshots=" + stats.snapshotsTaken + " installs="
                + stats.snapshotsInstalled + " membership=" + stats.membershipChanges + " transfers=" + stats.transfers
                + " messages=" + stats.messages + " commit=" + stats.maxCommit + " client-ok=" + stats.clientOk
                + " unknown=" + stats.clientUnknown + " refused=" + stats.clientFailed;
    }

    String clusterSummary() {
        StringBuilder sb = new StringBuilder();
        for (SimNode n : nodes) {
            sb.append("\n    ").append(n.name).append(n.up ? "" : n.shutDown ? " (shut down)" : " (down)");
            if (n.up) {
                sb.append(' ').append(n.engine.state()).append(" term=").append(n.engine.currentTerm())
                        .append(" last=").append(n.engine.lastIndex()).append(" commit=")
                        .append(n.engine.commitIndex()).append(" applied=").append(n.applied)
                        .append(" snap=").append(n.snapIndex).append(" config=")
                        .append(n.engine.configurations().latest()).append('@')
                        .append(n.engine.configurations().latestIndex()).append(" committed@")
                        .append(n.engine.configurations().committedIndex());
            } else {
                sb.append(" disk-term=").append(n.disk.term).append(" disk-last=").append(n.disk.log.lastIndex());
            }
        }
        return sb.toString();
    }

    private void start() {
        Configuration initial = new Configuration(nodes.subList(0, initialVoters).stream()
                .map(n -> new Server(io.flotilla.raft.Suffrage.VOTER, n.id, n.address)).toList());
        for (SimNode n : nodes) {
            boot(n);
        }
        for (int i = 0; i < initialVoters; i++) {
            SimNode n = nodes.get(i);
            n.started = true;
            Call c = newCall(-1, CallKind.BOOTSTRAP, null, 0, n);
            step(n, new Input.Bootstrap(c.requestId, initial));
        }
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            at(now + rng.nextLong(1, 100 * MS), () -> clientIssue(client));
        }
        clientBusy = new Call[clientCount];
        scenario.start(this);
    }

    // ------------------------------------------------------------------------------------------------------
    // Event loop

    void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), eventSeq++, action));
    }

    /** Schedules an action {@code delay} nanoseconds from now. */
    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    private void runLoop(BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            Event ev = queue.peek();
            long evTime = ev == null ? Long.MAX_VALUE : ev.time;
            SimNode tickNode = null;
            long tickTime = Long.MAX_VALUE;
            for (SimNode n : nodes) {
                if (n.up) {
                    long d = n.engine.nextDeadline();
                    if (d < tickTime) {
                        tickTime = d;
                        tickNode = n;
                    }
                }
            }
            if (tickNode != null && tickTime <= evTime) {
                long t = Math.max(now, tickTime);
                if (t == lastTickTime) {
                    if (++sameTimeTicks > 10_000) {
                        throw new Violation("liveness", tickNode.name + " asks to be ticked again and again at "
                                + t / 1e6 + "ms without time passing (nextDeadline never moves)");
                    }
                } else {
                    sameTimeTicks = 0;
                    lastTickTime = t;
                }
                now = t;
                step(tickNode, Input.Tick.INSTANCE);
            } else if (ev != null) {
                queue.poll();
                now = Math.max(now, ev.time);
                ev.action.run();
            } else {
                return; // nothing will ever happen again
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Stepping and executing outputs

    void step(SimNode n, Input input) {
        if (!n.up) {
            return;
        }
        steps++;
        stepId++;
        int inc = n.incarnation;
        trace.add(now, n.name, '>', input);
        boolean wasLeader = n.engine.state() == RaftState.LEADER;
        List<Output> outs = new ArrayList<>(4);
        List<Configurations> commitConfigs = new ArrayList<>(1);
        try {
            n.engine.step(input, o -> {
                outs.add(o);
                if (o instanceof Output.Commit) {
                    commitConfigs.add(n.engine.configurations());
                }
            });
        } catch (RuntimeException e) {
            throw new Violation("engine-exception", n.name + " threw on " + input + ": " + e + stackTop(e));
        }
        stepping = n;
        steppingWasLeader = wasLeader;
        int commitNo = 0;
        for (Output o : outs) {
            if (!n.up || n.incarnation != inc) {
                break; // crashed part-way through the outputs
            }
            trace.add(now, n.name, '<', o);
            if (o instanceof Output.Commit c) {
                onCommit(n, c, commitConfigs.get(commitNo++), wasLeader);
            } else {
                execute(n, o);
            }
        }
        stepping = null;
        if (n.up && n.incarnation == inc) {
            safety.afterStep(n, wasLeader);
        }
    }

    private static String stackTop(Throwable e) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = e.getStackTrace();
        for (int i = 0; i < Math.min(8, st.length); i++) {
            sb.append("\n      at ").append(st[i]);
        }
        return sb.toString();
    }

    private void execute(SimNode n, Output o) {
        if (o instanceof Output.PersistTerm p) {
            if (maybeCrashAtPersist(n, "term " + p.term())) {
                return;
            }
            safety.persistTerm(n, p.term());
            n.disk.term = p.term();
        } else if (o instanceof Output.PersistVote p) {
            if (maybeCrashAtPersist(n, "vote for " + new String(p.candidate()) + " in term " + p.term())) {
                return;
            }
            safety.persistVote(n, p.term(), p.candidate());
            n.disk.voteTerm = p.term();
            n.disk.voteCandidate = p.candidate();
        } else if (o instanceof Output.AppendLog a) {
            long prevTerm = n.memLog.lastTerm();
            safety.appended(n, a.entries(), prevTerm);
            try {
                n.memLog.append(a.entries());
            } catch (IllegalStateException e) {
                throw new Violation("engine-contract", n.name + " AppendLog does not follow its log: " + e.getMessage());
            }
            for (LogEntry e : a.entries()) {
                if (e.type() == LogType.CONFIGURATION) {
                    n.configIndexes.add(e.index());
                }
            }
            enqueueLogOp(n, new SimNode.PendingOp(a, 0, 0));
        } else if (o instanceof Output.TruncateLog t) {
            if (t.to() != n.memLog.lastIndex() || t.from() < n.memLog.firstIndex()) {
                throw new Violation("engine-contract", n.name + " TruncateLog [" + t.from() + ", " + t.to()
                        + "] is not a suffix of its log [" + n.memLog.firstIndex() + ", " + n.memLog.lastIndex() + "]");
            }
            safety.removing(n, t.from(), t.to(), "truncation");
            n.memLog.truncateFrom(t.from());
            n.configIndexes.tailSet(t.from(), true).clear();
            enqueueLogOp(n, new SimNode.PendingOp(t, 0, 0));
        } else if (o instanceof Output.CompactLog c) {
            if (c.to() > n.snapIndex) {
                throw new Violation("engine-contract", n.name + " compacts through " + c.to()
                        + " beyond its snapshot at " + n.snapIndex);
            }
            n.memLog.compactThrough(c.to());
            n.configIndexes.headSet(c.to(), true).clear();
            enqueueLogOp(n, new SimNode.PendingOp(c, 0, 0));
        } else if (o instanceof Output.ResetLog r) {
            if (n.installIndex < 0) {
                throw new Violation("engine-contract", n.name + " resets its log outside a snapshot install");
            }
            safety.removing(n, n.installIndex + 1, n.memLog.lastIndex(), "reset by snapshot " + n.installIndex);
            n.memLog.resetTo(n.installIndex, n.installTerm);
            n.configIndexes.clear();
            n.snapIndex = n.installIndex;
            n.snapTerm = n.installTerm;
            enqueueLogOp(n, new SimNode.PendingOp(r, n.installIndex, n.installTerm));
        } else if (o instanceof Output.Send s) {
            safety.sending(n, s.request());
            sendRequest(n, s.peer(), s.correlation(), s.request(), null);
        } else if (o instanceof Output.SendEntries s) {
            sendEntries(n, s);
        } else if (o instanceof Output.SendSnapshot s) {
            sendSnapshot(n, s);
        } else if (o instanceof Output.Respond r) {
            respond(n, r);
        } else if (o instanceof Output.AcceptSnapshot a) {
            acceptSnapshot(n, a);
        } else if (o instanceof Output.Complete c) {
            completed(n, c.requestId(), c.value());
        } else if (o instanceof Output.Fail f) {
            failed(n, f.requestId(), f.error());
        } else if (o instanceof Output.ShutdownRequested) {
            int inc = n.incarnation;
            after(0, () -> {
                if (n.up && n.incarnation == inc) {
                    shutdown(n);
                }
            });
        } else if (o instanceof Output.LeadershipChanged l) {
            if (l.leader()) {
                stats.elections++;
            }
        }
        // Observe and LeaderChanged need nothing from the driver.
    }

    private boolean maybeCrashAtPersist(SimNode n, String what) {
        if (crashAtPersistP > 0 && !healing && nemesisOn && rng.nextDouble() < crashAtPersistP) {
            stats.crashesAtPersist++;
            crash(n, "crash while syncing " + what);
            scheduleRestartAfterCrashAtPersist(n);
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------
    // Disk

    private void enqueueLogOp(SimNode n, SimNode.PendingOp op) {
        n.pendingOps.addLast(op);
        if (!n.syncScheduled) {
            n.syncScheduled = true;
            int inc = n.incarnation;
            long delay = rng.nextLong(50_000, 1_000_000);
            if (slowDiskP > 0 && !healing && rng.nextDouble() < slowDiskP) {
                delay += rng.nextLong(5 * MS, 100 * MS);
            }
            after(delay, () -> sync(n, inc));
        }
    }

    private void sync(SimNode n, int inc) {
        if (!n.up || n.incarnation != inc) {
            return;
        }
        n.syncScheduled = false;
        if (n.pendingOps.isEmpty()) {
            return;
        }
        long lastSeq = 0;
        while (!n.pendingOps.isEmpty()) {
            SimNode.PendingOp p = n.pendingOps.pollFirst();
            applyDurably(n, p);
            lastSeq = p.op().seq();
        }
        trace.add(now, n.name, '*', "disk synced through seq " + lastSeq);
        step(n, new Input.LogPersisted(lastSeq));
    }

    private static void applyDurably(SimNode n, SimNode.PendingOp p) {
        SimLog d = n.disk.log;
        Output.LogOperation op = p.op();
        if (op instanceof Output.AppendLog a) {
            d.append(a.entries());
        } else if (op instanceof Output.TruncateLog t) {
            d.truncateFrom(t.from());
        } else if (op instanceof Output.CompactLog c) {
            d.compactThrough(c.to());
        } else if (op instanceof Output.ResetLog) {
            d.resetTo(p.resetIndex(), p.resetTerm());
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Crash, restart, shutdown

    void crash(SimNode n, String why) {
        if (!n.up) {
            return;
        }
        stats.crashes++;
        trace.add(now, n.name, '*', "CRASH (" + why + "), " + n.pendingOps.size() + " log writes not synced");
        if (slowDiskP > 0 && !n.pendingOps.isEmpty() && rng.nextBoolean()) {
            // Some writes reached the platter although their sync was never acknowledged.
            int keep = rng.nextInt(n.pendingOps.size() + 1);
            for (int i = 0; i < keep; i++) {
                applyDurably(n, n.pendingOps.pollFirst());
            }
            trace.add(now, n.name, '*', "  of which " + keep + " survived anyway");
        }
        goDown(n);
    }

    private void goDown(SimNode n) {
        n.up = false;
        n.incarnation++;
        n.pendingOps.clear();
        n.syncScheduled = false;
        n.snapshotScheduled = false;
        n.installIndex = -1;
        n.engine = null;
        n.fsm = null;
        List<Rpc> unanswered = new ArrayList<>(n.pendingReplies.values());
        n.pendingReplies.clear();
        for (Rpc r : unanswered) {
            if (!r.ghost) {
                failRpc(r, now + rng.nextLong(100_000, 5 * MS), "connection reset: " + n.name + " went down");
            }
        }
        for (Call c : new ArrayList<>(calls.values())) {
            if (c.node == n && c.status == CallStatus.PENDING) {
                finish(c, c.kind == CallKind.READ_INDEX ? CallStatus.FAILED : CallStatus.UNKNOWN, null);
            }
        }
    }

    private void shutdown(SimNode n) {
        trace.add(now, n.name, '*', "SHUTDOWN requested by the engine");
        step(n, Input.Shutdown.INSTANCE);
        if (!n.up) {
            return;
        }
        // A clean shutdown finishes the log writes it has.
        while (!n.pendingOps.isEmpty()) {
            applyDurably(n, n.pendingOps.pollFirst());
        }
        n.shutDown = true;
        goDown(n);
    }

    /** Boots (or reboots) a node from what its disk holds, exactly as the runtime's startup does. */
    void boot(SimNode n) {
        SimNode.Disk d = n.disk;
        SimNode.StoredSnapshot snap = d.newestSnapshot();
        long snapIndex = snap == null ? 0 : snap.index();
        long snapTerm = snap == null ? 0 : snap.term();
        if (snap != null && (d.log.isEmpty() || d.log.lastIndex() <= snapIndex
                || (d.log.get(snapIndex) != null && d.log.get(snapIndex).term() != snapTerm))) {
            // The snapshot replaces a log that ends before it, or that disagrees with it at its last index (an
            // installed snapshot whose ResetLog was lost in a crash): such a log is stale beyond repair.
            d.log.resetTo(snapIndex, snapTerm);
        }
        if (snap != null && !d.log.isEmpty() && d.log.firstIndex() > snapIndex + 1) {
            throw new Violation("restore", n.name + " durable log starts at " + d.log.firstIndex()
                    + " leaving a gap after its snapshot at " + snapIndex);
        }
        List<long[]> runs = new ArrayList<>();
        Configurations cs = snap == null ? Configurations.NONE : Configurations.of(snap.configuration(),
                snap.configurationIndex());
        for (LogEntry e : d.log.entries()) {
            if (runs.isEmpty() || runs.get(runs.size() - 1)[1] != e.term()) {
                runs.add(new long[] {e.index(), e.term()});
            }
            if (e.index() > snapIndex && e.type() == LogType.CONFIGURATION) {
                try {
                    cs = cs.appended(ConfigurationCodec.decodeConfiguration(e.data()), e.index());
                } catch (CodecException ex) {
                    throw new Violation("restore", n.name + " cannot decode configuration entry " + e.index());
                }
            }
        }
        RestoredState restored = new RestoredState(d.term, d.voteTerm, d.voteCandidate, snapIndex, snapTerm,
                d.log.isEmpty() ? 0 : d.log.firstIndex(), d.log.isEmpty() ? 0 : d.log.lastIndex(), runs, cs);
        n.memLog = d.log.copy();
        n.rebuildConfigIndexes();
        n.fsm = snap == null ? new KvFsm() : KvFsm.restore(snap.data());
        n.applied = snapIndex;
        n.commit = snapIndex;
        n.snapIndex = snapIndex;
        n.snapTerm = snapTerm;
        n.installIndex = -1;
        n.shutDown = false;
        n.incarnation++;
        n.engine = SimEngines.create(engineConfig(n), restored, () -> now, new SplittableRandom(rng.nextLong()),
                EngineMetrics.NOOP, opts.bugs());
        n.up = true;
        if (snap != null) {
            safety.restoredFromSnapshot(n, snap.index(), n.fsm.chain());
        }
        trace.add(now, n.name, '*', "BOOT term=" + d.term + " vote=" + d.voteTerm + " snapshot=" + snapIndex
                + " log=[" + (d.log.isEmpty() ? "-" : d.log.firstIndex() + ".." + d.log.lastIndex()) + "] config="
                + cs.latest() + "@" + cs.latestIndex());
    }

    void restart(SimNode n) {
        if (n.up) {
            return;
        }
        boot(n);
    }

    // ------------------------------------------------------------------------------------------------------
    // Network

    private boolean blocked(SimNode a, SimNode b) {
        return group[a.idx] != group[b.idx] || oneway[a.idx][b.idx];
    }

    private long arrival(SimNode from, SimNode to, RpcMessage m, boolean response) {
        long d = rng.nextLong(100_000, 2 * MS);
        if (slowP > 0 && !healing && rng.nextDouble() < slowP) {
            d += rng.nextLong(5 * MS, 150 * MS);
        }
        if (delayRule != null) {
            d += delayRule.extra(from, to, m, response);
        }
        long t = now + d;
        if (!reorder || healing) {
            t = Math.max(t, linkLast[from.idx][to.idx] + 1);
            linkLast[from.idx][to.idx] = t;
        }
        return t;
    }

    private boolean lose() {
        return dropP > 0 && !healing && rng.nextDouble() < dropP;
    }

    private void sendRequest(SimNode from, Server peer, long correlation, RpcMessage msg,
                             SimNode.StoredSnapshot snapshot) {
        stats.messages++;
        SimNode to = byId.get(peer.id());
        Rpc r = new Rpc(nextRpcId++, from, to == null ? from : to, correlation, msg, snapshot, false);
        if (to == null || to == from) {
            failRpc(r, now + MS, "unknown peer " + peer.id());
            return;
        }
        if (blocked(from, to) || lose()) {
            failRpc(r, now + rng.nextLong(100_000, 10 * MS), "unreachable: " + to.name);
            return;
        }
        at(arrival(from, to, msg, false), () -> arriveRequest(r));
        if (dupP > 0 && !healing && rng.nextDouble() < dupP) {
            Rpc g = new Rpc(nextRpcId++, from, to, correlation, msg, snapshot, true);
            at(now + rng.nextLong(100_000, 300 * MS), () -> arriveRequest(g));
        }
        at(now + 2_000 * MS, () -> failNow(r, "rpc timeout"));
    }

    private void arriveRequest(Rpc r) {
        SimNode to = r.to;
        if (!to.up || blocked(r.from, to)) {
            if (!r.ghost) {
                failRpc(r, now + rng.nextLong(100_000, 5 * MS), "unreachable: " + to.name);
            }
            return;
        }
        if (!r.ghost && r.resolved) {
            return; // the sender already gave up on it (timeout)
        }
        to.pendingReplies.put(r.id, r);
        if (r.request instanceof InstallSnapshotRequest isr) {
            step(to, new Input.InstallSnapshotReceived(r.id, isr));
        } else {
            step(to, new Input.RequestReceived(r.id, r.request));
        }
    }

    private void failRpc(Rpc r, long at, String why) {
        at(at, () -> failNow(r, why));
    }

    private void failNow(Rpc r, String why) {
        if (r.resolved || r.ghost) {
            return;
        }
        r.resolved = true;
        SimNode req = r.from;
        if (!req.up || req.incarnation != r.fromInc) {
            return;
        }
        step(req, new Input.RpcFailed(r.to.id, r.correlation, Input.FailureKind.TRANSPORT, why));
    }

    private void sendEntries(SimNode n, Output.SendEntries s) {
        AppendEntriesRequest t = s.template();
        if (s.toIndex() > n.memLog.lastIndex()) {
            throw new Violation("engine-contract", n.name + " asks to send entries [" + s.fromIndex() + ", "
                    + s.toIndex() + "] beyond its log's end " + n.memLog.lastIndex());
        }
        List<LogEntry> entries = new ArrayList<>();
        for (long i = s.fromIndex(); i <= s.toIndex(); i++) {
            LogEntry e = n.memLog.get(i);
            if (e == null) {
                long corr = s.correlation();
                ServerId peer = s.peer().id();
                int inc = n.incarnation;
                trace.add(now, n.name, '*', "entry " + i + " unavailable for " + peer);
                after(0, () -> {
                    if (n.up && n.incarnation == inc) {
                        step(n, new Input.RpcFailed(peer, corr, Input.FailureKind.ENTRIES_UNAVAILABLE,
                                "log entry " + s.fromIndex() + " not found"));
                    }
                });
                return;
            }
            entries.add(e);
        }
        AppendEntriesRequest req = new AppendEntriesRequest(t.header(), t.term(), t.leader(), t.prevLogEntry(),
                t.prevLogTerm(), entries, t.leaderCommitIndex());
        safety.sending(n, req);
        sendRequest(n, s.peer(), s.correlation(), req, null);
    }

    private void sendSnapshot(SimNode n, Output.SendSnapshot s) {
        SimNode.StoredSnapshot snap = n.disk.newestSnapshot();
        if (snap == null) {
            long corr = s.correlation();
            ServerId peer = s.peer().id();
            int inc = n.incarnation;
            after(0, () -> {
                if (n.up && n.incarnation == inc) {
                    step(n, new Input.RpcFailed(peer, corr, Input.FailureKind.NO_SNAPSHOT, "no snapshot"));
                }
            });
            return;
        }
        InstallSnapshotRequest req = new InstallSnapshotRequest(RpcHeader.V3, 1, s.term(), s.leader(), snap.index(),
                snap.term(), null, ConfigurationCodec.encodeConfiguration(snap.configuration()),
                snap.configurationIndex(), snap.data().length);
        safety.sending(n, req);
        sendRequest(n, s.peer(), s.correlation(), req, snap);
    }

    private void respond(SimNode n, Output.Respond out) {
        Rpc r = n.pendingReplies.remove(out.replyTo());
        if (r == null) {
            throw new Violation("engine-contract", n.name + " answers request " + out.replyTo()
                    + " which it has already answered or never received");
        }
        safety.responding(n, r, out);
        stats.messages++;
        SimNode req = r.from;
        if (blocked(n, req) || lose()) {
            if (!r.ghost) {
                failRpc(r, now + rng.nextLong(100_000, 10 * MS), "response lost");
            }
            return;
        }
        long t = arrival(n, req, out.response(), true);
        at(t, () -> arriveResponse(r, out));
    }

    private void arriveResponse(Rpc r, Output.Respond out) {
        SimNode req = r.from;
        if (!req.up || req.incarnation != r.fromInc) {
            return;
        }
        if (!r.ghost) {
            if (r.resolved) {
                return;
            }
            r.resolved = true;
        }
        Input in;
        if (out.error() != null || out.response() == null) {
            in = new Input.RpcFailed(r.to.id, r.correlation, Input.FailureKind.TRANSPORT,
                    out.error() == null ? "empty response" : out.error());
        } else if (r.request instanceof InstallSnapshotRequest isr) {
            InstallSnapshotResponse resp = (InstallSnapshotResponse) out.response();
            in = new Input.SnapshotSent(r.to.id, r.correlation, isr.lastLogIndex(), resp.term(), resp.success());
        } else {
            in = new Input.ResponseReceived(r.to.id, r.correlation, out.response());
        }
        step(req, in);
    }

    private void acceptSnapshot(SimNode n, Output.AcceptSnapshot a) {
        Rpc r = n.pendingReplies.get(a.replyTo());
        if (r == null || r.snapshot == null) {
            throw new Violation("engine-contract", n.name + " accepts snapshot for unknown request " + a.replyTo());
        }
        int inc = n.incarnation;
        SimNode.StoredSnapshot s = r.snapshot;
        after(rng.nextLong(MS, 20 * MS), () -> {
            if (!n.up || n.incarnation != inc) {
                return;
            }
            if (slowDiskP > 0 && !healing && rng.nextDouble() < 0.05) {
                step(n, new Input.SnapshotInstallFailed(a.replyTo(), "simulated disk error"));
                return;
            }
            n.disk.addSnapshot(s);
            if (s.index() > n.commit) {
                // The engine adopts it as its snapshot (and may compact the log behind it).
                n.snapIndex = Math.max(n.snapIndex, s.index());
                n.snapTerm = n.snapIndex == s.index() ? s.term() : n.snapTerm;
                n.fsm = KvFsm.restore(s.data());
                safety.restoredFromSnapshot(n, s.index(), n.fsm.chain());
                n.applied = s.index();
                n.commit = s.index();
                stats.snapshotsInstalled++;
            }
            n.installIndex = s.index();
            n.installTerm = s.term();
            trace.add(now, n.name, '*', "snapshot " + s.index() + "/" + s.term() + " stored and restored");
            step(n, new Input.SnapshotInstalled(a.replyTo(), s.index(), s.term(), s.configuration(),
                    s.configurationIndex()));
            n.installIndex = -1;
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // Commit, apply, snapshots

    private void onCommit(SimNode n, Output.Commit c, Configurations atCommit, boolean wasLeader) {
        long to = c.commitIndex();
        if (to <= n.commit) {
            throw new Violation("engine-contract", n.name + " commit index went from " + n.commit + " to " + to);
        }
        for (long i = n.commit + 1; i <= to; i++) {
            LogEntry e = n.memLog.get(i);
            if (e == null) {
                throw new Violation("engine-contract", n.name + " commits index " + i + " which is not in its log ["
                        + n.memLog.firstIndex() + ", " + n.memLog.lastIndex() + "]");
            }
            safety.committed(n, e);
        }
        boolean leader = wasLeader || n.engine.state() == RaftState.LEADER;
        if (leader) {
            safety.leaderCommitDurable(n, to, atCommit.latest());
        }
        n.commit = to;
        stats.maxCommit = Math.max(stats.maxCommit, to);
        Map<Long, Long> requestAt = new HashMap<>();
        for (Output.CommittedRequest r : c.requests()) {
            requestAt.put(r.index(), r.requestId());
        }
        for (long i = n.applied + 1; i <= to; i++) {
            LogEntry e = n.memLog.get(i);
            KvFsm.Result result = n.fsm.apply(e);
            n.applied = i;
            safety.applied(n, i, n.fsm.chain());
            Long requestId = requestAt.remove(i);
            if (requestId != null) {
                Call call = calls.get(requestId);
                if (call != null) {
                    completeCommitted(call, result);
                }
            }
        }
        for (Long requestId : requestAt.values()) {
            Call call = calls.get(requestId);
            if (call != null) {
                // Committed but applied before this Commit said so: the result is not known here.
                finish(call, call.isKv() ? CallStatus.UNKNOWN : CallStatus.OK, null);
            }
        }
        maybeScheduleSnapshot(n);
    }

    private void maybeScheduleSnapshot(SimNode n) {
        if (snapshotThreshold == Long.MAX_VALUE || n.snapshotScheduled || n.applied - n.snapIndex < snapshotThreshold) {
            return;
        }
        n.snapshotScheduled = true;
        int inc = n.incarnation;
        after(rng.nextLong(0, 5 * MS), () -> takeSnapshot(n, inc));
    }

    private void takeSnapshot(SimNode n, int inc) {
        if (!n.up || n.incarnation != inc) {
            return;
        }
        n.snapshotScheduled = false;
        long index = n.applied;
        if (index <= n.snapIndex) {
            return;
        }
        Configurations cs = n.engine.configurations();
        if (cs.committedIndex() > index) {
            return; // hashicorp: wait until the configuration entry has been applied
        }
        long term = n.memLog.termAt(index);
        if (term < 0) {
            throw new Violation("engine-contract", n.name + " applied index " + index + " is not in its log");
        }
        SimNode.StoredSnapshot s = new SimNode.StoredSnapshot(index, term, cs.committed(), cs.committedIndex(),
                n.fsm.snapshot());
        n.disk.addSnapshot(s);
        n.snapIndex = index;
        n.snapTerm = term;
        stats.snapshotsTaken++;
        trace.add(now, n.name, '*', "snapshot taken at " + index + "/" + term + " config=" + cs.committed() + "@"
                + cs.committedIndex());
        step(n, new Input.SnapshotTaken(index, term));
    }

    // ------------------------------------------------------------------------------------------------------
    // Clients

    private Call newCall(int client, CallKind kind, KvInput input, long opId, SimNode node) {
        Call c = new Call(nextRequestId++, client, kind, input, opId, now, stepId + 1, node);
        calls.put(c.requestId, c);
        return c;
    }

    SimNode leader() {
        SimNode best = null;
        for (SimNode n : nodes) {
            if (n.up && n.engine.state() == RaftState.LEADER
                    && (best == null || n.engine.currentTerm() > best.engine.currentTerm())) {
                best = n;
            }
        }
        return best;
    }

    private SimNode clientTarget() {
        List<SimNode> leaders = new ArrayList<>();
        List<SimNode> live = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.up && n.started) {
                live.add(n);
                if (n.engine.state() == RaftState.LEADER) {
                    leaders.add(n);
                }
            }
        }
        if (!leaders.isEmpty() && rng.nextInt(20) != 0) {
            return leaders.get(rng.nextInt(leaders.size()));
        }
        // No leader known (or the occasional misdirected request): most clients wait for one to appear.
        if (live.isEmpty() || rng.nextInt(5) != 0) {
            return null;
        }
        return live.get(rng.nextInt(live.size()));
    }

    private void clientIssue(int client) {
        if (healing || !scenario.clientsActive(this)) {
            if (!healing) {
                after(50 * MS, () -> clientIssue(client));
            }
            return;
        }
        SimNode target = clientTarget();
        if (target == null) {
            after(rng.nextLong(5 * MS, 30 * MS), () -> clientIssue(client));
            return;
        }
        String key = "k" + rng.nextInt(keyCount);
        long opId = nextOpId++;
        int roll = rng.nextInt(100);
        CallKind kind = roll < 35 ? CallKind.PUT : roll < 55 ? CallKind.CAS : roll < 75 ? CallKind.GET_LOG
                : CallKind.READ_INDEX;
        String value = "v" + opId;
        KvInput input = switch (kind) {
            case PUT -> KvInput.write(key, value);
            case CAS -> KvInput.cas(key, rng.nextInt(4) == 0 ? null : lastWritten.get(key), value);
            default -> KvInput.read(key);
        };
        if (kind == CallKind.PUT || kind == CallKind.CAS) {
            lastWritten.put(key, value);
        }
        Call c = newCall(client, kind, input, opId, target);
        clientBusy[client] = c;
        after(clientTimeout, () -> {
            if (c.status == CallStatus.PENDING) {
                finish(c, c.kind == CallKind.READ_INDEX ? CallStatus.FAILED : CallStatus.UNKNOWN, null);
            }
        });
        if (kind == CallKind.READ_INDEX) {
            // Linearizable read without a log entry (Raft's ReadIndex): only a leader that has committed an entry of
            // its own term knows the cluster's commit index; remember it, confirm leadership with a quorum round
            // (VerifyLeader), then read once the state machine has applied that far.
            if (target.engine.state() != RaftState.LEADER) {
                finish(c, CallStatus.FAILED, null);
                return;
            }
            long ri = target.engine.commitIndex();
            if (target.memLog.termAt(ri) != target.engine.currentTerm()) {
                finish(c, CallStatus.FAILED, null);
                return;
            }
            c.readIndex = ri;
            step(target, new Input.VerifyLeader(c.requestId));
            return;
        }
        KvCommand cmd = switch (kind) {
            case PUT -> new KvCommand(KvCommand.Kind.PUT, opId, key, value, null);
            case CAS -> new KvCommand(KvCommand.Kind.CAS, opId, key, value, input.expected());
            default -> new KvCommand(KvCommand.Kind.GET, opId, key, null, null);
        };
        step(target, new Input.Propose(List.of(new Input.Proposal(c.requestId, LogType.COMMAND, cmd.encode(),
                null))));
    }

    private void completeCommitted(Call c, KvFsm.Result result) {
        if (!c.isKv()) {
            finish(c, CallStatus.OK, null);
            return;
        }
        KvOutput out = switch (c.kind) {
            case PUT -> KvOutput.written();
            case CAS -> KvOutput.cas(result != null && result.ok());
            default -> KvOutput.read(result == null ? null : result.value());
        };
        finish(c, CallStatus.OK, out);
    }

    private void completed(SimNode n, long requestId, Object value) {
        Call c = calls.get(requestId);
        if (c == null) {
            return;
        }
        if (c.kind == CallKind.READ_INDEX) {
            if (n.applied < c.readIndex) {
                finish(c, CallStatus.FAILED, null);
                return;
            }
            finish(c, CallStatus.OK, KvOutput.read(n.fsm.get(c.input.key())));
            return;
        }
        if (c.kind == CallKind.TRANSFER) {
            stats.transfers++;
        }
        finish(c, CallStatus.OK, null);
    }

    private void failed(SimNode n, long requestId, RaftException error) {
        Call c = calls.get(requestId);
        if (c == null) {
            return;
        }
        boolean definite = c.submitStep == stepId && (error instanceof NotLeaderException
                || error instanceof LeadershipTransferInProgressException || error instanceof RaftShutdownException);
        if (!c.isKv() || c.kind == CallKind.READ_INDEX || definite) {
            finish(c, CallStatus.FAILED, null);
        } else {
            finish(c, CallStatus.UNKNOWN, null);
        }
    }

    private void finish(Call c, CallStatus status, KvOutput out) {
        if (c.status != CallStatus.PENDING) {
            return;
        }
        c.status = status;
        c.output = out;
        if (status == CallStatus.OK && c.kind == CallKind.MEMBERSHIP) {
            stats.membershipChanges++;
        }
        c.returnTime = now;
        calls.remove(c.requestId);
        if (c.isKv()) {
            switch (status) {
                case OK -> stats.clientOk++;
                case UNKNOWN -> stats.clientUnknown++;
                default -> stats.clientFailed++;
            }
            if (status == CallStatus.OK || status == CallStatus.UNKNOWN) {
                history.add(c);
            }
        }
        if (c.client >= 0 && clientBusy != null && clientBusy[c.client] == c) {
            clientBusy[c.client] = null;
            long think = status == CallStatus.FAILED ? rng.nextLong(5 * MS, 30 * MS) : rng.nextLong(0, 10 * MS);
            int client = c.client;
            after(think, () -> clientIssue(client));
        }
    }

    private String checkLinearizability(boolean converged) {
        List<Operation<KvInput, KvOutput>> ops = new ArrayList<>();
        int dropped = 0;
        for (Call c : history) {
            if (c.status == CallStatus.OK) {
                ops.add(Operation.of(c.client, c.input, c.output, c.callTime, c.returnTime));
            } else if (c.kind == CallKind.PUT || c.kind == CallKind.CAS) {
                // After convergence every entry that will ever commit has: an unknown write whose command is not in
                // the committed log never took effect and is dropped; one that committed may have taken effect at
                // any time after its call.
                if (converged && !safety.committedOps.contains(c.opId)) {
                    dropped++;
                    continue;
                }
                ops.add(Operation.unknown(c.client, c.input, c.callTime));
            }
        }
        CheckResult<KvInput, KvOutput> r = new LinearizabilityChecker(2_000_000).check(new KvModel(), ops);
        if (r.outcome() == CheckResult.Outcome.NOT_LINEARIZABLE) {
            throw new Violation("linearizability", r.describe());
        }
        return r.outcome() + " (" + ops.size() + " ops, " + dropped + " unknown writes never committed, "
                + r.statesExplored() + " states)";
    }

    // ------------------------------------------------------------------------------------------------------
    // Faults (the nemesis) and healing

    /** Starts the random nemesis (chaos scenario). */
    void startNemesis() {
        nemesisOn = true;
        after(rng.nextLong(nemesisMin, nemesisMax), this::nemesis);
    }

    private void nemesis() {
        if (healing) {
            return;
        }
        List<Runnable> actions = new ArrayList<>();
        if (faults.contains(Fault.CRASH)) {
            actions.add(this::crashRandom);
            actions.add(this::crashRandom);
            actions.add(this::crashLeader);
            if (leaderBias) {
                actions.add(this::crashLeader);
                actions.add(this::crashLeader);
            }
        }
        if (faults.contains(Fault.PARTITION)) {
            actions.add(this::partitionRandom);
            actions.add(this::partitionRandom);
        }
        if (faults.contains(Fault.ONEWAY)) {
            actions.add(this::onewayRandom);
        }
        if (faults.contains(Fault.MEMBERSHIP)) {
            for (int i = 0; i < membershipWeight; i++) {
                actions.add(this::membershipRandom);
            }
        }
        if (faults.contains(Fault.TRANSFER)) {
            actions.add(this::transferRandom);
        }
        if (!actions.isEmpty()) {
            actions.get(rng.nextInt(actions.size())).run();
        }
        after(rng.nextLong(nemesisMin, nemesisMax), this::nemesis);
    }

    private void crashRandom() {
        List<SimNode> live = new ArrayList<>();
        int down = 0;
        for (SimNode n : nodes) {
            if (n.up && n.started) {
                live.add(n);
            } else if (n.started) {
                down++;
            }
        }
        if (live.isEmpty() || down >= (nodes.size() + 1) / 2) {
            return;
        }
        SimNode n = live.get(rng.nextInt(live.size()));
        crashFor(n);
    }

    private void crashLeader() {
        SimNode l = leader();
        if (l != null) {
            crashFor(l);
        } else {
            crashRandom();
        }
    }

    private void crashFor(SimNode n) {
        crash(n, "nemesis");
        after(leaderBias ? rng.nextLong(5 * MS, 150 * MS) : rng.nextLong(5 * MS, 1_500 * MS), () -> {
            if (!healing) {
                restart(n);
            }
        });
    }

    void scheduleRestartAfterCrashAtPersist(SimNode n) {
        after(rng.nextLong(5 * MS, 800 * MS), () -> {
            if (!healing) {
                restart(n);
            }
        });
    }

    private void partitionRandom() {
        if (partitioned) {
            return;
        }
        List<SimNode> side = new ArrayList<>();
        SimNode l = leader();
        if (l != null && (leaderBias || rng.nextBoolean())) {
            side.add(l);
        }
        for (SimNode n : nodes) {
            if (!side.contains(n) && rng.nextInt(3) == 0) {
                side.add(n);
            }
        }
        if (side.isEmpty() || side.size() == nodes.size()) {
            return;
        }
        partition(side);
        after(leaderBias ? rng.nextLong(10 * MS, 200 * MS) : rng.nextLong(20 * MS, 2_000 * MS), this::healPartition);
    }

    /** Puts {@code side} in a group of its own, cut off from everyone else. */
    void partition(List<SimNode> side) {
        Arrays.fill(group, 0);
        for (SimNode n : side) {
            group[n.idx] = 1;
        }
        partitioned = true;
        stats.partitions++;
        trace.add(now, "-", '*', "PARTITION " + side + " | rest");
    }

    /** Reconnects every group. */
    void healPartition() {
        if (partitioned) {
            Arrays.fill(group, 0);
            partitioned = false;
            trace.add(now, "-", '*', "partition healed");
        }
    }

    private void onewayRandom() {
        SimNode a = nodes.get(rng.nextInt(nodes.size()));
        SimNode l = leader();
        if (l != null && rng.nextBoolean()) {
            a = l;
        }
        SimNode b = nodes.get(rng.nextInt(nodes.size()));
        if (a == b) {
            return;
        }
        boolean outgoing = rng.nextBoolean();
        SimNode from = outgoing ? a : b;
        SimNode to = outgoing ? b : a;
        oneway[from.idx][to.idx] = true;
        trace.add(now, "-", '*', "ONE-WAY cut " + from + " -> " + to);
        after(rng.nextLong(20 * MS, 1_000 * MS), () -> {
            oneway[from.idx][to.idx] = false;
            trace.add(now, "-", '*', "one-way cut healed " + from + " -> " + to);
        });
    }

    private void membershipRandom() {
        SimNode l = leader();
        if (l == null) {
            return;
        }
        Configurations cs = l.engine.configurations();
        Configuration latest = cs.latest();
        List<SimNode> outside = new ArrayList<>();
        for (SimNode n : nodes) {
            if (latest.server(n.id).isEmpty()) {
                outside.add(n);
            }
        }
        List<Server> voters = latest.voters();
        List<Server> nonvoters = latest.servers().stream().filter(s -> !s.isVoter()).toList();
        int roll = rng.nextInt(10);
        ConfigurationChangeCommand cmd;
        SimNode target;
        if (roll < 4 && !outside.isEmpty()) {
            target = outside.get(rng.nextInt(outside.size()));
            cmd = rng.nextInt(3) == 0 ? ConfigurationChangeCommand.ADD_NONVOTER : ConfigurationChangeCommand.ADD_STAGING;
        } else if (roll < 5 && !nonvoters.isEmpty()) {
            target = byId.get(nonvoters.get(rng.nextInt(nonvoters.size())).id());
            cmd = rng.nextBoolean() ? ConfigurationChangeCommand.ADD_STAGING : ConfigurationChangeCommand.REMOVE_SERVER;
        } else if (voters.size() > minVoters) {
            target = byId.get(voters.get(rng.nextInt(voters.size())).id());
            cmd = rng.nextInt(3) == 0 ? ConfigurationChangeCommand.DEMOTE_VOTER : ConfigurationChangeCommand.REMOVE_SERVER;
        } else if (!outside.isEmpty()) {
            target = outside.get(rng.nextInt(outside.size()));
            cmd = ConfigurationChangeCommand.ADD_STAGING;
        } else {
            return;
        }
        changeMembership(l, cmd, target, rng.nextBoolean() ? 0 : cs.latestIndex());
    }

    /** Asks {@code leader} to make a membership change; returns the request. */
    void changeMembership(SimNode leader, ConfigurationChangeCommand cmd, SimNode target, long prevIndex) {
        if (target == null || leader == null || !leader.up) {
            return;
        }
        if (cmd == ConfigurationChangeCommand.ADD_STAGING || cmd == ConfigurationChangeCommand.ADD_NONVOTER) {
            target.started = true;
            if (!target.up && !healing) {
                restart(target);
            }
        }
        Call c = newCall(-1, CallKind.MEMBERSHIP, null, 0, leader);
        trace.add(now, leader.name, '*', "ask " + cmd + " " + target.name);
        step(leader, new Input.ChangeConfiguration(c.requestId,
                new ConfigurationChangeRequest(cmd, target.id, target.address, prevIndex), now + 1_000 * MS));
    }

    private void transferRandom() {
        SimNode l = leader();
        if (l == null) {
            return;
        }
        Optional<ServerId> target = Optional.empty();
        List<Server> voters = l.engine.configurations().latest().voters().stream()
                .filter(s -> !s.id().equals(l.id)).toList();
        if (!voters.isEmpty() && rng.nextBoolean()) {
            target = Optional.of(voters.get(rng.nextInt(voters.size())).id());
        }
        transferLeadership(l, target);
    }

    /** Asks {@code leader} to hand leadership to {@code target} (or the best voter). */
    void transferLeadership(SimNode leader, Optional<ServerId> target) {
        if (leader == null || !leader.up) {
            return;
        }
        Call c = newCall(-1, CallKind.TRANSFER, null, 0, leader);
        trace.add(now, leader.name, '*', "ask leadership transfer to " + target.map(ServerId::value).orElse("any"));
        step(leader, new Input.TransferLeadership(c.requestId, target, Optional.empty()));
    }

    private void heal() {
        healing = true;
        trace.add(now, "-", '*', "HEAL: network repaired, crashed nodes restarted, clients stop");
        healPartition();
        for (boolean[] row : oneway) {
            Arrays.fill(row, false);
        }
        delayRule = null;
        for (SimNode n : nodes) {
            if (!n.up && n.started && !n.shutDown) {
                boot(n);
            }
        }
    }

    private void scheduleConvergenceCheck(boolean[] done) {
        after(20 * MS, () -> {
            // Restart nodes that shut down but are still wanted by the configuration.
            SimNode l = leader();
            if (l != null) {
                for (Server s : l.engine.configurations().latest().servers()) {
                    SimNode n = byId.get(s.id());
                    if (n != null && !n.up) {
                        boot(n);
                    }
                }
            }
            if (converged()) {
                done[0] = true;
            } else {
                scheduleConvergenceCheck(done);
            }
        });
    }

    private boolean converged() {
        SimNode l = leader();
        if (l == null) {
            return false;
        }
        Configurations cs = l.engine.configurations();
        if (!cs.isStable() || l.engine.commitIndex() != l.engine.lastIndex()) {
            return false;
        }
        long c = l.engine.commitIndex();
        for (Server s : cs.latest().servers()) {
            SimNode n = byId.get(s.id());
            if (n == null || !n.up || n.applied != c || n.fsm.chain() != l.fsm.chain()
                    || n.fsm.digest() != l.fsm.digest()) {
                return false;
            }
        }
        return true;
    }

    SimNode node(int i) {
        return nodes.get(i);
    }

    SimNode nodeById(ServerId id) {
        return byId.get(id);
    }
}
