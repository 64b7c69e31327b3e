package io.flotilla.bench;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.codec.WireRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls the codec and engine benchmark methods outside JMH, so that a broken benchmark (a setup that no longer
 * elects a leader, a batch that stops committing) fails the build rather than a benchmark run. Nothing is timed.
 */
class MicroBenchmarksSmokeTest {
    @Test
    void codec_benchmarks_round_trip_the_request() throws Exception {
        CodecBenchmark b = new CodecBenchmark();
        b.entries = 64;
        b.payload = 100;
        b.setup();
        assertThat(b.encodeRequest()).isEqualTo(b.requestFrame);
        WireRequest decoded = b.decodeRequest();
        assertThat(decoded.message()).isEqualTo(b.request);
        for (int i = 0; i < 3; i++) {
            b.writeRequest();
            assertThat(b.readRequest()).hasValueSatisfying(r -> {
                assertThat(r.message()).isEqualTo(b.request);
                assertThat(((AppendEntriesRequest) r.message()).entryCount()).isEqualTo(64);
            });
            b.writeResponse();
            assertThat(b.readResponse().response()).contains(b.response);
        }
    }

    @Test
    void engine_benchmarks_commit_every_batch() {
        for (int batch : new int[] {1, 64}) {
            EngineBenchmark b = new EngineBenchmark();
            b.batch = batch;
            b.payload = 100;
            b.setup();
            long start = b.leader.commitIndex();
            // enough operations for the virtual clock to pass heartbeat and lease deadlines (20 µs each)
            for (int i = 0; i < 30_000; i++) {
                b.leaderCommitsBatch();
            }
            assertThat(b.leader.commitIndex()).isEqualTo(start + 30_000L * batch);
            assertThat(b.leader.state()).isEqualTo(io.flotilla.raft.RaftState.LEADER);
            for (int i = 0; i < 100; i++) {
                b.followerAppendsBatch();
            }
            assertThat(b.follower.lastIndex()).isEqualTo(1 + 100L * batch);
        }
    }
}
