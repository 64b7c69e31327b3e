package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.CantBootstrapException;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LeaderObservation;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.ProtocolVersion;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.RaftShutdownException;
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
import io.flotilla.raft.TimeoutNowResponse;
import io.flotilla.raft.UnsupportedProtocolException;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.internal.RandomTimeouts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The Raft protocol as a pure, single-threaded state machine. It takes {@link Input}s (a message arrived, time
 * passed, a client asked, a write became durable) and emits {@link Output}s (persist this, send that, apply
 * up to here, complete that request). It never blocks, never performs I/O, and reads time and randomness only
 * from the sources it is given — which is what makes it testable by simulation and lets the runtime batch and
 * pipeline freely.
 *
 * <p>The behaviour follows hashicorp/raft 1.1.2 (timers, vote rules, replication, membership, leadership
 * transfer), with its known bugs fixed where they could lose data or hang a caller; each deviation is called
 * out where it is made.
 *
 * <p>Indexes and terms are unsigned on the wire; the engine refuses messages carrying values at or above
 * 2<sup>63</sup>, which no real cluster reaches.
 */
public final class Engine {
    private static final byte[] NO_BYTES = new byte[0];

    final EngineConfig cfg;
    private final LongSupplier clock;
    final RandomGenerator random;
    final EngineMetrics metrics;
    final Logger log;
    final RpcHeader header;
    final byte[] localPeerBytes;
    final InjectedFaults faults;

    // Persistent state (mirrors the stable store).
    long currentTerm;
    private long lastVoteTerm;
    private byte[] lastVoteCandidate;

    // Volatile state.
    RaftState state = RaftState.FOLLOWER;
    private ServerAddress leaderAddress = ServerAddress.NONE;
    final LogState logState = new LogState();
    Configurations configurations;
    long commitIndex;
    private long lastContact;
    private boolean everContacted;
    private long nextCorrelation = 1;

    // Role state: exactly one of these is non-null, matching {@link #state} (none after shutdown).
    private long followerDeadline;
    private boolean warnedNoElection;
    private Candidate candidate;
    Leader leader;

    private final DurableActions durableActions = new DurableActions();
    /** StartAsLeader takes office on the first step, when outputs can be emitted. */
    private boolean pendingStartAsLeader;
    private long installingReplyTo = -1;

    private Consumer<Output> out;
    private long now;

    /**
     * @param config   node identity and timing
     * @param restored what the node recovered from its stores
     * @param clock    monotonic nanoseconds; the engine's only notion of time
     * @param random   the engine's only randomness
     * @param metrics  where metrics go
     */
    public Engine(EngineConfig config, RestoredState restored, LongSupplier clock, RandomGenerator random,
                  EngineMetrics metrics) {
        this(config, restored, clock, random, metrics, InjectedFaults.NONE);
    }

