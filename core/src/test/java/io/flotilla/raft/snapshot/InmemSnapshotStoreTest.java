package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.SnapshotVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InmemSnapshotStoreTest {
    private static final int V = SnapshotVersion.MAX;
    private static final Configuration CONFIG = Configuration.of(Server.voter("my id", "over here"));

    private final TestClock clock = new TestClock(1000);
    private final InmemSnapshotStore store = new InmemSnapshotStore(clock);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String readAll(SnapshotStream stream) throws IOException {
        try (stream) {
            return new String(stream.data().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private SnapshotSink create(long index) {
        clock.advance(1);
        return store.create(V, index, 3, CONFIG, 2, PeerCodec.ADDRESS);
    }

    /** TestInmemSnapshotStoreImpl: an empty store lists nothing and opens nothing. */
    @Test
    void emptyStoreHasNoSnapshot() {
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.open("")).isInstanceOf(IOException.class)
                .hasMessage("[ERR] snapshot: failed to open snapshot id: ");
    }

    /** TestInmemSnapshotSinkImpl: a sink is an OutputStream that counts what it is given. */
    @Test
    void sinkCountsTheBytesWritten() throws IOException {
        SnapshotSink sink = store.create(V, 10, 3, CONFIG, 2, PeerCodec.ADDRESS);
        assertThat(sink.id()).isEqualTo("3-10-1000");
        sink.write('x');
        sink.write(ascii("abcdef"), 1, 3);
        assertThat(store.list()).extracting(SnapshotMeta::size).containsExactly(4L);
        sink.close();
        assertThat(readAll(store.open(sink.id()))).isEqualTo("xbcd");
    }

    /** TestInmemSS_CreateSnapshot. */
    @Test
    void createdSnapshotIsListedAtOnce() throws IOException {
        assertThat(store.list()).isEmpty();
        SnapshotSink sink = store.create(V, 10, 3, CONFIG, 2, PeerCodec.ADDRESS);
        assertThat(store.list()).as("listed before close, as in hashicorp").hasSize(1);

        sink.write(ascii("first\n"));
        sink.write(ascii("second\n"));
        sink.close();

        List<SnapshotMeta> list = store.list();
        assertThat(list).hasSize(1);
        SnapshotMeta latest = list.get(0);
        assertThat(latest.index()).isEqualTo(10);
        assertThat(latest.term()).isEqualTo(3);
        assertThat(latest.configuration()).isEqualTo(CONFIG);
        assertThat(latest.configurationIndex()).isEqualTo(2);
        assertThat(latest.size()).isEqualTo(13);
        assertThat(latest.peers()).isEqualTo(LegacyPeers.encode(CONFIG, PeerCodec.ADDRESS));
        assertThat(readAll(store.open(latest.id()))).isEqualTo("first\nsecond\n");
    }

    /** TestInmemSS_OpenSnapshotTwice. */
    @Test
    void snapshotCanBeOpenedTwice() throws IOException {
        SnapshotSink sink = store.create(V, 10, 3, CONFIG, 2, PeerCodec.ADDRESS);
        sink.write(ascii("data\n"));
        sink.close();
        assertThat(readAll(store.open(sink.id()))).isEqualTo("data\n");
        assertThat(readAll(store.open(sink.id()))).isEqualTo("data\n");
    }

    @Test
    void keepsOnlyTheLatestSnapshot() throws IOException {
        SnapshotSink first = create(10);
        first.close();
        SnapshotSink second = create(11);
        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(second.id());
        assertThatThrownBy(() -> store.open(first.id()))
                .hasMessage("[ERR] snapshot: failed to open snapshot id: " + first.id());
    }

    @Test
    void cancelDiscardsTheSnapshotAndRestoresThePreviousOne() throws IOException {
        SnapshotSink kept = create(10);
        kept.write(ascii("kept"));
        kept.close();
        SnapshotSink dropped = create(11);
        dropped.write(ascii("dropped"));
        dropped.cancel();

        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(kept.id());
        assertThat(readAll(store.open(kept.id()))).isEqualTo("kept");
        assertThatThrownBy(() -> store.open(dropped.id())).isInstanceOf(IOException.class);
    }

    @Test
    void cancellingTheOnlySnapshotLeavesNone() throws IOException {
        create(10).cancel();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void cancellingSeveralInProgressFallsBackPastAllOfThem() throws IOException {
        SnapshotSink a = create(10);
        a.close();
        SnapshotSink b = create(11);
        SnapshotSink c = create(12);
        b.cancel();
        assertThat(store.list()).extracting(SnapshotMeta::id).as("b was not the latest").containsExactly(c.id());
        c.cancel();
        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(a.id());
    }

    @Test
    void cancellingAfterANewerOneClosedChangesNothing() throws IOException {
        SnapshotSink older = create(10);
        SnapshotSink newer = create(11);
        newer.close();
        older.cancel();
        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(newer.id());
    }

    @Test
    void closeAndCancelAreIdempotentAndTheFirstWins() throws IOException {
        SnapshotSink sink = create(10);
        sink.close();
        sink.cancel();
        sink.close();
        assertThat(store.list()).extracting(SnapshotMeta::id).containsExactly(sink.id());
        assertThatThrownBy(() -> sink.write(1)).isInstanceOf(IOException.class)
                .hasMessageContaining("already closed or cancelled");
    }

    @Test
    void rejectsUnsupportedVersions() {
        assertThatThrownBy(() -> store.create(0, 10, 3, CONFIG, 2, PeerCodec.ADDRESS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unsupported snapshot version 0");
        assertThat(store.list()).isEmpty();
    }
}
