package io.flotilla.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls every benchmark method a few times outside JMH, on each store, so that a broken benchmark fails the
 * build instead of a benchmark run. Nothing is timed here.
 */
class StoreBenchmarksSmokeTest {
    @ParameterizedTest
    @ValueSource(strings = {BenchStore.INMEM, BenchStore.ROCKSDB})
    void log_store_benchmarks_run(String store) throws Exception {
        LogStoreBenchmark b = new LogStoreBenchmark();
        LogStoreBenchmark.Store s = new LogStoreBenchmark.Store();
        s.store = store;
        s.open();
        try {
            assertThat(b.firstIndex(s)).isEqualTo(1);
            assertThat(b.lastIndex(s)).isEqualTo(9);
            assertThat(b.getLog(s).index()).isEqualTo(5);
            for (int i = 0; i < 3; i++) {
                b.storeLog(s);
            }
            assertThat(s.log.getLog(2)).hasValueSatisfying(e -> assertThat(e.dataLength()).isZero());
            for (int i = 0; i < 3; i++) {
                b.storeLogs(s);
            }
            assertThat(b.lastIndex(s)).isEqualTo(18);
        } finally {
            s.close();
        }

        LogStoreBenchmark.StoreWithGroupToDelete d = new LogStoreBenchmark.StoreWithGroupToDelete();
        d.store = store;
        d.open();
        try {
            for (int i = 0; i < 3; i++) {
                d.storeGroup();
                assertThat(d.log.getLog(d.base + 2)).as("the group to delete is stored").isPresent();
                b.deleteRange(d);
                assertThat(d.log.lastIndex()).as("and deleted").isZero();
            }
        } finally {
            d.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BenchStore.INMEM, BenchStore.ROCKSDB})
    void stable_store_benchmarks_run(String store) throws Exception {
        StableStoreBenchmark b = new StableStoreBenchmark();
        b.store = store;
        b.open();
        try {
            assertThat(b.get()).isEqualTo("val".getBytes());
            assertThat(b.getUint64()).isEqualTo(5);
            b.set();
            b.setUint64();
        } finally {
            b.close();
        }
    }
}
