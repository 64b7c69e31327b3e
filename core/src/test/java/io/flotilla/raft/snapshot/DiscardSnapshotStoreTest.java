package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiscardSnapshotStoreTest {
    private final DiscardSnapshotStore store = new DiscardSnapshotStore();

    /** TestDiscardSnapshotStoreImpl: the store keeps nothing and opens nothing. */
    @Test
    void storeKeepsNothing() throws IOException {
        store.create(SnapshotVersion.MAX, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS).close();
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.open("discard")).isInstanceOf(IOException.class)
                .hasMessage("open is not supported");
    }

    /** TestDiscardSnapshotSinkImpl: the sink accepts everything and succeeds at every step. */
    @Test
    void sinkAcceptsEverything() throws IOException {
        SnapshotSink sink = store.create(SnapshotVersion.MAX, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS);
        assertThat(sink.id()).isEqualTo("discard");
        sink.write(1);
        sink.write(new byte[1 << 20]);
        sink.flush();
        sink.close();
        sink.cancel();
        assertThatThrownBy(() -> sink.write(new byte[2], 1, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void acceptsAnyVersionAsHashicorpDoes() throws IOException {
        assertThat(store.create(7, 10, 3, Configuration.EMPTY, 0, PeerCodec.ADDRESS).id()).isEqualTo("discard");
    }
}
