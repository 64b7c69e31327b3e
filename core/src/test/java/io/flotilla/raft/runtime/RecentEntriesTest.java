package io.flotilla.raft.runtime;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.storage.InmemStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory window of the log that replication and the FSM read before touching the store. */
class RecentEntriesTest {
    private static List<LogEntry> entries(long from, long to, int size) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(new LogEntry(i, 1, LogType.COMMAND, new byte[size]));
        }
        return out;
    }

    @Test
    void entriesNotYetDurableAreReadableAndNeverEvicted() throws Exception {
        InmemStore store = new InmemStore();
        RecentEntries recent = new RecentEntries(store, 2, 1);
        recent.append(entries(1, 10, 100));
        recent.durableThrough(0);
        assertThat(recent.range(1, 10)).hasSize(10);
        assertThat(recent.get(5)).isPresent();
    }

    @Test
    void durableEntriesAreEvictedByCountAndByBytesAndThenReadFromTheStore() throws Exception {
        InmemStore store = new InmemStore();
        store.storeLogs(entries(1, 100, 1000));
        RecentEntries recent = new RecentEntries(store, 1000, 10 * (1000 + 64));
        recent.append(entries(1, 100, 1000));
        recent.durableThrough(100);
        assertThat(recent.bytes()).isLessThanOrEqualTo(10 * (1000 + 64));
        assertThat(recent.range(1, 100)).as("older ones come from the store").hasSize(100);

        RecentEntries byCount = new RecentEntries(store, 5, Long.MAX_VALUE);
        byCount.append(entries(1, 100, 1));
        byCount.durableThrough(100);
        assertThat(byCount.bytes()).isEqualTo(6 * (1 + 64));
    }

    @Test
    void truncationAndCompactionKeepTheByteCountRight() {
        RecentEntries recent = new RecentEntries(new InmemStore(), 1000, Long.MAX_VALUE);
        recent.append(entries(1, 10, 10));
        recent.truncateFrom(6);
        recent.dropThrough(2);
        assertThat(recent.bytes()).isEqualTo(3 * (10 + 64));
        recent.append(entries(6, 6, 100));
        recent.append(entries(6, 6, 50));
        assertThat(recent.bytes()).isEqualTo(3 * (10 + 64) + 50 + 64);
        recent.clear();
        assertThat(recent.bytes()).isZero();
    }

    @Test
    void theRingGrowsRatherThanDropAnEntryThatIsNotDurable() throws Exception {
        RecentEntries recent = new RecentEntries(new InmemStore(), 2, Long.MAX_VALUE);
        recent.append(entries(1, 5000, 1));
        recent.durableThrough(0);
        List<LogEntry> all = recent.range(1, 5000);
        assertThat(all).hasSize(5000);
        assertThat(all.get(4999).index()).isEqualTo(5000);
        assertThat(recent.get(1)).get().extracting(LogEntry::index).isEqualTo(1L);
    }

    @Test
    void replacedAndRestartedWindowsServeTheNewEntries() throws Exception {
        InmemStore store = new InmemStore();
        RecentEntries recent = new RecentEntries(store, 4, Long.MAX_VALUE);
        recent.append(entries(1, 10, 1));
        // A conflicting suffix from index 8 in term 2.
        recent.append(List.of(new LogEntry(8, 2, LogType.COMMAND, new byte[1])));
        assertThat(recent.get(8)).get().extracting(LogEntry::term).isEqualTo(2L);
        assertThat(recent.get(9)).as("after the replaced entry nothing is held, and the store has nothing").isEmpty();
        // A gap (a snapshot was installed): the window starts again at 100, below it the store answers.
        store.storeLogs(entries(1, 3, 7));
        recent.append(entries(100, 102, 1));
        assertThat(recent.get(8)).isEmpty();
        assertThat(recent.range(1, 3)).extracting(e -> e.data().length).containsOnly(7);
        assertThat(recent.range(100, 102)).extracting(LogEntry::index).containsExactly(100L, 101L, 102L);
        // Slots are reused: an index one ring length away must not be mistaken for the evicted one.
        store.storeLogs(entries(100, 5000, 3));
        recent.append(entries(103, 5000, 1));
        recent.durableThrough(5000);
        assertThat(recent.get(100)).get().extracting(e -> e.data().length).isEqualTo(3);
        assertThat(recent.range(100, 5000)).hasSize(4901).extracting(LogEntry::index).doesNotHaveDuplicates();
    }
}
