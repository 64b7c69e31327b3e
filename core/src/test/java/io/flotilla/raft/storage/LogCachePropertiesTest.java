package io.flotilla.raft.storage;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever is written through it, a {@link LogCache} reads exactly like the store it fronts would alone. */
class LogCachePropertiesTest {

    sealed interface Op {
        void apply(LogStore store) throws IOException;
    }

    record Store(long from, int count, long term) implements Op {
        @Override
        public void apply(LogStore store) throws IOException {
            List<LogEntry> batch = new ArrayList<>();
            for (long i = from; i < from + count; i++) {
                batch.add(new LogEntry(i, term, LogType.COMMAND, new byte[] {(byte) i, (byte) term}));
            }
            store.storeLogs(batch);
        }
    }

    record Delete(long min, long max) implements Op {
        @Override
        public void apply(LogStore store) throws IOException {
            store.deleteRange(min, max);
        }
    }

    @Property(tries = 300)
    void a_cache_reads_like_an_uncached_store(@ForAll("operations") List<Op> ops,
                                              @ForAll("capacities") int capacity) throws IOException {
        InmemStore uncached = new InmemStore();
        LogCache cache = new LogCache(capacity, new InmemStore());
        for (Op op : ops) {
            op.apply(uncached);
            op.apply(cache);
            assertThat(cache.firstIndex()).isEqualTo(uncached.firstIndex());
            assertThat(cache.lastIndex()).isEqualTo(uncached.lastIndex());
            for (long i = 0; i <= 40; i++) {
                assertThat(cache.getLog(i)).as("getLog(%d) after %s", i, op).isEqualTo(uncached.getLog(i));
                assertThat(cache.getLogs(i, i + 7)).as("getLogs(%d..) after %s", i, op).isEqualTo(uncached.getLogs(i, i + 7));
            }
        }
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.of(1, 3, 4, 16, 64);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Op> store = Combinators.combine(
                Arbitraries.longs().between(1, 30), Arbitraries.integers().between(0, 8), Arbitraries.longs().between(1, 4))
                .as(Store::new);
        Arbitrary<Op> delete = Combinators.combine(Arbitraries.longs().between(0, 40), Arbitraries.longs().between(0, 40))
                .as(Delete::new);
        return Arbitraries.frequencyOf(
                Tuple.of(3, store),
                Tuple.of(1, delete)).list().ofMaxSize(25);
    }
}
