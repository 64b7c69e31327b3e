package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotVersion;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.codec.ConfigurationCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Drives one {@link Engine} by hand for specification tests: a fake clock ({@link #now}), seeded randomness, a
 * restored state built with {@link Builder}, every output recorded in order, and helpers that play the runtime
 * (acknowledge log writes, answer RPCs the engine sent) and the peers (send it requests).
 *
 * <p>Nothing here sleeps or starts a thread; time moves only when a test moves it.
 */
final class EngineHarness {
    static final long MS = 1_000_000L;
    static final long HEARTBEAT = 1000 * MS;
    static final long ELECTION = 1000 * MS;
    static final long COMMIT = 50 * MS;
    static final long LEASE = 500 * MS;
    /** The clock starts far from zero so that "time since" arithmetic is never confused with "never". */
    static final long START = 1_000_000 * MS;
    static final RpcHeader V3 = RpcHeader.V3;

    final EngineConfig config;
    final Engine engine;
    long now = START;
    /** Every output of every step, in order. */
    final List<Output> outputs = new ArrayList<>();
    /** The outputs of the most recent step (or run of steps, for the run helpers). */
    List<Output> last = List.of();
    /** The local log as the runtime would hold it after executing every log operation emitted so far. */
    final TreeMap<Long, LogEntry> log = new TreeMap<>();
    private long highestSeq;
    private long persistedSeq;
    private long nextReplyId = 1;
    private int idleTicks;
    /** RPCs the engine sent that no test has answered yet. */
    final List<Output> unanswered = new ArrayList<>();

    private EngineHarness(EngineConfig config, RestoredState restored, long seed, List<LogEntry> restoredEntries,
                          InjectedFaults faults) {
        this.config = config;
        for (LogEntry e : restoredEntries) {
            log.put(e.index(), e);
        }
        this.engine = new Engine(config, restored, () -> now, new java.util.Random(seed), EngineMetrics.NOOP, faults);
    }

    // ------------------------------------------------------------------------------------------------------
    // Naming

    static ServerId id(String id) {
        return ServerId.of(id);
    }

    static ServerAddress addr(String id) {
        return ServerAddress.of(id + "addr");
    }

    static byte[] peer(String id) {
        return PeerCodec.ADDRESS.encodePeer(id(id), addr(id));
    }

    static Server voter(String id) {
        return Server.voter(id, id + "addr");
    }

    static Server nonvoter(String id) {
        return Server.nonvoter(id, id + "addr");
    }

    static Configuration voters(String... ids) {
        return new Configuration(Arrays.stream(ids).map(EngineHarness::voter).toList());
    }

    // ------------------------------------------------------------------------------------------------------
    // Building

    static Builder node(String id) {
        return new Builder(id);
    }

    /** A node of a cluster whose configuration (at index 1, term 1, committed) holds the given voters. */
    static Builder member(String id, String... clusterIds) {
        return node(id).cluster(voters(clusterIds));
    }

    /**
     * A stable leader {@code ids[0]} of a cluster of voters: elected in term 2, its no-op (index 2) durable,
     * replicated to every follower and committed.
     */
    static EngineHarness stableLeader(String... ids) {
        EngineHarness h = member(ids[0], ids).build();
        h.electLeader();
        h.persist();
        h.ackAllEntries();
        return h;
    }

    static final class Builder {
        private final String id;
        private int protocolVersion = 3;
        private long heartbeat = HEARTBEAT;
        private long election = ELECTION;
        private long commit = COMMIT;
        private long lease = LEASE;
        private int maxAppendEntries = 64;
        private long trailingLogs = 10240;
        private boolean shutdownOnRemove = true;
        private boolean startAsLeader;
        private int maxInflight = EngineConfig.DEFAULT_MAX_INFLIGHT;
        private long seed = 42;
        private long term;
        private long voteTerm;
        private String voteFor;
        private long snapshotIndex;
        private long snapshotTerm;
        private Configurations configurations = Configurations.NONE;
        private Configuration logConfiguration;
        private long firstIndex = 1;
        private long[] logTerms = new long[0];
        private InjectedFaults faults = InjectedFaults.NONE;

        private Builder(String id) {
            this.id = id;
        }

        /** A committed configuration entry at index 1 of term 1, current term 1. */
        Builder cluster(Configuration configuration) {
            this.configurations = Configurations.of(configuration, 1);
            this.logConfiguration = configuration;
            this.logTerms = new long[] {1};
            this.firstIndex = 1;
            this.term = Math.max(term, 1);
            return this;
        }

        /** The whole log from index 1 (index 1 stays the configuration entry); the current term follows its end. */
        Builder log(long... terms) {
            this.logTerms = terms.clone();
            this.firstIndex = 1;
            if (terms.length > 0) {
                this.term = Math.max(term, terms[terms.length - 1]);
            }
            return this;
        }

        /** The log holds only {@code [first, first + terms.length)}; earlier entries are in the snapshot. */
        Builder logFrom(long first, long... terms) {
            this.firstIndex = first;
            this.logTerms = terms.clone();
            if (terms.length > 0) {
                this.term = Math.max(term, terms[terms.length - 1]);
            }
            return this;
        }

        Builder snapshot(long index, long term) {
            this.snapshotIndex = index;
            this.snapshotTerm = term;
            this.term = Math.max(this.term, term);
            return this;
        }

        Builder configurations(Configurations c) {
            this.configurations = c;
            return this;
        }

        Builder term(long t) {
            this.term = t;
            return this;
        }

        Builder votedFor(long t, String candidate) {
            this.voteTerm = t;
            this.voteFor = candidate;
            return this;
        }

        Builder protocolVersion(int v) {
            this.protocolVersion = v;
            return this;
        }

        Builder lease(long nanos) {
            this.lease = nanos;
            return this;
        }

        Builder maxAppendEntries(int n) {
            this.maxAppendEntries = n;
            return this;
        }

        Builder maxInflight(int n) {
            this.maxInflight = n;
            return this;
        }

        Builder trailingLogs(long n) {
            this.trailingLogs = n;
            return this;
        }

        Builder shutdownOnRemove(boolean b) {
            this.shutdownOnRemove = b;
            return this;
        }

        Builder startAsLeader() {
            this.startAsLeader = true;
            return this;
        }

        Builder seed(long s) {
            this.seed = s;
            return this;
        }

        Builder faults(InjectedFaults.Bug... bugs) {
            this.faults = new InjectedFaults(java.util.Set.of(bugs));
            return this;
        }

        EngineHarness build() {
            EngineConfig cfg = new EngineConfig(id(id), addr(id), PeerCodec.ADDRESS, protocolVersion, heartbeat,
                    election, commit, lease, maxAppendEntries, trailingLogs, shutdownOnRemove, startAsLeader,
                    maxInflight);
            List<long[]> runs = new ArrayList<>();
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < logTerms.length; i++) {
                long index = firstIndex + i;
                if (runs.isEmpty() || runs.get(runs.size() - 1)[1] != logTerms[i]) {
                    runs.add(new long[] {index, logTerms[i]});
                }
                entries.add(index == 1 && logConfiguration != null
                        ? new LogEntry(1, logTerms[i], LogType.CONFIGURATION,
                        ConfigurationCodec.encodeConfiguration(logConfiguration))
                        : command(index, logTerms[i]));
            }
            long first = logTerms.length == 0 ? 0 : firstIndex;
            long lastIdx = logTerms.length == 0 ? 0 : firstIndex + logTerms.length - 1;
            RestoredState restored = new RestoredState(term, voteTerm, voteFor == null ? null : peer(voteFor),
                    snapshotIndex, snapshotTerm, first, lastIdx, runs, configurations);
            return new EngineHarness(cfg, restored, seed, entries, faults);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Stepping

    List<Output> step(Input input) {
        List<Output> produced = new ArrayList<>();
        engine.step(input, produced::add);
        record(produced);
        last = produced;
        return produced;
    }

    private void record(List<Output> produced) {
        outputs.addAll(produced);
        for (Output o : produced) {
            if (o instanceof Output.LogOperation op) {
                highestSeq = Math.max(highestSeq, op.seq());
            }
            if (o instanceof Output.AppendLog a) {
                for (LogEntry e : a.entries()) {
                    log.put(e.index(), e);
                }
            } else if (o instanceof Output.TruncateLog t) {
                log.subMap(t.from(), true, t.to(), true).clear();
            } else if (o instanceof Output.CompactLog c) {
                log.subMap(c.from(), true, c.to(), true).clear();
            } else if (o instanceof Output.ResetLog r) {
                log.clear();
            }
            if (o instanceof Output.SendEntries || o instanceof Output.Send || o instanceof Output.SendSnapshot) {
                unanswered.add(o);
            }
        }
    }

    List<Output> tick() {
        return step(Input.Tick.INSTANCE);
    }

    /** Moves the clock forward without stepping the engine. */
    void advance(long nanos) {
        now += nanos;
    }

    /** Moves the clock to {@code t} and delivers a tick. */
    List<Output> tickAt(long t) {
        now = t;
        return tick();
    }

    /** Moves the clock to the engine's next deadline (if later) and delivers a tick, as the runtime would. */
    List<Output> fireNextTimer() {
        now = Math.max(now, engine.nextDeadline());
        return tick();
    }

    /**
     * Plays the runtime's timer loop until {@code until}: tick at every deadline the engine asks for, never
     * answering anything. Returns every output of those steps.
     */
    List<Output> runUntil(long until) {
        return runUntil(until, h -> false);
    }

    /** Like {@link #runUntil(long)}, stopping early once {@code stop} holds after a step. */
    List<Output> runUntil(long until, Predicate<EngineHarness> stop) {
        List<Output> all = new ArrayList<>();
        int guard = 0;
        while (true) {
            long d = engine.nextDeadline();
            if (d > until) {
                break;
            }
            if (++guard > 100_000) {
                throw new AssertionError("the engine keeps asking to be woken at " + d + " (now " + now + ")");
            }
            long before = now;
            now = Math.max(now, d);
            List<Output> produced = tick();
            all.addAll(produced);
            idleTicks = produced.isEmpty() && now == before && engine.nextDeadline() <= now ? idleTicks + 1 : 0;
            if (idleTicks > 3) {
                throw new AssertionError("the engine keeps asking to be woken at " + engine.nextDeadline()
                        + " but has nothing to do (now " + now + "): a runtime would spin");
            }
            if (stop.test(this)) {
                last = all;
                return all;
            }
        }
        now = Math.max(now, until);
        last = all;
        return all;
    }

    /** Acknowledges every log operation emitted so far. */
    List<Output> persist() {
        if (highestSeq > persistedSeq) {
            persistedSeq = highestSeq;
            return step(new Input.LogPersisted(highestSeq));
        }
        last = List.of();
        return last;
    }

    long highestSeq() {
        return highestSeq;
    }

    // ------------------------------------------------------------------------------------------------------
    // Output queries

    static <T> List<T> all(List<Output> outs, Class<T> type) {
        return outs.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> List<T> last(Class<T> type) {
        return all(last, type);
    }

    <T> T only(Class<T> type) {
        List<T> found = last(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " in " + last);
        }
        return found.get(0);
    }

    static int indexOf(List<Output> outs, Predicate<Output> p) {
        for (int i = 0; i < outs.size(); i++) {
            if (p.test(outs.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The response to the request with reply id {@code replyTo}, among every output so far, if sent. */
    Optional<Output.Respond> response(long replyTo) {
        return all(outputs, Output.Respond.class).stream().filter(r -> r.replyTo() == replyTo).findFirst();
    }

    <T extends RpcMessage> T responseBody(long replyTo, Class<T> type) {
        Output.Respond r = response(replyTo).orElseThrow(() -> new AssertionError("no response to " + replyTo));
        if (!type.isInstance(r.response())) {
            throw new AssertionError("response to " + replyTo + " is " + r);
        }
        return type.cast(r.response());
    }

    static List<Output.Send> sends(List<Output> outs, Class<? extends RpcMessage> type) {
        return all(outs, Output.Send.class).stream().filter(s -> type.isInstance(s.request())).toList();
    }

    static List<Output.Send> heartbeats(List<Output> outs) {
        return all(outs, Output.Send.class).stream().filter(Output.Send::heartbeat).toList();
    }

    static List<Output.SendEntries> entriesTo(List<Output> outs, String peer) {
        return all(outs, Output.SendEntries.class).stream().filter(s -> s.peer().id().equals(id(peer))).toList();
    }

    static List<Long> failedRequests(List<Output> outs, Class<? extends RaftException> type) {
        return all(outs, Output.Fail.class).stream().filter(f -> type.isInstance(f.error()))
                .map(Output.Fail::requestId).toList();
    }

    static List<Long> completedRequests(List<Output> outs) {
        return all(outs, Output.Complete.class).stream().map(Output.Complete::requestId).toList();
    }

    static List<Long> committedRequests(List<Output> outs) {
        return all(outs, Output.Commit.class).stream().flatMap(c -> c.requests().stream())
                .map(Output.CommittedRequest::requestId).toList();
    }

    /** Terms of the log as the runtime holds it, by index. */
    Map<Long, Long> logTerms() {
        return log.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().term(),
                (a, b) -> a, TreeMap::new));
    }

    RaftState state() {
        return engine.state();
    }

    long term() {
        return engine.currentTerm();
    }

    // ------------------------------------------------------------------------------------------------------
    // Requests from peers

    static LogEntry command(long index, long term) {
        return new LogEntry(index, term, LogType.COMMAND, ("cmd" + index + "@" + term).getBytes());
    }

    /** Command entries from {@code fromIndex} on with the given terms. */
    static List<LogEntry> entries(long fromIndex, long... terms) {
        List<LogEntry> list = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            list.add(command(fromIndex + i, terms[i]));
        }
        return list;
    }

    static AppendEntriesRequest appendEntries(long term, String leader, long prevIndex, long prevTerm,
                                              long leaderCommit, List<LogEntry> entries) {
        return new AppendEntriesRequest(V3, term, peer(leader), prevIndex, prevTerm, entries, leaderCommit);
    }

    static AppendEntriesRequest heartbeat(long term, String leader) {
        return AppendEntriesRequest.heartbeat(V3, term, peer(leader));
    }

    static RequestVoteRequest voteRequest(long term, String candidate, long lastIndex, long lastTerm) {
        return new RequestVoteRequest(V3, term, peer(candidate), lastIndex, lastTerm, false);
    }

    static RequestVoteRequest transferVoteRequest(long term, String candidate, long lastIndex, long lastTerm) {
        return new RequestVoteRequest(V3, term, peer(candidate), lastIndex, lastTerm, true);
    }

    static InstallSnapshotRequest installSnapshot(long term, String leader, long index, long snapTerm,
                                                  Configuration configuration, long configurationIndex) {
        return new InstallSnapshotRequest(V3, SnapshotVersion.MAX, term, peer(leader), index, snapTerm, null,
                ConfigurationCodec.encodeConfiguration(configuration), configurationIndex, 0);
    }

    static TimeoutNowRequest timeoutNow() {
        return new TimeoutNowRequest(V3);
    }

    /** Delivers an RPC request; returns its reply id. */
    long receive(RpcMessage request) {
        long replyTo = nextReplyId++;
        if (request instanceof InstallSnapshotRequest s) {
            step(new Input.InstallSnapshotReceived(replyTo, s));
        } else {
            step(new Input.RequestReceived(replyTo, request));
        }
        return replyTo;
    }

    // ------------------------------------------------------------------------------------------------------
    // Answers to RPCs the engine sent

    private void answered(Output o) {
        unanswered.remove(o);
    }

    List<Output> grantVote(Output.Send s) {
        answered(s);
        RequestVoteRequest req = (RequestVoteRequest) s.request();
        return step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                new RequestVoteResponse(V3, req.term(), null, true)));
    }

    List<Output> denyVote(Output.Send s, long term) {
        answered(s);
        return step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                new RequestVoteResponse(V3, term, null, false)));
    }

    /** The follower stored the entries sent: success, its last index is the last one sent. */
    List<Output> ackEntries(Output.SendEntries s) {
        answered(s);
        long lastLog = Math.max(s.toIndex(), s.template().prevLogEntry());
        return step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                new AppendEntriesResponse(V3, s.template().term(), lastLog, true, false)));
    }

    List<Output> rejectEntries(Output.SendEntries s, long followerTerm, long followerLastLog, boolean noRetryBackoff) {
        answered(s);
        return step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                new AppendEntriesResponse(V3, followerTerm, followerLastLog, false, noRetryBackoff)));
    }

    List<Output> failRpc(Output o, Input.FailureKind kind) {
        answered(o);
        ServerId peerId;
        long correlation;
        if (o instanceof Output.SendEntries s) {
            peerId = s.peer().id();
            correlation = s.correlation();
        } else if (o instanceof Output.Send s) {
            peerId = s.peer().id();
            correlation = s.correlation();
        } else if (o instanceof Output.SendSnapshot s) {
            peerId = s.peer().id();
            correlation = s.correlation();
        } else {
            throw new IllegalArgumentException(String.valueOf(o));
        }
        return step(new Input.RpcFailed(peerId, correlation, kind, "injected"));
    }

    List<Output> ackHeartbeat(Output.Send s) {
        return ackHeartbeat(s, ((AppendEntriesRequest) s.request()).term());
    }

    List<Output> ackHeartbeat(Output.Send s, long followerTerm) {
        answered(s);
        AppendEntriesRequest req = (AppendEntriesRequest) s.request();
        return step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                new AppendEntriesResponse(V3, followerTerm, 0, followerTerm <= req.term(), false)));
    }

    List<Output> snapshotSent(Output.SendSnapshot s, long snapshotIndex, long followerTerm, boolean success) {
        answered(s);
        return step(new Input.SnapshotSent(s.peer().id(), s.correlation(), snapshotIndex, followerTerm, success));
    }

    List<Output.SendEntries> unansweredEntries() {
        return all(unanswered, Output.SendEntries.class);
    }

    List<Output.SendEntries> unansweredEntries(String peer) {
        return unansweredEntries().stream().filter(s -> s.peer().id().equals(id(peer))).toList();
    }

    List<Output.Send> unansweredHeartbeats(String peer) {
        return all(unanswered, Output.Send.class).stream()
                .filter(s -> s.heartbeat() && s.peer().id().equals(id(peer))).toList();
    }

    /** Answers every outstanding AppendEntries with success and persists, until nothing is outstanding. */
    List<Output> ackAllEntries() {
        List<Output> all = new ArrayList<>();
        for (int round = 0; round < 1000; round++) {
            all.addAll(persist());
            List<Output.SendEntries> pending = unansweredEntries();
            if (pending.isEmpty()) {
                last = all;
                return all;
            }
            for (Output.SendEntries s : pending) {
                if (engine.state() != RaftState.LEADER) {
                    last = all;
                    return all;
                }
                all.addAll(ackEntries(s));
            }
        }
        throw new AssertionError("replication does not settle");
    }

    /** Answers every outstanding AppendEntries to {@code peer} with success, until nothing is outstanding. */
    List<Output> ackAllEntries(String peer) {
        List<Output> all = new ArrayList<>();
        for (int round = 0; round < 1000; round++) {
            List<Output.SendEntries> pending = unansweredEntries(peer);
            if (pending.isEmpty()) {
                last = all;
                return all;
            }
            for (Output.SendEntries s : pending) {
                all.addAll(ackEntries(s));
            }
        }
        throw new AssertionError("replication does not settle");
    }

    // ------------------------------------------------------------------------------------------------------
    // Scenarios

    /** From follower: times out, wins the election with granted votes; returns the outputs of the whole run. */
    List<Output> electLeader() {
        List<Output> all = new ArrayList<>();
        for (int i = 0; i < 10 && engine.state() != RaftState.CANDIDATE && engine.state() != RaftState.LEADER; i++) {
            all.addAll(fireNextTimer());
        }
        if (engine.state() == RaftState.CANDIDATE) {
            for (Output.Send s : sends(all, RequestVoteRequest.class)) {
                if (engine.state() != RaftState.CANDIDATE) {
                    break;
                }
                all.addAll(grantVote(s));
            }
        }
        if (engine.state() != RaftState.LEADER) {
            throw new AssertionError("not elected: " + engine.state());
        }
        unanswered.removeIf(o -> o instanceof Output.Send s && s.request() instanceof RequestVoteRequest);
        last = all;
        return all;
    }

    /** Proposes one command; returns the step's outputs. */
    List<Output> propose(long requestId) {
        return step(new Input.Propose(List.of(new Input.Proposal(requestId, LogType.COMMAND,
                ("req" + requestId).getBytes(), null))));
    }
}
