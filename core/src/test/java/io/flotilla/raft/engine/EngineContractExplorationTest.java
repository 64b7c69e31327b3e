package io.flotilla.raft.engine;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.ConfigurationChangeCommand;
import io.flotilla.raft.ConfigurationChangeRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static io.flotilla.raft.engine.EngineHarness.MS;
import static io.flotilla.raft.engine.EngineHarness.addr;
import static io.flotilla.raft.engine.EngineHarness.all;
import static io.flotilla.raft.engine.EngineHarness.heartbeat;
import static io.flotilla.raft.engine.EngineHarness.id;
import static io.flotilla.raft.engine.EngineHarness.member;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's contract with its runtime, explored over seeded random schedules of one node's inputs (peers answer,
 * refuse, fail or stay silent at random; clients propose, verify, change membership, transfer; snapshots are taken;
 * time passes). After every input: the engine did not throw, never asks to be woken for a moment it has already
 * handled with nothing to do (checked by {@link EngineHarness#runUntil}), its commit index and its {@code Commit}
 * outputs only grow, and as leader it never rewrites its log; after a final shutdown, every client
 * request has been answered, and none twice.
 */
@DisplayName("engine contract under random schedules: no exception, no timer spin, commit only grows, leaders only "
        + "append, every request answered exactly once by shutdown")
class EngineContractExplorationTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    @DisplayName("random schedule")
    void explore(long seed) {
        Random r = new Random(seed);
        EngineHarness h = member("s1", "s1", "s2", "s3").seed(seed).maxAppendEntries(3).maxInflight(4)
                .trailingLogs(2).build();
        long nextRequest = 1;
        long lastCommit = 0;
        int outputsChecked = 0;
        for (int step = 0; step < 1500; step++) {
            int action = r.nextInt(20);
            switch (action) {
                case 0, 1, 2 -> h.propose(nextRequest++);
                case 3, 4, 5, 6, 7, 8 -> {
                    for (int i = r.nextInt(4); i >= 0; i--) {
                        answerOne(h, r);
                    }
                }
                case 9 -> refuseOne(h, r);
                case 10 -> failOne(h, r);
                case 11, 12 -> h.persist();
                case 13, 14 -> h.runUntil(h.now + r.nextInt(150) * MS);
                case 15 -> h.step(new Input.VerifyLeader(nextRequest++));
                case 16 -> h.step(new Input.ChangeConfiguration(nextRequest++, new ConfigurationChangeRequest(
                        r.nextBoolean() ? ConfigurationChangeCommand.ADD_STAGING : ConfigurationChangeCommand.REMOVE_SERVER,
                        id("s4"), addr("s4"), 0), h.now + r.nextInt(500) * MS));
                case 17 -> {
                    if (r.nextInt(4) == 0) {
                        h.step(new Input.TransferLeadership(nextRequest++,
                                r.nextBoolean() ? Optional.empty() : Optional.of(id(r.nextBoolean() ? "s2" : "s3")),
                                Optional.empty()));
                    }
                }
                case 18 -> {
                    long c = h.engine.commitIndex();
                    LogEntry e = h.log.get(c);
                    if (e != null) {
                        h.step(new Input.SnapshotTaken(c, e.term()));
                    }
                }
                case 19 -> {
                    if (r.nextInt(10) == 0) {
                        h.receive(heartbeat(h.term() + 1, r.nextBoolean() ? "s2" : "s3"));
                    }
                }
                default -> throw new IllegalStateException();
            }
            assertThat(h.engine.commitIndex()).as("commit index at step %d", step).isGreaterThanOrEqualTo(lastCommit);
            lastCommit = h.engine.commitIndex();
            List<Output> fresh = h.outputs.subList(outputsChecked, h.outputs.size());
            for (Output.Commit c : all(fresh, Output.Commit.class)) {
                assertThat(c.commitIndex()).isLessThanOrEqualTo(lastCommit);
            }
            if (h.state() == RaftState.LEADER) {
                assertThat(all(fresh, Output.TruncateLog.class)).as("a leader truncating its log").isEmpty();
                assertThat(all(fresh, Output.ResetLog.class)).as("a leader resetting its log").isEmpty();
            }
            outputsChecked = h.outputs.size();
        }
        h.step(Input.Shutdown.INSTANCE);
        List<Long> answers = new ArrayList<>();
        answers.addAll(all(h.outputs, Output.Fail.class).stream().map(Output.Fail::requestId).toList());
        answers.addAll(EngineHarness.completedRequests(h.outputs));
        answers.addAll(EngineHarness.committedRequests(h.outputs));
        assertThat(answers).as("every client request is answered at most once").doesNotHaveDuplicates();
        for (long id = 1; id < nextRequest; id++) {
            assertThat(answers).as("after shutdown, every client request has been answered").contains(id);
        }
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.isEmpty() ? null : list.get(r.nextInt(list.size()));
    }

    private static void answerOne(EngineHarness h, Random r) {
        Output o = pick(new ArrayList<>(h.unanswered), r);
        if (o == null) {
            return;
        }
        if (o instanceof Output.SendEntries s) {
            h.ackEntries(s);
        } else if (o instanceof Output.SendSnapshot s) {
            long snapshotIndex = h.engine.status().snapshotIndex();
            if (snapshotIndex == 0) {
                h.failRpc(s, Input.FailureKind.NO_SNAPSHOT);
            } else {
                h.snapshotSent(s, snapshotIndex, s.term(), true);
            }
        } else if (o instanceof Output.Send s && s.request() instanceof AppendEntriesRequest) {
            h.ackHeartbeat(s);
        } else if (o instanceof Output.Send s && s.request() instanceof RequestVoteRequest) {
            if (r.nextInt(4) > 0) {
                h.grantVote(s);
            } else {
                h.denyVote(s, ((RequestVoteRequest) s.request()).term());
            }
        } else if (o instanceof Output.Send s && s.request() instanceof TimeoutNowRequest) {
            h.unanswered.remove(s);
            h.step(new Input.ResponseReceived(s.peer().id(), s.correlation(), new TimeoutNowResponse(RpcHeader.ZERO)));
        }
    }

    private static void refuseOne(EngineHarness h, Random r) {
        Output.SendEntries s = pick(h.unansweredEntries(), r);
        if (s != null) {
            long prev = s.template().prevLogEntry();
            h.rejectEntries(s, s.template().term(), prev == 0 ? 0 : r.nextLong(prev), r.nextBoolean());
        }
    }

    private static void failOne(EngineHarness h, Random r) {
        Output o = pick(new ArrayList<>(h.unanswered), r);
        if (o == null) {
            return;
        }
        Input.FailureKind kind = o instanceof Output.SendEntries && r.nextInt(3) == 0
                ? Input.FailureKind.ENTRIES_UNAVAILABLE : Input.FailureKind.TRANSPORT;
        h.failRpc(o, kind);
    }
}
