package io.flotilla.bench;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.engine.Configurations;
import io.flotilla.raft.engine.Engine;
import io.flotilla.raft.engine.EngineConfig;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.engine.RestoredState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The engine alone on the replication hot path, without threads or I/O: one operation is a batch of {@code batch}
 * client entries going all the way to commit. Outputs are counted, not executed, so this is the engine's own cost
 * per batch, the part of the event loop that no amount of I/O tuning removes.
 *
 * <ul>
 *   <li>{@link #leaderCommitsBatch}: a leader of three voters (hashicorp's default timings) gets {@code Propose} with
 *       the batch, then {@code LogPersisted} for its own write, then each follower's successful
 *       {@code AppendEntriesResponse} to the pipelined {@code SendEntries} it emitted, which commits the batch.</li>
 *   <li>{@link #followerAppendsBatch}: a follower gets an AppendEntries carrying the batch (the leader commit index
 *       one batch behind, as in steady pipelining), then {@code LogPersisted}, which releases its response. The
 *       request and its entries are built inside the operation, as the decoder builds them for every request.</li>
 * </ul>
 *
 * <p>A virtual clock advances 20 µs per operation and the benchmark delivers {@code Tick} whenever the engine asks
 * for it, answering heartbeats, as the runtime would; otherwise time would stand still and leader lease checks
 * would never run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EngineBenchmark {
    private static final long MS = 1_000_000L;
    private static final long STEP_NANOS = 20_000;
    private static final RpcHeader V3 = RpcHeader.V3;

    /** Client entries per operation (one group commit). */
    @Param({"1", "16", "64"})
    public int batch;

    /** Bytes of data per entry. */
    @Param({"100"})
    public int payload;

    long now = 1_000_000 * MS;
    Engine leader;
    Engine follower;
    Input.Propose propose;
    /** Each engine has its own sink: log sequence numbers are per engine. */
    final Sink sink = new Sink();
    final Sink followerSink = new Sink();
    byte[] leaderPeer;
    long followerReplyId;
    long followerTerm;
    LogEntry[] template;

    /**
     * Counts outputs and keeps just what the benchmark must answer: the highest log sequence to acknowledge, and the
     * AppendEntries sent to followers.
     */
    static final class Sink implements Consumer<Output> {
        long outputs;
        long committed;
        long maxSeq;
        final List<Output.SendEntries> sends = new ArrayList<>();
        final List<Output.Send> heartbeats = new ArrayList<>();
        final List<Output.Send> votes = new ArrayList<>();

        @Override
        public void accept(Output o) {
            outputs++;
            if (o instanceof Output.LogOperation op) {
                maxSeq = Math.max(maxSeq, op.seq());
            } else if (o instanceof Output.SendEntries s) {
                sends.add(s);
            } else if (o instanceof Output.Commit c) {
                committed += c.requests().size();
            } else if (o instanceof Output.Send s) {
                if (s.heartbeat()) {
                    heartbeats.add(s);
                } else if (s.request() instanceof RequestVoteRequest) {
                    votes.add(s);
                }
            }
        }
    }

    /** Elects the leader, brings its followers into pipeline mode, and prepares the follower engine. */
    @Setup(Level.Trial)
    public void setup() {
        Configuration conf = new Configuration(List.of(Server.voter("node0", "node0addr"),
                Server.voter("node1", "node1addr"), Server.voter("node2", "node2addr")));
        leader = engine("node0", conf);
        // Follower timeout is randomized in [T, 2T): past 2T it has surely fired.
        now += 2 * 1000 * MS + 1;
        leader.step(Input.Tick.INSTANCE, sink);
        if (leader.state() != RaftState.CANDIDATE) {
            throw new IllegalStateException("no election started: " + leader.state());
        }
        for (Output.Send v : List.copyOf(sink.votes)) {
            RequestVoteRequest req = (RequestVoteRequest) v.request();
            leader.step(new Input.ResponseReceived(v.peer().id(), v.correlation(),
                    new RequestVoteResponse(V3, req.term(), null, true)), sink);
        }
        sink.votes.clear();
        if (leader.state() != RaftState.LEADER) {
            throw new IllegalStateException("not elected: " + leader.state());
        }
        // Settle: the no-op is durable and acknowledged, so every follower is in pipeline mode.
        for (int i = 0; i < 10 && (!sink.sends.isEmpty() || leader.commitIndex() < leader.lastIndex()); i++) {
            persistAndAnswer();
        }
        if (leader.commitIndex() != leader.lastIndex()) {
            throw new IllegalStateException("leader did not settle: commit " + leader.commitIndex() + " last "
                    + leader.lastIndex());
        }
        List<Input.Proposal> proposals = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            // Request ids repeat from one operation to the next; the engine only hands them back.
            proposals.add(new Input.Proposal(i, LogType.COMMAND, BenchPayload.entry(i, payload), null));
        }
        propose = new Input.Propose(proposals);

        follower = engine("node1", conf);
        leaderPeer = PeerCodec.ADDRESS.encodePeer(ServerId.of("node0"), ServerAddress.of("node0addr"));
        followerTerm = 2;
        template = new LogEntry[batch];
        for (int i = 0; i < batch; i++) {
            template[i] = new LogEntry(0, followerTerm, LogType.COMMAND, BenchPayload.entry(i, payload));
        }
    }

    private Engine engine(String id, Configuration conf) {
        EngineConfig cfg = new EngineConfig(ServerId.of(id), ServerAddress.of(id + "addr"), PeerCodec.ADDRESS, 3,
                Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(1).toNanos(), Duration.ofMillis(50).toNanos(),
                Duration.ofMillis(500).toNanos(), 64, 10240, true, false, EngineConfig.DEFAULT_MAX_INFLIGHT);
        // Bootstrapped: term 1, the configuration at index 1, committed (as after Raft.bootstrapCluster).
        RestoredState restored = new RestoredState(1, 0, null, 0, 0, 1, 1, List.of(new long[] {1, 1}),
                Configurations.of(conf, 1));
        return new Engine(cfg, restored, () -> now, new Random(1), EngineMetrics.NOOP);
    }

    /** Acknowledges the leader's log writes, then answers every AppendEntries and heartbeat it sent with success. */
    private void persistAndAnswer() {
        leader.step(new Input.LogPersisted(sink.maxSeq), sink);
        answerSends();
    }

    private void answerSends() {
        List<Output.SendEntries> sends = List.copyOf(sink.sends);
        sink.sends.clear();
        for (Output.SendEntries s : sends) {
            long lastLog = Math.max(s.toIndex(), s.template().prevLogEntry());
            leader.step(new Input.ResponseReceived(s.peer().id(), s.correlation(),
                    new AppendEntriesResponse(V3, s.template().term(), lastLog, true, false)), sink);
        }
    }

    private void tickIfDue(Engine e) {
        if (e.nextDeadline() <= now) {
            e.step(Input.Tick.INSTANCE, sink);
            if (!sink.heartbeats.isEmpty()) {
                List<Output.Send> beats = List.copyOf(sink.heartbeats);
                sink.heartbeats.clear();
                for (Output.Send b : beats) {
                    e.step(new Input.ResponseReceived(b.peer().id(), b.correlation(),
                            new AppendEntriesResponse(V3, ((AppendEntriesRequest) b.request()).term(), 0, true,
                                    false)), sink);
                }
            }
        }
    }

    /** One batch through the leader: propose, own write durable, both followers acknowledge, committed. */
    @Benchmark
    public long leaderCommitsBatch() {
        now += STEP_NANOS;
        tickIfDue(leader);
        long before = sink.committed;
        leader.step(propose, sink);
        leader.step(new Input.LogPersisted(sink.maxSeq), sink);
        answerSends();
        if (sink.committed - before < batch) {
            throw new IllegalStateException("batch did not commit: " + (sink.committed - before) + " of " + batch);
        }
        return sink.outputs;
    }

    /** One batch through a follower: AppendEntries received, written, durable, answered. */
    @Benchmark
    public long followerAppendsBatch() {
        now += STEP_NANOS;
        long prev = follower.lastIndex();
        long prevTerm = prev == 1 ? 1 : followerTerm;
        List<LogEntry> entries = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            entries.add(template[i].at(prev + 1 + i, followerTerm));
        }
        AppendEntriesRequest req = new AppendEntriesRequest(V3, followerTerm, leaderPeer, prev, prevTerm, entries,
                prev);
        follower.step(new Input.RequestReceived(++followerReplyId, req), followerSink);
        follower.step(new Input.LogPersisted(followerSink.maxSeq), followerSink);
        followerSink.sends.clear(); // a follower sends nothing; keep the sink from growing if it ever did
        if (follower.lastIndex() != prev + batch) {
            throw new IllegalStateException("follower did not append: last " + follower.lastIndex() + ", wanted "
                    + (prev + batch));
        }
        return followerSink.outputs;
    }
}
