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
        b.store = store;
        b.open();
        try {
            assertThat(b.firstIndex()).isEqualTo(1);
            assertThat(b.lastIndex()).isEqualTo(9);
            assertThat(b.getLog().index()).isEqualTo(5);
            for (int i = 0; i < 3; i++) {
                b.storeLog();
            }
            for (int i = 0; i < 3; i++) {
                b.storeLogs();
            }
            for (int i = 0; i < 3; i++) {
                LogStoreBenchmark.GroupToDelete group = new LogStoreBenchmark.GroupToDelete();
                group.store(b);
                assertThat(b.getLog().index()).isEqualTo(5);
                b.deleteRange(group);
            }
        } finally {
            b.close();
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
