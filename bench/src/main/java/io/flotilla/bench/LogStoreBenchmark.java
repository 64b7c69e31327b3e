package io.flotilla.bench;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.storage.LogStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * hashicorp/raft's {@code bench/bench.go} log store benchmarks, over each store: {@code FirstIndex},
 * {@code LastIndex}, {@code GetLog} (on a store holding entries 1..9 with data "data"), {@code StoreLog} (one
 * entry per operation, indexes counting up from 0), {@code StoreLogs} (3 entries per operation) and
 * {@code DeleteRange} (deleting a group of 3 entries stored, untimed, just before).
 *
 * <p>Every write to the RocksDB store is synced, so its write benchmarks measure the disk's {@code fdatasync}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LogStoreBenchmark {
    private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);

    /** The store under test, fresh for each benchmark, holding entries 1..9 like bench.go's read benchmarks. */
    @State(Scope.Thread)
    public static class Store {
        /** Which store: {@code inmem} or {@code rocksdb}. */
        @Param({BenchStore.INMEM, BenchStore.ROCKSDB})
        public String store;

        BenchStore bench;
        LogStore log;
        /** The next index (StoreLog), group (StoreLogs) or group to delete (DeleteRange). */
        long n;

        /** Opens the store and stores entries 1..9. */
        @Setup(Level.Trial)
        public void open() throws IOException {
            bench = BenchStore.open(store);
            log = bench.log();
            List<LogEntry> entries = new ArrayList<>();
            for (long i = 1; i < 10; i++) {
                entries.add(new LogEntry(i, 0, LogType.COMMAND, DATA));
            }
            log.storeLogs(entries);
            n = 0;
        }

        /** Closes the store and deletes its files. */
        @TearDown(Level.Trial)
        public void close() throws IOException {
            bench.close();
        }
    }

    /**
     * The store for {@link #deleteRange}, which before each call stores, untimed, the 3 entries at 10n..10n+2
     * that the call deletes (bench.go stores them all before starting its timer). A state of its own so that
     * the per-call setup does not burden the other benchmarks; a subclass rather than a second state depending
     * on {@link Store}, because JMH hands such a dependent state a different {@code Store} instance than the
     * benchmark method gets.
     */
    @State(Scope.Thread)
    public static class StoreWithGroupToDelete extends Store {
        long base;

        /** Stores the next group. */
        @Setup(Level.Invocation)
        public void storeGroup() throws IOException {
            base = 10 * n++;
            log.storeLogs(List.of(new LogEntry(base, 0, LogType.COMMAND, null),
                    new LogEntry(base + 1, 0, LogType.COMMAND, null),
                    new LogEntry(base + 2, 0, LogType.COMMAND, null)));
        }
    }

    /** bench.go {@code FirstIndex}. */
    @Benchmark
    public long firstIndex(Store s) throws IOException {
        return s.log.firstIndex();
    }

    /** bench.go {@code LastIndex}. */
    @Benchmark
    public long lastIndex(Store s) throws IOException {
        return s.log.lastIndex();
    }

    /** bench.go {@code GetLog}: entry 5, which must be there. */
    @Benchmark
    public LogEntry getLog(Store s) throws IOException {
        Optional<LogEntry> entry = s.log.getLog(5);
        if (entry.isEmpty()) {
            throw new IllegalStateException("entry 5 is missing");
        }
        return entry.get();
    }

    /** bench.go {@code StoreLog}: {@code Log{Index: n}}, n counting from 0. */
    @Benchmark
    public void storeLog(Store s) throws IOException {
        s.log.storeLog(new LogEntry(s.n++, 0, LogType.COMMAND, null));
    }

    /**
     * bench.go {@code StoreLogs}: entries 3n+1..3n+3 in one call. bench.go stops its timer while building the
     * batch; here building three small records is timed, which is noise next to the store call.
     */
    @Benchmark
    public void storeLogs(Store s) throws IOException {
        long base = 3 * s.n++;
        s.log.storeLogs(List.of(new LogEntry(base + 1, 0, LogType.COMMAND, null),
                new LogEntry(base + 2, 0, LogType.COMMAND, null),
                new LogEntry(base + 3, 0, LogType.COMMAND, null)));
    }

    /** bench.go {@code DeleteRange}: deletes 10n..10n+9, which holds the 3 entries stored just before. */
    @Benchmark
    public void deleteRange(StoreWithGroupToDelete s) throws IOException {
        s.log.deleteRange(s.base, s.base + 9);
    }
}