    /** Test-only constructor that can switch deliberate bugs on; see {@link InjectedFaults}. */
    Engine(EngineConfig config, RestoredState restored, LongSupplier clock, RandomGenerator random,
           EngineMetrics metrics, InjectedFaults faults) {
        this.cfg = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.log = LoggerFactory.getLogger(Engine.class.getName() + "." + config.localId().value());
        this.header = new RpcHeader(config.protocolVersion());
        this.localPeerBytes = config.peerCodec().encodePeer(config.localId(), config.localAddress());
        this.currentTerm = restored.currentTerm();
        this.lastVoteTerm = restored.lastVoteTerm();
        this.lastVoteCandidate = restored.lastVoteCandidate();
        long[][] runs = restored.termRuns().toArray(new long[0][]);
        logState.restore(restored.snapshotIndex(), restored.snapshotTerm(), restored.firstIndex(),
                restored.lastIndex(), runs);
        this.configurations = restored.configurations();
        // A snapshot only ever covers committed entries.
        this.commitIndex = restored.snapshotIndex();
        this.now = clock.getAsLong();
        if (config.startAsLeader()) {
            // Testing only (hashicorp's StartAsLeader): lead without an election. Can cause split brain.
            this.state = RaftState.LEADER;
            this.leaderAddress = config.localAddress();
            this.pendingStartAsLeader = true;
        } else {
            armFollowerTimer();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Public surface

    /**
     * Processes one input, emitting outputs in the order the runtime must execute them.
     */
    public void step(Input input, Consumer<Output> sink) {
        Objects.requireNonNull(input, "input");
        this.out = Objects.requireNonNull(sink, "sink");
        this.now = clock.getAsLong();
        try {
            if (pendingStartAsLeader) {
                pendingStartAsLeader = false;
                state = RaftState.CANDIDATE; // so that becomeLeader sees a transition
                becomeLeader();
            }
            if (state == RaftState.SHUTDOWN) {
                rejectAfterShutdown(input);
                return;
            }
            dispatch(input);
            if (leader != null) {
                leader.afterStep();
            }
        } finally {
            this.out = null;
        }
    }

    /**
     * The engine-clock time at which the runtime should next deliver {@link Input.Tick}, or
     * {@link Long#MAX_VALUE} if no timer is armed.
     */
    public long nextDeadline() {
        return switch (state) {
            case FOLLOWER -> followerDeadline;
            case CANDIDATE -> candidate == null ? Long.MAX_VALUE : candidate.deadline();
            case LEADER -> leader == null ? Long.MIN_VALUE : leader.nextDeadline(); // MIN: start leading now
            case SHUTDOWN -> Long.MAX_VALUE;
        };
    }

    /** The externally visible state, for the runtime to publish. */
    public EngineStatus status() {
        return new EngineStatus(state, currentTerm, leaderAddress, leaderIdFor(leaderAddress),
                logState.lastIndex(), logState.lastTerm(), logState.lastLogIndex(),
                logState.logIsEmpty() ? 0 : logState.firstIndex(), commitIndex,
                logState.snapshotIndex(), logState.snapshotTerm(), configurations,
                everContacted ? OptionalLong.of(lastContact) : OptionalLong.empty(),
                leader != null && leader.transferInProgress());
    }

    /** The current role. */
    public RaftState state() {
        return state;
    }

    /** The current term. */
    public long currentTerm() {
        return currentTerm;
    }

    /** The commit index. */
    public long commitIndex() {
        return commitIndex;
    }

    /** The last index of log or snapshot. */
    public long lastIndex() {
        return logState.lastIndex();
    }

    /** The known leader's address, or empty. */
    public ServerAddress leaderAddress() {
        return leaderAddress;
    }

    /** The latest and committed configurations. */
    public Configurations configurations() {
        return configurations;
    }

    /** Whether this node's log and snapshot are durable through {@link #lastIndex()}. */
    public long durableIndex() {
        return logState.durableIndex();
    }

    // ------------------------------------------------------------------------------------------------------
    // Dispatch

    private void dispatch(Input input) {
        if (input instanceof Input.Tick) {
            onTick();
        } else if (input instanceof Input.RequestReceived r) {
            onRequest(r.replyTo(), r.request());
        } else if (input instanceof Input.InstallSnapshotReceived r) {
            onInstallSnapshot(r.replyTo(), r.request());
        } else if (input instanceof Input.SnapshotInstalled r) {
            onSnapshotInstalled(r);
        } else if (input instanceof Input.SnapshotInstallFailed r) {
            onSnapshotInstallFailed(r);
        } else if (input instanceof Input.ResponseReceived r) {
            onResponse(r);
        } else if (input instanceof Input.RpcFailed r) {
            onRpcFailed(r);
        } else if (input instanceof Input.SnapshotSent r) {
            if (leader != null) {
                leader.onSnapshotSent(r);
            }
        } else if (input instanceof Input.LogPersisted r) {
            onLogPersisted(r.seq());
        } else if (input instanceof Input.LogPersistFailed r) {
            onLogPersistFailed(r);
        } else if (input instanceof Input.Propose r) {
            onPropose(r);
        } else if (input instanceof Input.VerifyLeader r) {
            if (leader == null) {
                fail(r.requestId(), new NotLeaderException());
            } else {
                leader.verify(r.requestId());
            }
        } else if (input instanceof Input.ReadIndex r) {
            if (leader == null) {
                fail(r.requestId(), new NotLeaderException());
            } else {
                leader.readIndex(r.requestId());
            }
        } else if (input instanceof Input.ChangeConfiguration r) {
            if (leader == null) {
                fail(r.requestId(), new NotLeaderException());
            } else {
                leader.changeConfiguration(r);
            }
        } else if (input instanceof Input.TransferLeadership r) {
            if (leader == null) {
                fail(r.requestId(), new NotLeaderException());
            } else {
                leader.transferLeadership(r);
            }
        } else if (input instanceof Input.Bootstrap r) {
            onBootstrap(r);
        } else if (input instanceof Input.QueryConfiguration r) {
            if (leader != null && leader.transferInProgress()) {
                fail(r.requestId(), new io.flotilla.raft.LeadershipTransferInProgressException());
            } else {
                complete(r.requestId(), configurations);
            }
        } else if (input instanceof Input.UserRestore r) {
            if (leader == null) {
                fail(r.requestId(), new NotLeaderException());
            } else {
                leader.userRestore(r);
            }
        } else if (input instanceof Input.UserRestoreDone r) {
            onUserRestoreDone(r);
        } else if (input instanceof Input.SnapshotTaken r) {
            onSnapshotTaken(r.index(), r.term());
        } else if (input instanceof Input.Shutdown) {
            onShutdown();
        } else {
            throw new IllegalArgumentException("unknown input " + input);
        }
    }

    private void rejectAfterShutdown(Input input) {
        RaftException shut = new RaftShutdownException();
        if (input instanceof Input.Propose p) {
            p.proposals().forEach(x -> fail(x.requestId(), shut));
        } else if (input instanceof Input.VerifyLeader r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.ReadIndex r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.ChangeConfiguration r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.TransferLeadership r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.Bootstrap r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.QueryConfiguration r) {
            fail(r.requestId(), shut);
        } else if (input instanceof Input.UserRestore r) {
            fail(r.requestId(), shut);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Time

    private void onTick() {
        switch (state) {
            case FOLLOWER -> {
                if (now >= followerDeadline) {
                    onFollowerTimeout();
                }
            }
            case CANDIDATE -> {
                if (candidate != null && now >= candidate.deadline()) {
                    log.warn("Election timeout reached, restarting election term={}", currentTerm);
                    startElection(false);
                }
            }
            case LEADER -> leader.onTick();
            default -> {
            }
        }
    }

    private void armFollowerTimer() {
        followerDeadline = now + randomTimeout(cfg.heartbeatTimeout());
    }

    long randomTimeout(long nanos) {
        return RandomTimeouts.randomTimeout(Duration.ofNanos(nanos), random).toNanos();
    }

    private void onFollowerTimeout() {
        // hashicorp re-arms the timer every time it fires and checks the last contact, rather than resetting
        // the timer on each contact; an election starts between one and about three timeouts after contact.
        armFollowerTimer();
        if (everContacted && now - lastContact < cfg.heartbeatTimeout()) {
            return;
        }
        ServerAddress lastLeader = leaderAddress;
        setLeader(ServerAddress.NONE);
        if (configurations.latestIndex() == 0) {
            if (!warnedNoElection) {
                log.warn("no known peers, aborting election");
                warnedNoElection = true;
            }
        } else if (configurations.isStable() && !configurations.latest().hasVote(cfg.localId())) {
            if (!warnedNoElection) {
                log.warn("not part of stable configuration, aborting election");
                warnedNoElection = true;
            }
        } else {
            log.warn("heartbeat timeout reached, starting election last-leader={}", lastLeader);
            metrics.increment("raft.transition.heartbeat_timeout");
            startElection(false);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Role transitions

    private void setState(RaftState next) {
        // hashicorp clears the known leader on every state change, before the change.
        setLeader(ServerAddress.NONE);
        RaftState prev = state;
        state = next;
        if (prev != next) {
            emit(new Output.Observe(next));
        }
    }

    void setLeader(ServerAddress address) {
        if (!leaderAddress.equals(address)) {
            leaderAddress = address;
            emit(new Output.Observe(new LeaderObservation(address)));
            emit(new Output.LeaderChanged(address, leaderIdFor(address)));
        }
    }

    private ServerId leaderIdFor(ServerAddress address) {
        if (address.isEmpty()) {
            return ServerId.of("");
        }
        if (address.equals(cfg.localAddress())) {
            return cfg.localId();
        }
        for (Server s : configurations.latest().servers()) {
            if (s.address().equals(address)) {
                return s.id();
            }
        }
        return ServerId.of("");
    }

    /** Becomes (or stays) a follower; ends any candidacy or leadership. */
    void becomeFollower() {
        if (state == RaftState.FOLLOWER) {
            return;
        }
        // As in hashicorp, the state changes first and the old role's requests are answered after it.
        setState(RaftState.FOLLOWER);
        leaveCurrentRole();
        enterFollower();
    }

    private void enterFollower() {
        log.info("entering follower state term={}", currentTerm);
        metrics.increment("raft.state.follower");
        warnedNoElection = false;
        armFollowerTimer();
    }

    private void leaveCurrentRole() {
        if (leader != null) {
            Leader l = leader;
            leader = null;
            l.stepDown();
            touchContact();
            emit(new Output.LeadershipChanged(false));
        }
        candidate = null;
    }

    void setTerm(long term) {
        // Persist first: a term must never go backwards across a crash.
        currentTerm = term;
        emit(new Output.PersistTerm(term));
    }

    private void persistVote(long term, byte[] candidateBytes) {
        lastVoteTerm = term;
        lastVoteCandidate = candidateBytes.clone();
        emit(new Output.PersistVote(term, candidateBytes));
    }

    void startElection(boolean leadershipTransfer) {
        if (state != RaftState.CANDIDATE) {
            setState(RaftState.CANDIDATE);
            leaveCurrentRole();
        }
        metrics.increment("raft.state.candidate");
        setTerm(currentTerm + 1);
        log.info("entering candidate state term={}", currentTerm);
        candidate = new Candidate(this, configurations.latest().quorumSize(), leadershipTransfer,
                now + randomTimeout(cfg.electionTimeout()));
        if (configurations.latest().hasVote(cfg.localId())) {
            // The vote must be durable before it counts; PersistVote is executed before anything after it.
            persistVote(currentTerm, localPeerBytes);
            candidate.granted();
        }
        RequestVoteRequest request = new RequestVoteRequest(header, currentTerm, localPeerBytes,
                logState.lastIndex(), logState.lastTerm(), leadershipTransfer);
        for (Server s : configurations.latest().servers()) {
            if (s.isVoter() && !s.id().equals(cfg.localId())) {
                long correlation = nextCorrelation();
                candidate.asked(correlation, now);
                emit(new Output.Send(s, correlation, request, false));
            }
        }
        if (candidate.won()) {
            becomeLeader();
        }
    }

    void becomeLeader() {
        log.info("election won term={} tally={}", currentTerm, candidate == null ? 0 : candidate.votes());
        candidate = null;
        setState(RaftState.LEADER);
        setLeader(cfg.localAddress());
        log.info("entering leader state term={}", currentTerm);
        metrics.increment("raft.state.leader");
        leader = new Leader(this);
        emit(new Output.LeadershipChanged(true));
        leader.start();
    }

    // ------------------------------------------------------------------------------------------------------
    // Incoming RPCs

    private void onRequest(long replyTo, RpcMessage request) {
        if (!headerAcceptable(request.header())) {
            emit(new Output.Respond(replyTo, null, UnsupportedProtocolException.MESSAGE));
            return;
        }
        String invalid = RequestValidation.problem(request);
        if (invalid != null) {
            log.warn("refusing malformed request reason={}", invalid);
            emit(new Output.Respond(replyTo, null, invalid));
            return;
        }
        if (request instanceof AppendEntriesRequest a) {
            onAppendEntries(replyTo, a);
        } else if (request instanceof RequestVoteRequest v) {
            onRequestVote(replyTo, v);
        } else if (request instanceof TimeoutNowRequest t) {
            onTimeoutNow(replyTo);
        } else {
            log.error("unexpected command type={}", request.getClass().getSimpleName());
            emit(new Output.Respond(replyTo, null, "unexpected command"));
        }
    }

    private boolean headerAcceptable(RpcHeader h) {
        int v = h.protocolVersion();
        return v >= ProtocolVersion.MIN && v <= ProtocolVersion.MAX && v >= cfg.protocolVersion() - 1;
    }

    private void onAppendEntries(long replyTo, AppendEntriesRequest a) {
        long started = System.nanoTime();
        long lastIndexBefore = logState.lastIndex();
        if (a.term() < currentTerm) {
            emit(respondAppend(replyTo, lastIndexBefore, false, false));
            return;
        }
        if (a.term() > currentTerm || state != RaftState.FOLLOWER) {
            becomeFollower();
            if (a.term() > currentTerm) {
                setTerm(a.term());
            }
        }
        setLeader(decodePeer(a.leader()));

        long prev = a.prevLogEntry();
        if (prev > 0) {
            long prevTerm = logState.termAt(prev);
            if (prevTerm < 0) {
                if (prev >= logState.snapshotIndex()) {
                    log.warn("failed to get previous log previous-index={} last-index={}", prev,
                            logState.lastIndex());
                    emit(respondAppend(replyTo, lastIndexBefore, false, true));
                    return;
                }
                // Compacted into our snapshot, hence committed, hence identical in the leader's log (hashicorp
                // fails here; Raft allows assuming the match).
            } else if (prevTerm != a.prevLogTerm()) {
                if (faults.commitFollowerOnMismatch() && a.leaderCommitIndex() > commitIndex) {
                    long newCommit = Math.min(a.leaderCommitIndex(), logState.lastIndex());
                    if (newCommit > commitIndex) {
                        advanceCommitIndex(newCommit, List.of());
                    }
                }
                log.warn("previous log term mis-match ours={} remote={}", prevTerm, a.prevLogTerm());
                emit(respondAppend(replyTo, lastIndexBefore, false, true));
                return;
            }
        }

        List<LogEntry> entries = a.entries() == null ? List.of() : a.entries();
        long lastNew = prev + entries.size();
        int firstNew = entries.size();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.index() > logState.lastLogIndex()) {
                firstNew = i;
                break;
            }
            long ours = logState.termAt(e.index());
            if (ours < 0 && e.index() <= logState.snapshotIndex()) {
                continue; // covered by our snapshot: committed, already applied
            }
            if (ours == e.term()) {
                continue; // a duplicate: never rewritten
            }
            if (e.index() <= commitIndex) {
                // Only a broken leader can conflict with a committed entry; refuse rather than lose data.
                log.error("refusing to truncate committed entry index={} commit-index={} our-term={} leader-term={}",
                        e.index(), commitIndex, ours, e.term());
                emit(new Output.Respond(replyTo, null, "conflict with committed entry at index " + e.index()));
                return;
            }
            log.warn("clearing log suffix from={} to={}", e.index(), logState.lastLogIndex());
            truncateLogFrom(e.index());
            firstNew = i;
            break;
        }
        if (firstNew < entries.size()) {
            List<LogEntry> fresh = entries.subList(firstNew, entries.size());
            long storeStarted = System.nanoTime();
            appendToLog(fresh);
            for (LogEntry e : fresh) {
                processConfigurationEntry(e);
            }
            metrics.recordNanos("raft.rpc.appendEntries.storeLogs", System.nanoTime() - storeStarted);
        }

        long leaderCommit = a.leaderCommitIndex();
        if (leaderCommit > commitIndex) {
            // Only entries known to match the leader may commit: those this request vouched for. hashicorp
            // uses our last index here, which could commit a stale suffix.
            long newCommit = Math.min(leaderCommit, lastNew);
            if (newCommit > commitIndex) {
                long processStarted = System.nanoTime();
                advanceCommitIndex(newCommit, List.of());
                metrics.recordNanos("raft.rpc.appendEntries.processLogs", System.nanoTime() - processStarted);
            }
        }
        touchContact();
        durableActions.add(lastNew, respondAppend(replyTo, lastIndexBefore, true, false));
        releaseDurableActions();
        metrics.recordNanos(a.isHeartbeat() ? "raft.rpc.processHeartbeat" : "raft.rpc.appendEntries",
                System.nanoTime() - started);
    }

    private Output.Respond respondAppend(long replyTo, long lastLog, boolean success, boolean noRetryBackoff) {
        return new Output.Respond(replyTo,
                new AppendEntriesResponse(header, currentTerm, lastLog, success, noRetryBackoff), null);
    }

    private void onRequestVote(long replyTo, RequestVoteRequest req) {
        long started = System.nanoTime();
        emit(new Output.Observe(req));
        ServerAddress candidateAddress = decodePeer(req.candidate());
        if (!leaderAddress.isEmpty() && !leaderAddress.equals(candidateAddress) && !req.leadershipTransfer()) {
            log.warn("rejecting vote request since we have a leader from={} leader={}", candidateAddress,
                    leaderAddress);
            emit(voteResponse(replyTo, false));
            return;
        }
        if (req.term() < currentTerm) {
            emit(voteResponse(replyTo, false));
            return;
        }
        if (req.term() > currentTerm) {
            log.debug("lost leadership because received a requestVote with a newer term");
            becomeFollower();
            setTerm(req.term());
        }
        if (lastVoteTerm == req.term() && lastVoteCandidate != null) {
            log.info("duplicate requestVote for same term term={}", req.term());
            emit(voteResponse(replyTo, Arrays.equals(lastVoteCandidate, req.candidate())));
            return;
        }
        long lastTerm = logState.lastTerm();
        long lastIndex = logState.lastIndex();
        if (!faults.skipVoteUpToDateCheck()) {
            if (lastTerm > req.lastLogTerm()) {
                log.warn("rejecting vote request since our last term is greater candidate={} last-term={} "
                        + "last-candidate-term={}", candidateAddress, lastTerm, req.lastLogTerm());
                emit(voteResponse(replyTo, false));
                return;
            }
            if (lastTerm == req.lastLogTerm() && lastIndex > req.lastLogIndex()) {
                log.warn("rejecting vote request since our last index is greater candidate={} last-index={} "
                        + "last-candidate-index={}", candidateAddress, lastIndex, req.lastLogIndex());
                emit(voteResponse(replyTo, false));
                return;
            }
        }
        byte[] candidateBytes = req.candidate() == null ? NO_BYTES : req.candidate();
        if (faults.answerVoteBeforePersisting()) {
            emit(voteResponse(replyTo, true));
            persistVote(req.term(), candidateBytes);
        } else {
            persistVote(req.term(), candidateBytes);
            emit(voteResponse(replyTo, true));
        }
        touchContact();
        metrics.recordNanos("raft.rpc.requestVote", System.nanoTime() - started);
    }

    private Output.Respond voteResponse(long replyTo, boolean granted) {
        byte[] peers = cfg.protocolVersion() < 2
                ? ConfigurationCodec.encodePeers(configurations.latest(), cfg.peerCodec()) : null;
        return new Output.Respond(replyTo, new RequestVoteResponse(header, currentTerm, peers, granted), null);
    }

    private void onTimeoutNow(long replyTo) {
        if (!configurations.latest().hasVote(cfg.localId())) {
            // hashicorp would campaign even as a non-voter and could win; a non-voter must never lead.
            emit(new Output.Respond(replyTo, null, "cannot start an election: not a voter"));
            return;
        }
        setLeader(ServerAddress.NONE);
        emit(new Output.Respond(replyTo, new TimeoutNowResponse(RpcHeader.ZERO), null));
        startElection(true);
    }

    private void onInstallSnapshot(long replyTo, InstallSnapshotRequest req) {
        if (!headerAcceptable(req.header())) {
            emit(new Output.Respond(replyTo, null, UnsupportedProtocolException.MESSAGE));
            return;
        }
        if (req.snapshotVersion() < SnapshotVersion.MIN || req.snapshotVersion() > SnapshotVersion.MAX) {
            emit(new Output.Respond(replyTo, installResponse(false),
                    "unsupported snapshot version " + req.snapshotVersion()));
            return;
        }
        String invalid = RequestValidation.problem(req);
        if (invalid != null) {
            emit(new Output.Respond(replyTo, installResponse(false), invalid));
            return;
        }
        if (req.term() < currentTerm) {
            log.info("ignoring installSnapshot request with older term than current term request-term={} "
                    + "current-term={}", req.term(), currentTerm);
            emit(new Output.Respond(replyTo, installResponse(false), null));
            return;
        }
        if (req.term() > currentTerm || state != RaftState.FOLLOWER) {
            becomeFollower();
            if (req.term() > currentTerm) {
                setTerm(req.term());
            }
        }
        setLeader(decodePeer(req.leader()));
        if (req.lastLogIndex() <= commitIndex) {
            // We already hold everything it covers, committed; installing it would only roll the FSM back.
            touchContact();
            emit(new Output.Respond(replyTo, installResponse(true), null));
            return;
        }
        if (installingReplyTo >= 0) {
            emit(new Output.Respond(replyTo, installResponse(false), "snapshot install already in progress"));
            return;
        }
        installingReplyTo = replyTo;
        emit(new Output.AcceptSnapshot(replyTo, req));
    }

    private InstallSnapshotResponse installResponse(boolean success) {
        // hashicorp answers InstallSnapshot without setting the protocol header.
        return new InstallSnapshotResponse(RpcHeader.ZERO, currentTerm, success);
    }

    private void onSnapshotInstalled(Input.SnapshotInstalled r) {
        if (r.replyTo() == installingReplyTo) {
            installingReplyTo = -1;
        }
        if (r.index() > commitIndex && logState.termAt(r.index()) == r.term()
                && logState.lastLogIndex() > r.index()) {
            // Raft §7: the snapshot describes a prefix of our log, so the entries after it are still valid — and may
            // be committed, counted by the leader from our own acknowledgement. Keep them; drop only the covered
            // prefix (hashicorp likewise keeps its log and only compacts it).
            logState.snapshotTaken(r.index(), r.term());
            if (!logState.logIsEmpty() && logState.firstIndex() <= r.index()) {
                long from = logState.firstIndex();
                long seq = logState.compactThrough(r.index());
                emit(new Output.CompactLog(seq, from, r.index()));
            }
            commitIndex = r.index();
            configurations = configurations.committedThrough(r.index());
        } else if (r.index() > commitIndex) {
            // The snapshot replaces the whole log: what followed it here conflicts with it (or there was nothing),
            // so none of it is committed and the leader resends what it needs.
            long from = logState.logIsEmpty() ? 0 : logState.firstIndex();
            long to = logState.lastLogIndex();
            long seq = logState.resetTo(r.index(), r.term());
            emit(new Output.ResetLog(seq, from, to));
            durableActions.invalidateAbove(r.index(), this);
            configurations = Configurations.of(r.configuration(), r.configurationIndex());
            commitIndex = r.index();
        }
        touchContact();
        emit(new Output.Respond(r.replyTo(), installResponse(true), null));
        releaseDurableActions();
    }

    private void onSnapshotInstallFailed(Input.SnapshotInstallFailed r) {
        if (r.replyTo() == installingReplyTo) {
            installingReplyTo = -1;
        }
        log.error("failed to install snapshot error={}", r.error());
        emit(new Output.Respond(r.replyTo(), installResponse(false), r.error()));
    }

    ServerAddress decodePeer(byte[] bytes) {
        return bytes == null ? ServerAddress.NONE : cfg.peerCodec().decodePeer(bytes);
    }

    void touchContact() {
        lastContact = now;
        everContacted = true;
    }

    // ------------------------------------------------------------------------------------------------------
    // Responses to our own RPCs

    private void onResponse(Input.ResponseReceived r) {
        if (candidate != null && r.response() instanceof RequestVoteResponse v) {
            long sentAt = candidate.answered(r.correlation());
            if (sentAt < 0) {
                return;
            }
            metrics.recordNanos("raft.candidate.electSelf", now - sentAt);
            if (v.term() > currentTerm) {
                log.debug("newer term discovered, fallback to follower term={}", v.term());
                becomeFollower();
                setTerm(v.term());
                return;
            }
            if (v.granted()) {
                candidate.granted();
                if (candidate.won()) {
                    becomeLeader();
                }
            }
        } else if (leader != null) {
            leader.onResponse(r);
        }
    }

    private void onRpcFailed(Input.RpcFailed r) {
        if (leader != null) {
            leader.onRpcFailed(r);
        } else if (candidate != null) {
            // A failed RequestVote is a refused vote.
            long sentAt = candidate.answered(r.correlation());
            if (sentAt >= 0) {
                metrics.recordNanos("raft.candidate.electSelf", now - sentAt);
            }
        }
    }

    /** A term in a response exceeded ours: adopt it and follow (hashicorp steps down and learns the term later). */
    void stepDownForTerm(long term) {
        becomeFollower();
        if (term > currentTerm) {
            setTerm(term);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Log

    /** Appends entries at the end of the log; returns the operation's sequence number. */
    long appendToLog(List<LogEntry> entries) {
        long[] terms = new long[entries.size()];
        for (int i = 0; i < terms.length; i++) {
            terms[i] = entries.get(i).term();
        }
        long seq = logState.append(entries.get(0).index(), terms);
        emit(new Output.AppendLog(seq, entries));
        return seq;
    }

    private void truncateLogFrom(long index) {
        long to = logState.lastLogIndex();
        long seq = logState.truncateFrom(index);
        emit(new Output.TruncateLog(seq, index, to));
        configurations = configurations.truncatedFrom(index);
        durableActions.invalidateAbove(index - 1, this);
    }

    /** hashicorp's processConfigurationLogEntry: a configuration entry takes effect when appended. */
    void processConfigurationEntry(LogEntry e) {
        try {
            if (e.type() == LogType.CONFIGURATION) {
                configurations = configurations.appended(ConfigurationCodec.decodeConfiguration(e.data()), e.index());
            } else if (e.type() == LogType.ADD_PEER_DEPRECATED || e.type() == LogType.REMOVE_PEER_DEPRECATED) {
                configurations = configurations.appended(ConfigurationCodec.decodePeers(e.data(), cfg.peerCodec()),
                        e.index());
            }
        } catch (CodecException ex) {
            // A leader wrote a configuration we cannot read: keep the one we have rather than guess.
            log.error("ignoring undecodable configuration entry index={} error={}", e.index(), ex.getMessage());
        }
    }

    private void onLogPersisted(long seq) {
        if (logState.persisted(seq)) {
            releaseDurableActions();
            if (leader != null) {
                leader.onLocalDurable(logState.durableIndex());
            }
        }
    }

    private void onLogPersistFailed(Input.LogPersistFailed r) {
        // The local log no longer matches what we told peers and clients; no safe way to continue.
        log.error("failed to write the log, shutting down seq={} error={}", r.seq(), r.error());
        if (leader != null) {
            leader.failInflight(new RaftException("failed to commit logs: " + r.error()));
        }
        emit(new Output.ShutdownRequested());
    }

    private void releaseDurableActions() {
        durableActions.release(logState.durableIndex(), this::emit);
    }

    /** Emits an output once the local log is durable through {@code index}. */
    void whenDurable(long index, Output output) {
        durableActions.add(index, output);
        releaseDurableActions();
    }

    void advanceCommitIndex(long newCommit, List<Output.CommittedRequest> requests) {
        commitIndex = newCommit;
        configurations = configurations.committedThrough(newCommit);
        emit(new Output.Commit(newCommit, requests));
    }

    private void onSnapshotTaken(long index, long term) {
        if (index <= logState.snapshotIndex() || index > logState.lastIndex()) {
            return;
        }
        logState.snapshotTaken(index, term);
        // hashicorp's compactLogs: keep TrailingLogs entries so slightly-behind followers avoid a snapshot.
        long lastLog = logState.lastLogIndex();
        if (logState.logIsEmpty() || lastLog <= cfg.trailingLogs()) {
            return;
        }
        long minLog = logState.firstIndex();
        long maxLog = Math.min(index, lastLog - cfg.trailingLogs());
        if (minLog > maxLog) {
            log.info("no logs to truncate");
            return;
        }
        long seq = logState.compactThrough(maxLog);
        emit(new Output.CompactLog(seq, minLog, maxLog));
    }

    // ------------------------------------------------------------------------------------------------------
    // Client requests

    private void onPropose(Input.Propose p) {
        if (leader == null) {
            p.proposals().forEach(x -> fail(x.requestId(), new NotLeaderException()));
            return;
        }
        leader.propose(p.proposals());
    }

    private void onBootstrap(Input.Bootstrap r) {
        if (state != RaftState.FOLLOWER || currentTerm > 0 || logState.lastIndex() > 0) {
            fail(r.requestId(), new CantBootstrapException());
            return;
        }
        setTerm(1);
        LogEntry entry = cfg.protocolVersion() < 3
                ? new LogEntry(1, 1, LogType.REMOVE_PEER_DEPRECATED,
                ConfigurationCodec.encodePeers(r.configuration(), cfg.peerCodec()))
                : new LogEntry(1, 1, LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(r.configuration()));
        appendToLog(List.of(entry));
        configurations = configurations.appended(r.configuration(), 1);
        whenDurable(1, new Output.Complete(r.requestId(), null));
    }

    private void onUserRestoreDone(Input.UserRestoreDone r) {
        if (leader != null && leader.isRestoring(r.requestId())) {
            leader.onUserRestoreDone(r);
            return;
        }
        // Leadership was lost while the runtime restored: the FSM may now hold state the cluster never agreed on.
        if (r.error() == null || r.fsmTouched()) {
            log.error("leadership lost during a user restore; the FSM no longer matches the log, shutting down");
            fail(r.requestId(), new LeadershipLostException());
            emit(new Output.ShutdownRequested());
        } else {
            fail(r.requestId(), new RaftException(r.error()));
        }
    }

    /** Replaces the log with a snapshot at {@code index} that the leader just restored. */
    void resetLogToSnapshot(long index, long term) {
        long from = logState.logIsEmpty() ? 0 : logState.firstIndex();
        long to = logState.lastLogIndex();
        long seq = logState.resetTo(index, term);
        emit(new Output.ResetLog(seq, from, to));
        durableActions.invalidateAbove(index, this);
    }

    private void onShutdown() {
        RaftException shut = new RaftShutdownException();
        setState(RaftState.SHUTDOWN);
        if (leader != null) {
            Leader l = leader;
            leader = null;
            l.failQueuedChanges(shut);
            l.stepDown();
            emit(new Output.LeadershipChanged(false));
        }
        candidate = null;
        durableActions.failAll(shut, this);
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers shared with the role classes

    void emit(Output o) {
        out.accept(o);
    }

    void complete(long requestId, Object value) {
        emit(new Output.Complete(requestId, value));
    }

    void fail(long requestId, RaftException error) {
        emit(new Output.Fail(requestId, error));
    }

    long nextCorrelation() {
        return nextCorrelation++;
    }

    long now() {
        return now;
    }

    /** Outputs that must wait until the local log is durable through an index, released in order of arrival. */
    private static final class DurableActions {
        private final List<long[]> indexes = new ArrayList<>();
        private final List<Output> actions = new ArrayList<>();

        void add(long index, Output action) {
            indexes.add(new long[] {index});
            actions.add(action);
        }

        void release(long durableIndex, Consumer<Output> sink) {
            if (actions.isEmpty()) {
                return;
            }
            Iterator<long[]> ii = indexes.iterator();
            Iterator<Output> ai = actions.iterator();
            while (ii.hasNext()) {
                long[] idx = ii.next();
                Output a = ai.next();
                if (idx[0] <= durableIndex) {
                    ii.remove();
                    ai.remove();
                    sink.accept(a);
                }
            }
        }

        /**
         * The log above {@code index} was replaced: answers that vouched for it are no longer true. AppendEntries
         * answers become refusals; anything else fails.
         */
        void invalidateAbove(long index, Engine engine) {
            Iterator<long[]> ii = indexes.iterator();
            Iterator<Output> ai = actions.iterator();
            while (ii.hasNext()) {
                long[] idx = ii.next();
                Output a = ai.next();
                if (idx[0] > index) {
                    ii.remove();
                    ai.remove();
                    if (a instanceof Output.Respond r && r.response() instanceof AppendEntriesResponse resp) {
                        engine.emit(new Output.Respond(r.replyTo(), new AppendEntriesResponse(resp.header(),
                                engine.currentTerm, resp.lastLog(), false, false), null));
                    } else if (a instanceof Output.Complete c) {
                        engine.fail(c.requestId(), new RaftException("log truncated before the entry was stored"));
                    }
                }
            }
        }

        void failAll(RaftException error, Engine engine) {
            for (Output a : actions) {
                if (a instanceof Output.Complete c) {
                    engine.fail(c.requestId(), error);
                } else if (a instanceof Output.Respond r) {
                    engine.emit(new Output.Respond(r.replyTo(), null, error.getMessage()));
                }
            }
            indexes.clear();
            actions.clear();
        }
    }
}
