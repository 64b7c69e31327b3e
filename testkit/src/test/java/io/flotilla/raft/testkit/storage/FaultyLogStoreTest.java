package io.flotilla.raft.testkit.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.storage.InmemStore;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultyLogStoreTest {
    private final InmemStore backing = new InmemStore();
    private final FaultyLogStore store = new FaultyLogStore(backing);

    private static LogEntry entry(long index) {
        return new LogEntry(index, 1, LogType.COMMAND, new byte[] {(byte) index});
    }

    @Test
    void a_failed_store_logs_leaves_the_delegate_untouched() throws Exception {
        store.storeLogs(List.of(entry(1)));
        store.writes().failNext(1);
        assertThatThrownBy(() -> store.storeLogs(List.of(entry(2), entry(3))))
                .isInstanceOf(InjectedIOException.class).hasMessage("injected fault: storeLogs");
        assertThat(backing.lastIndex()).isEqualTo(1);
        store.storeLogs(List.of(entry(2), entry(3)));
        assertThat(backing.lastIndex()).isEqualTo(3);
    }

    @Test
    void store_log_and_delete_range_are_writes_and_count_once_each() throws Exception {
        store.writes().failNext(2);
        assertThatThrownBy(() -> store.storeLog(entry(1))).hasMessage("injected fault: storeLog");
        assertThatThrownBy(() -> store.deleteRange(1, 1)).hasMessage("injected fault: deleteRange");
        store.storeLog(entry(1));
        assertThat(store.writes().injected()).isEqualTo(2);
        assertThat(store.getLog(1)).contains(entry(1));
    }

    @Test
    void reads_fail_independently_of_writes() throws Exception {
        store.storeLogs(List.of(entry(1), entry(2)));
        store.reads().failAlways();
        assertThatThrownBy(store::firstIndex).isInstanceOf(InjectedIOException.class);
        assertThatThrownBy(store::lastIndex).isInstanceOf(InjectedIOException.class);
        assertThatThrownBy(() -> store.getLog(1)).isInstanceOf(InjectedIOException.class);
        assertThatThrownBy(() -> store.getLogs(1, 2)).isInstanceOf(InjectedIOException.class);
        store.storeLog(entry(3)); // writes still work
        store.reads().heal();
        assertThat(store.getLogs(1, 3)).containsExactly(entry(1), entry(2), entry(3));
        assertThat(store.reads().injected()).isEqualTo(4);
        assertThat(store.delegate()).isSameAs(backing);
    }
}
