package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.ConfigurationException;
import io.flotilla.raft.EnqueueTimeoutException;
import io.flotilla.raft.LeadershipLostException;
import io.flotilla.raft.LeadershipTransferInProgressException;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.NotLeaderException;
import io.flotilla.raft.PeerObservation;
import io.flotilla.raft.RaftException;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.internal.Backoff;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's state and rules (hashicorp's {@code runLeader}, {@code leaderLoop} and replication goroutines):
 * proposals and group commit, per-follower replication with probing, pipelining and snapshots, heartbeats, the
 * commit index, the lease, VerifyLeader rounds, membership changes and leadership transfer.
 */
final class Leader {
    private static final long FAILURE_WAIT = Duration.ofMillis(10).toNanos();
    private static final int MAX_FAILURE_SCALE = 12;
    private static final long MIN_CHECK_INTERVAL = Duration.ofMillis(10).toNanos();

    /** A proposal of this term waiting to commit; {@code requestId} is -1 for entries nobody waits on. */
    private record Inflight(long index, long requestId, long dispatchedAt) {
    }

    /** A leadership transfer in progress. */
    private static final class Transfer {
        final long requestId;
        final ServerId target;
        final ServerAddress address;
        final long deadline;
        long timeoutNowCorrelation = -1;

        Transfer(long requestId, ServerId target, ServerAddress address, long deadline) {
            this.requestId = requestId;
            this.target = target;
            this.address = address;
            this.deadline = deadline;
        }
    }

    private final Engine e;
    private final Commitment commitment;
    private final Map<ServerId, Progress> peers = new LinkedHashMap<>();
    private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
    private final ArrayDeque<Input.ChangeConfiguration> pendingChanges = new ArrayDeque<>();
    /** VerifyLeader rounds waiting for a quorum: {round, requestId, read index or -1 for a plain verify}. */
    private final ArrayDeque<long[]> pendingVerifies = new ArrayDeque<>();
    /** ReadIndex requests waiting for our first entry of the term to commit. */
    private final List<Long> readsAwaitingTermCommit = new ArrayList<>();
    private long verifyRound;
    private boolean verifyHeartbeatsNeeded;
    private long leaseDeadline;
    private Transfer transfer;
    private boolean removedSelf;
    /** The user restore in progress (its request id), or -1; proposals wait meanwhile, as in hashicorp. */
    private long restoreRequest = -1;
    private final List<Input.Proposal> deferredProposals = new ArrayList<>();

    Leader(Engine engine) {
        this.e = engine;
        long startIndex = engine.logState.lastIndex() + 1;
        // The start index is the rule that only entries of the current term commit by counting (Raft §5.4.2);
        // the injected bug drops it.
        this.commitment = new Commitment(engine.configurations.latest(),
                engine.faults.commitEarlierTermByCount() ? 0 : startIndex);
    }

    void start() {
        long now = e.now();
        startStopReplication();
        dispatch(LogType.NOOP, null, null, -1);
        leaseDeadline = now + e.cfg.leaderLeaseTimeout();
        // Our own durable entries count at once (they matter when entries of earlier terms may commit).
        commitment.match(e.cfg.localId(), e.logState.durableIndex());
        replicateAll();
    }

    boolean transferInProgress() {
        return transfer != null;
    }

    // ------------------------------------------------------------------------------------------------------
    // Proposals

    void propose(List<Input.Proposal> proposals) {
        if (transfer != null) {
            proposals.forEach(p -> e.fail(p.requestId(), new LeadershipTransferInProgressException()));
            return;
        }
        if (removedSelf) {
            proposals.forEach(p -> e.fail(p.requestId(), new NotLeaderException()));
            return;
        }
        if (restoreRequest >= 0) {
            deferredProposals.addAll(proposals);
            return;
        }
        long started = System.nanoTime();
        long now = e.now();
        long term = e.currentTerm;
        long index = e.logState.lastIndex();
        List<LogEntry> entries = new ArrayList<>(proposals.size());
        for (Input.Proposal p : proposals) {
            index++;
            entries.add(new LogEntry(index, term, p.type(), p.data(), p.extensions()));
            inflight.addLast(new Inflight(index, p.requestId(), now));
        }
        e.appendToLog(entries);
        e.metrics.gauge("raft.leader.dispatchNumLogs", entries.size());
        e.metrics.recordNanos("raft.leader.dispatchLog", System.nanoTime() - started);
        replicateAll();
    }

