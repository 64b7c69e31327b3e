package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.storage.InmemStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultyStableStoreTest {
    private static final byte[] TERM = {'t'};
    private final InmemStore backing = new InmemStore();
    private final FaultyStableStore store = new FaultyStableStore(backing);

    @Test
    void failed_writes_do_not_reach_the_delegate() throws Exception {
        store.writes().failNext(2);
        assertThatThrownBy(() -> store.setUint64(TERM, 5)).hasMessage("injected fault: setUint64");
        assertThatThrownBy(() -> store.set(TERM, new byte[] {1})).hasMessage("injected fault: set");
        assertThat(backing.getUint64(TERM)).isZero();
        assertThat(backing.get(TERM)).isEmpty();
        store.setUint64(TERM, 5);
        assertThat(store.getUint64(TERM)).isEqualTo(5);
    }

    @Test
    void reads_fail_independently_of_writes() throws Exception {
        store.reads().failNext(2);
        store.setUint64(TERM, 7);
        assertThatThrownBy(() -> store.getUint64(TERM)).isInstanceOf(InjectedIOException.class);
        assertThatThrownBy(() -> store.get(TERM)).isInstanceOf(InjectedIOException.class);
        assertThat(store.getUint64(TERM)).isEqualTo(7);
        assertThat(store.delegate()).isSameAs(backing);
    }
}