    /** Appends one entry made by the leader itself; returns its index. */
    private long dispatch(LogType type, byte[] data, byte[] extensions, long requestId) {
        long index = e.logState.lastIndex() + 1;
        e.appendToLog(List.of(new LogEntry(index, e.currentTerm, type, data, extensions)));
        inflight.addLast(new Inflight(index, requestId, e.now()));
        return index;
    }

    /** The local log became durable through {@code durableIndex}: we count toward commitment for it. */
    void onLocalDurable(long durableIndex) {
        if (commitment.match(e.cfg.localId(), durableIndex)) {
            onCommitAdvanced();
        }
    }

    private void onCommitAdvanced() {
        long newCommit = commitment.commitIndex();
        long oldCommit = e.commitIndex;
        if (newCommit <= oldCommit) {
            return;
        }
        long now = e.now();
        List<Output.CommittedRequest> committed = new ArrayList<>();
        int groupSize = 0;
        while (!inflight.isEmpty() && inflight.peekFirst().index() <= newCommit) {
            Inflight f = inflight.pollFirst();
            groupSize++;
            e.metrics.recordNanos("raft.commitTime", now - f.dispatchedAt());
            if (f.requestId() >= 0) {
                committed.add(new Output.CommittedRequest(f.index(), f.requestId()));
            }
        }
        long latestIndex = e.configurations.latestIndex();
        boolean configurationCommitted = latestIndex > oldCommit && latestIndex <= newCommit;
        e.advanceCommitIndex(newCommit, committed);
        e.metrics.gauge("raft.commitNumLogs", groupSize);
        if (configurationCommitted && !e.configurations.committed().hasVote(e.cfg.localId())) {
            removedSelf = true;
            if (e.cfg.shutdownOnRemove()) {
                e.log.info("removed ourself, shutting down");
                e.emit(new Output.ShutdownRequested());
            } else {
                e.log.info("removed ourself, transitioning to follower");
                e.becomeFollower();
            }
            return;
        }
        if (!readsAwaitingTermCommit.isEmpty() && e.commitIndex >= commitment.startIndex()) {
            List<Long> reads = new ArrayList<>(readsAwaitingTermCommit);
            readsAwaitingTermCommit.clear();
            reads.forEach(this::readIndex);
        }
        tryStartConfigurationChange();
        checkTransfer();
    }

    // ------------------------------------------------------------------------------------------------------
    // Replication

    private void startStopReplication() {
        long now = e.now();
        Configuration latest = e.configurations.latest();
        for (Server s : latest.servers()) {
            if (s.id().equals(e.cfg.localId())) {
                continue;
            }
            Progress p = peers.get(s.id());
            if (p == null) {
                p = new Progress(s, e.logState.lastIndex() + 1, now);
                peers.put(s.id(), p);
                e.log.info("added peer, starting replication peer={}", s.id());
                e.emit(new Output.Observe(new PeerObservation(false, s)));
            } else {
                p.server = s;
            }
        }
        for (Iterator<Progress> it = peers.values().iterator(); it.hasNext(); ) {
            Progress p = it.next();
            if (latest.server(p.id()).isEmpty()) {
                it.remove();
                e.log.info("removed peer, stopping replication peer={}", p.id());
                e.emit(new Output.Observe(new PeerObservation(true, p.server)));
            }
        }
    }

    private void replicateAll() {
        for (Progress p : peers.values()) {
            replicate(p);
        }
    }

    /** Sends whatever this follower can take now: entries, a commit-index push, or a snapshot. */
    private void replicate(Progress p) {
        long now = e.now();
        if (now < p.retryAt) {
            return;
        }
        long last = e.logState.lastIndex();
        switch (p.mode) {
            case SNAPSHOT -> {
                if (p.snapshotCorrelation < 0) {
                    sendSnapshot(p);
                }
            }
            case PROBE -> {
                if (p.outstanding.isEmpty() && (p.nextIndex <= last || now >= p.commitPushAt)) {
                    sendAppend(p, p.nextIndex, false);
                }
            }
            case PIPELINE -> {
                boolean sent = false;
                while (p.mode == Progress.Mode.PIPELINE && p.outstanding.size() < e.cfg.maxInflight()
                        && p.sentThrough < last) {
                    if (!sendAppend(p, p.sentThrough + 1, true)) {
                        return;
                    }
                    sent = true;
                }
                if (!sent && p.mode == Progress.Mode.PIPELINE && now >= p.commitPushAt
                        && p.outstanding.size() < e.cfg.maxInflight()) {
                    // Nothing new, but followers learn the commit index only from AppendEntries (heartbeats
                    // never carry it), so push it every CommitTimeout.
                    sendAppend(p, p.sentThrough + 1, true);
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /** Sends AppendEntries starting at {@code from}; returns false if the follower needs a snapshot instead. */
    private boolean sendAppend(Progress p, long from, boolean pipelined) {
        LogState ls = e.logState;
        long prev = from - 1;
        long prevTerm = ls.termAt(prev);
        long last = ls.lastIndex();
        if (prevTerm < 0 || (from <= last && !ls.hasEntry(from))) {
            toSnapshot(p);
            return false;
        }
        long to = from <= last ? Math.min(last, from + e.cfg.maxAppendEntries() - 1) : prev;
        long now = e.now();
        long correlation = e.nextCorrelation();
        AppendEntriesRequest template = new AppendEntriesRequest(e.header, e.currentTerm, e.localPeerBytes, prev,
                prevTerm, List.of(), e.commitIndex);
        p.outstanding.put(correlation, new Progress.Sent(prev, to, verifyRound, now));
        if (pipelined) {
            p.sentThrough = Math.max(p.sentThrough, to);
        }
        p.commitPushAt = now + e.randomTimeout(e.cfg.commitTimeout());
        e.emit(new Output.SendEntries(p.server, correlation, template, from, to, pipelined));
        return true;
    }

    private void toSnapshot(Progress p) {
        p.mode = Progress.Mode.SNAPSHOT;
        p.outstanding.clear();
        if (e.now() >= p.retryAt && p.snapshotCorrelation < 0) {
            sendSnapshot(p);
        }
    }

    private void sendSnapshot(Progress p) {
        long correlation = e.nextCorrelation();
        p.snapshotCorrelation = correlation;
        p.snapshotRound = verifyRound;
        p.snapshotSentAt = e.now();
        e.emit(new Output.SendSnapshot(p.server, correlation, e.currentTerm, e.localPeerBytes));
    }

    private void sendHeartbeat(Progress p) {
        long correlation = e.nextCorrelation();
        long now = e.now();
        p.heartbeats.put(correlation, verifyRound);
        p.heartbeatSentAt.put(correlation, now);
        p.nextHeartbeatAt = now + e.randomTimeout(e.cfg.heartbeatTimeout() / 10);
        e.emit(new Output.Send(p.server, correlation,
                AppendEntriesRequest.heartbeat(e.header, e.currentTerm, e.localPeerBytes), true));
    }

    void onResponse(Input.ResponseReceived r) {
        Progress p = peers.get(r.peer());
        if (p == null) {
            return;
        }
        long now = e.now();
        if (transfer != null && r.correlation() == transfer.timeoutNowCorrelation) {
            if (r.response() instanceof TimeoutNowResponse) {
                e.log.info("leadership transfer: TimeoutNow sent target={}", transfer.target);
                e.complete(transfer.requestId, null);
                transfer = null;
            }
            return;
        }
        if (!(r.response() instanceof AppendEntriesResponse resp)) {
            return;
        }
        Long heartbeatRound = p.heartbeats.remove(r.correlation());
        if (heartbeatRound != null) {
            Long sentAt = p.heartbeatSentAt.remove(r.correlation());
            if (resp.term() > e.currentTerm) {
                e.stepDownForTerm(resp.term());
                return;
            }
            if (resp.success()) {
                p.lastContact = now;
                p.heartbeatFailures = 0;
                if (sentAt != null) {
                    e.metrics.recordNanos(p.metricHeartbeat, now - sentAt);
                }
                acknowledge(p, heartbeatRound);
            }
            return;
        }
        Progress.Sent sent = p.outstanding.remove(r.correlation());
        if (sent == null) {
            return; // answer to a request we already gave up on
        }
        p.lastContact = now;
        e.metrics.recordNanos(p.metricAppendRpc, now - sent.sentAt());
        e.metrics.increment(p.metricAppendLogs,
                Math.max(0, sent.lastIndex() - sent.prevIndex()));
        if (resp.term() > e.currentTerm) {
            e.stepDownForTerm(resp.term());
            return;
        }
        if (resp.success()) {
            p.failures = 0;
            p.retryAt = Long.MIN_VALUE;
            p.nextIndex = Math.max(p.nextIndex, sent.lastIndex() + 1);
            if (p.mode == Progress.Mode.PROBE) {
                p.mode = Progress.Mode.PIPELINE;
                p.sentThrough = Math.max(p.sentThrough, p.nextIndex - 1);
            }
            if (sent.lastIndex() > p.matchIndex) {
                p.matchIndex = sent.lastIndex();
                if (commitment.match(p.id(), p.matchIndex)) {
                    onCommitAdvanced();
                    if (e.leader != this) {
                        return;
                    }
                }
            }
            acknowledge(p, sent.verifyRound());
            checkTransfer();
        } else {
            p.nextIndex = Math.max(1, Math.max(p.matchIndex + 1, Math.min(sent.prevIndex(), resp.lastLog() + 1)));
            p.resetToProbe();
            if (resp.noRetryBackoff()) {
                p.failures = 0;
            } else {
                backOff(p);
            }
            e.log.warn("appendEntries rejected, sending older logs peer={} next={}", p.id(), p.nextIndex);
        }
        replicate(p);
    }

    void onRpcFailed(Input.RpcFailed r) {
        Progress p = peers.get(r.peer());
        if (p == null) {
            return;
        }
        long now = e.now();
        if (transfer != null && r.correlation() == transfer.timeoutNowCorrelation) {
            e.fail(transfer.requestId, new RaftException(
                    "failed to make TimeoutNow RPC to " + transfer.target.value() + ": " + r.error()));
            transfer = null;
            return;
        }
        if (p.heartbeats.remove(r.correlation()) != null) {
            p.heartbeatSentAt.remove(r.correlation());
            p.heartbeatFailures++;
            e.log.error("failed to heartbeat to peer={} error={}", p.server.address(), r.error());
            p.nextHeartbeatAt = now + Backoff.backoff(Duration.ofNanos(FAILURE_WAIT), p.heartbeatFailures,
                    MAX_FAILURE_SCALE).toNanos();
            return;
        }
        if (r.correlation() == p.snapshotCorrelation) {
            p.snapshotCorrelation = -1;
            e.log.error("failed to send snapshot to peer={} error={}", p.id(), r.error());
            backOff(p);
            p.resetToProbe();
            return;
        }
        if (p.outstanding.remove(r.correlation()) == null) {
            return;
        }
        if (r.kind() == Input.FailureKind.ENTRIES_UNAVAILABLE) {
            toSnapshot(p);
            return;
        }
        e.log.error("failed to appendEntries to peer={} error={}", p.server.address(), r.error());
        backOff(p);
        p.resetToProbe();
    }

    void onSnapshotSent(Input.SnapshotSent r) {
        Progress p = peers.get(r.peer());
        if (p == null || r.correlation() != p.snapshotCorrelation) {
            return;
        }
        long now = e.now();
        p.snapshotCorrelation = -1;
        p.lastContact = now;
        e.metrics.recordNanos(p.metricInstallSnapshot, now - p.snapshotSentAt);
        if (r.term() > e.currentTerm) {
            e.stepDownForTerm(r.term());
            return;
        }
        p.mode = Progress.Mode.PROBE;
        if (r.success()) {
            p.failures = 0;
            p.retryAt = Long.MIN_VALUE;
            p.nextIndex = r.snapshotIndex() + 1;
            p.resetToProbe();
            if (r.snapshotIndex() > p.matchIndex) {
                p.matchIndex = r.snapshotIndex();
                if (commitment.match(p.id(), p.matchIndex)) {
                    onCommitAdvanced();
                    if (e.leader != this) {
                        return;
                    }
                }
            }
            acknowledge(p, p.snapshotRound);
            checkTransfer();
        } else {
            e.log.warn("installSnapshot rejected to peer={}", p.id());
            backOff(p);
            p.resetToProbe();
        }
        replicate(p);
    }

    private void backOff(Progress p) {
        p.failures++;
        p.retryAt = e.now() + Backoff.backoff(Duration.ofNanos(FAILURE_WAIT), p.failures, MAX_FAILURE_SCALE).toNanos();
    }

    // ------------------------------------------------------------------------------------------------------
    // Time

    void onTick() {
        long now = e.now();
        if (now >= leaseDeadline) {
            checkLeaderLease();
            if (e.leader != this) {
                return;
            }
        }
        if (transfer != null && transfer.timeoutNowCorrelation < 0 && now >= transfer.deadline) {
            e.log.warn("leadership transfer timeout target={}", transfer.target);
            e.fail(transfer.requestId, new RaftException("leadership transfer timeout"));
            transfer = null;
        }
        expireQueuedChanges(now);
        for (Progress p : peers.values()) {
            if (p.heartbeats.isEmpty() && now >= p.nextHeartbeatAt) {
                sendHeartbeat(p);
            }
            replicate(p);
        }
    }

    long nextDeadline() {
        long now = e.now();
        long last = e.logState.lastIndex();
        long next = leaseDeadline;
        if (transfer != null && transfer.timeoutNowCorrelation < 0) {
            next = Math.min(next, transfer.deadline);
        }
        for (Input.ChangeConfiguration c : pendingChanges) {
            // It expires once the clock is past enqueueBefore: wake then, not at the instant itself (which would
            // ask for a tick that changes nothing, again and again, under a clock that has not moved).
            next = Math.min(next, c.enqueueBefore() == Long.MAX_VALUE ? Long.MAX_VALUE : c.enqueueBefore() + 1);
        }
        for (Progress p : peers.values()) {
            if (p.heartbeats.isEmpty()) {
                next = Math.min(next, p.nextHeartbeatAt);
            }
            next = Math.min(next, p.replicationWake(now, last, e.cfg.maxInflight()));
        }
        return next;
    }

    /** Work deferred to the end of a step so that many requests in one step share it. */
    void afterStep() {
        if (verifyHeartbeatsNeeded) {
            verifyHeartbeatsNeeded = false;
            for (Progress p : peers.values()) {
                sendHeartbeat(p);
            }
        }
    }

    private void checkLeaderLease() {
        long now = e.now();
        long lease = e.cfg.leaderLeaseTimeout();
        int contacted = 0;
        long maxDiff = 0;
        Configuration latest = e.configurations.latest();
        for (Server s : latest.servers()) {
            if (!s.isVoter()) {
                continue;
            }
            if (s.id().equals(e.cfg.localId())) {
                contacted++;
                continue;
            }
            Progress p = peers.get(s.id());
            if (p == null) {
                continue;
            }
            long diff = now - p.lastContact;
            if (diff <= lease) {
                contacted++;
                maxDiff = Math.max(maxDiff, diff);
            } else if (diff <= 3 * lease) {
                e.log.warn("failed to contact peer={} time={}ms", s.id(), diff / 1_000_000);
            } else {
                e.log.debug("failed to contact peer={} time={}ms", s.id(), diff / 1_000_000);
            }
            e.metrics.gauge("raft.leader.lastContact", diff / 1_000_000.0);
        }
        if (contacted < latest.quorumSize()) {
            e.log.warn("failed to contact quorum of nodes, stepping down");
            e.metrics.increment("raft.transition.leader_lease_timeout");
            e.becomeFollower();
            return;
        }
        leaseDeadline = now + Math.max(lease - maxDiff, MIN_CHECK_INTERVAL);
    }

    // ------------------------------------------------------------------------------------------------------
    // VerifyLeader

    void verify(long requestId) {
        startVerify(requestId, -1);
    }

    private void startVerify(long requestId, long readIndex) {
        Configuration latest = e.configurations.latest();
        if (latest.quorumSize() <= 1 && latest.hasVote(e.cfg.localId())) {
            e.complete(requestId, readIndex < 0 ? null : readIndex);
            return;
        }
        verifyRound++;
        pendingVerifies.addLast(new long[] {verifyRound, requestId, readIndex});
        verifyHeartbeatsNeeded = true;
    }

    /**
     * ReadIndex: a new leader's commit index may lag the cluster's until an entry of its own term commits, so
     * reads wait for that; then the commit index is the read index, confirmed by a heartbeat round.
     */
    void readIndex(long requestId) {
        if (e.commitIndex < commitment.startIndex()) {
            readsAwaitingTermCommit.add(requestId);
            return;
        }
        startVerify(requestId, e.commitIndex);
    }

    /**
     * A follower answered a message sent after VerifyLeader round {@code round} started. Only voters count
     * (hashicorp also counts non-voters, so a leader could "verify" with no voter's support).
     */
    private void acknowledge(Progress p, long round) {
        if (round > p.ackedRound) {
            p.ackedRound = round;
        }
        if (pendingVerifies.isEmpty()) {
            return;
        }
        Configuration latest = e.configurations.latest();
        int quorum = latest.quorumSize();
        for (Iterator<long[]> it = pendingVerifies.iterator(); it.hasNext(); ) {
            long[] v = it.next();
            int votes = latest.hasVote(e.cfg.localId()) ? 1 : 0;
            for (Server s : latest.servers()) {
                Progress q = s.isVoter() ? peers.get(s.id()) : null;
                if (q != null && q.ackedRound >= v[0]) {
                    votes++;
                }
            }
            if (votes >= quorum) {
                it.remove();
                e.complete(v[1], v[2] < 0 ? null : v[2]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Membership

    void changeConfiguration(Input.ChangeConfiguration c) {
        if (transfer != null) {
            e.fail(c.requestId(), new LeadershipTransferInProgressException());
            return;
        }
        pendingChanges.addLast(c);
        tryStartConfigurationChange();
    }

    /** hashicorp's configurationChangeChIfStable: one uncommitted configuration at a time, after our no-op. */
    private boolean stable() {
        return e.configurations.isStable() && e.commitIndex >= commitment.startIndex() && restoreRequest < 0;
    }

    private void expireQueuedChanges(long now) {
        for (Iterator<Input.ChangeConfiguration> it = pendingChanges.iterator(); it.hasNext(); ) {
            Input.ChangeConfiguration c = it.next();
            if (now > c.enqueueBefore()) {
                it.remove();
                e.fail(c.requestId(), new EnqueueTimeoutException());
            }
        }
    }

    private void tryStartConfigurationChange() {
        expireQueuedChanges(e.now());
        while (!pendingChanges.isEmpty() && stable() && !removedSelf && e.leader == this) {
            Input.ChangeConfiguration c = pendingChanges.pollFirst();
            if (transfer != null) {
                e.fail(c.requestId(), new LeadershipTransferInProgressException());
                continue;
            }
            Configurations cs = e.configurations;
            Configuration next;
            try {
                next = cs.latest().next(cs.latestIndex(), c.change());
            } catch (ConfigurationException ex) {
                e.fail(c.requestId(), ex);
                continue;
            }
            e.log.info("updating configuration command={} server-id={} server-addr={} servers={}",
                    c.change().command(), c.change().serverId(), c.change().address(), next);
            long index;
            if (e.cfg.protocolVersion() < 2) {
                index = dispatch(LogType.REMOVE_PEER_DEPRECATED, ConfigurationCodec.encodePeers(next, e.cfg.peerCodec()),
                        null, c.requestId());
            } else {
                index = dispatch(LogType.CONFIGURATION, ConfigurationCodec.encodeConfiguration(next), null,
                        c.requestId());
            }
            e.configurations = cs.appended(next, index);
            startStopReplication();
            if (commitment.setConfiguration(next)) {
                onCommitAdvanced();
                if (e.leader != this) {
                    return;
                }
            }
            replicateAll();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // User restore (hashicorp's restoreUserSnapshot)

    boolean isRestoring(long requestId) {
        return restoreRequest == requestId;
    }

    void userRestore(Input.UserRestore r) {
        if (transfer != null) {
            e.fail(r.requestId(), new LeadershipTransferInProgressException());
            return;
        }
        if (restoreRequest >= 0) {
            e.fail(r.requestId(), new RaftException("a restore is already in progress"));
            return;
        }
        if (r.version() < io.flotilla.raft.SnapshotVersion.MIN || r.version() > io.flotilla.raft.SnapshotVersion.MAX) {
            e.fail(r.requestId(), new RaftException("unsupported snapshot version " + r.version()));
            return;
        }
        Configurations cs = e.configurations;
        if (!cs.isStable()) {
            e.fail(r.requestId(), new RaftException("cannot restore snapshot now, wait until the configuration entry at "
                    + cs.latestIndex() + " has been applied (have applied " + cs.committedIndex() + ")"));
            return;
        }
        RaftException aborted = new io.flotilla.raft.AbortedByRestoreException();
        for (Inflight f : inflight) {
            if (f.requestId() >= 0) {
                e.fail(f.requestId(), aborted);
            }
        }
        inflight.clear();
        // The restored state takes an index above everything, burning one: followers find a hole in our log and
        // get the new snapshot.
        long index = Math.max(e.logState.lastIndex(), r.index()) + 1;
        restoreRequest = r.requestId();
        e.emit(new Output.RestoreUserSnapshot(r.requestId(), r.version(), index, e.currentTerm, cs.latest(),
                cs.latestIndex()));
        restoreIndex = index;
    }

    private long restoreIndex;

    void onUserRestoreDone(Input.UserRestoreDone r) {
        restoreRequest = -1;
        if (r.error() != null) {
            e.fail(r.requestId(), new RaftException(r.error()));
            if (r.fsmTouched()) {
                e.log.error("user restore failed after the FSM was touched; shutting down error={}", r.error());
                e.emit(new Output.ShutdownRequested());
                return;
            }
        } else {
            e.resetLogToSnapshot(restoreIndex, e.currentTerm);
            e.log.info("restored user snapshot index={}", restoreIndex);
            // The restore completes once a no-op after it commits, as hashicorp's Restore waits for one.
            dispatch(LogType.NOOP, null, null, r.requestId());
            for (Progress p : peers.values()) {
                p.nextIndex = Math.min(p.nextIndex, restoreIndex);
                p.resetToProbe();
            }
            replicateAll();
        }
        if (!deferredProposals.isEmpty()) {
            List<Input.Proposal> waiting = new ArrayList<>(deferredProposals);
            deferredProposals.clear();
            propose(waiting);
        }
        tryStartConfigurationChange();
    }

    // ------------------------------------------------------------------------------------------------------
    // Leadership transfer

    void transferLeadership(Input.TransferLeadership r) {
        if (transfer != null || restoreRequest >= 0) {
            e.fail(r.requestId(), new LeadershipTransferInProgressException());
            return;
        }
        Progress target;
        ServerAddress address;
        if (r.targetId().isPresent()) {
            ServerId id = r.targetId().get();
            target = peers.get(id);
            if (target == null) {
                e.fail(r.requestId(), new RaftException("cannot find replication state for " + id.value()));
                return;
            }
            if (!target.server.isVoter()) {
                // hashicorp would hand leadership to a non-voter, which could then win; we never do.
                e.fail(r.requestId(), new RaftException("cannot transfer leadership to non-voter " + id.value()));
                return;
            }
            address = r.address().orElse(target.server.address());
        } else {
            target = pickServer();
            if (target == null) {
                e.fail(r.requestId(), new RaftException("cannot find peer"));
                return;
            }
            address = target.server.address();
        }
        e.log.info("starting leadership transfer id={} address={}", target.id(), address);
        transfer = new Transfer(r.requestId(), target.id(), address, e.now() + e.cfg.electionTimeout());
        checkTransfer();
    }

    /** The most up-to-date voter other than us (hashicorp's pickServer, restricted to voters). */
    private Progress pickServer() {
        Progress best = null;
        for (Server s : e.configurations.latest().servers()) {
            Progress p = s.isVoter() ? peers.get(s.id()) : null;
            if (p != null && (best == null || p.matchIndex > best.matchIndex)) {
                best = p;
            }
        }
        return best;
    }

    private void checkTransfer() {
        if (transfer == null || transfer.timeoutNowCorrelation >= 0) {
            return;
        }
        Progress p = peers.get(transfer.target);
        if (p == null) {
            e.fail(transfer.requestId, new RaftException("cannot find replication state for " + transfer.target.value()));
            transfer = null;
            return;
        }
        if (p.matchIndex >= e.logState.lastIndex()) {
            long correlation = e.nextCorrelation();
            transfer.timeoutNowCorrelation = correlation;
            Server target = new Server(p.server.suffrage(), p.id(), transfer.address);
            e.emit(new Output.Send(target, correlation, new TimeoutNowRequest(e.header), false));
        } else {
            replicate(p);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Leaving office

    /** Fails what was waiting on this leadership; called once, when the node stops leading. */
    void stepDown() {
        RaftException lost = new LeadershipLostException();
        for (Inflight f : inflight) {
            if (f.requestId() >= 0) {
                e.fail(f.requestId(), lost);
            }
        }
        inflight.clear();
        for (long[] v : pendingVerifies) {
            e.fail(v[1], lost);
        }
        pendingVerifies.clear();
        for (long id : readsAwaitingTermCommit) {
            e.fail(id, lost);
        }
        readsAwaitingTermCommit.clear();
        for (Input.ChangeConfiguration c : pendingChanges) {
            e.fail(c.requestId(), new NotLeaderException());
        }
        pendingChanges.clear();
        for (Input.Proposal p : deferredProposals) {
            e.fail(p.requestId(), new NotLeaderException());
        }
        deferredProposals.clear();
        if (transfer != null) {
            // hashicorp: losing leadership during a transfer is the expected outcome.
            e.complete(transfer.requestId, null);
            transfer = null;
        }
    }

    /**
     * Fails the membership changes not yet started: in hashicorp their callers are still blocked handing them to
     * the leader loop, and a shutdown answers them with {@code ErrRaftShutdown}.
     */
    void failQueuedChanges(RaftException error) {
        for (Input.ChangeConfiguration c : pendingChanges) {
            e.fail(c.requestId(), error);
        }
        pendingChanges.clear();
    }

    /** The local log write failed: every waiting proposal fails with that error. */
    void failInflight(RaftException error) {
        for (Inflight f : inflight) {
            if (f.requestId() >= 0) {
                e.fail(f.requestId(), error);
            }
        }
        inflight.clear();
    }

    /** For tests and the simulator: the progress of a follower. */
    Progress progress(ServerId id) {
        return peers.get(id);
    }
}
