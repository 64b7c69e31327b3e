package io.flotilla.bench;

import io.flotilla.raft.storage.StableStore;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * hashicorp/raft's {@code bench/bench.go} stable store benchmarks, over each store: {@code Set} and
 * {@code SetUint64} (one-byte keys cycling through 0..255), {@code Get} (key 5 of keys 1..9 set beforehand) and
 * {@code GetUint64} (key 5 of uint64 keys 0..9). bench.go's {@code GetUint64} calls {@code Get} by mistake
 * (seed inventory §8.1 #17); this one calls {@code getUint64}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StableStoreBenchmark {
    private static final byte[] VAL = "val".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_5 = {5};

    /** Which store: {@code inmem} or {@code rocksdb}. */
    @Param({BenchStore.INMEM, BenchStore.ROCKSDB})
    public String store;

    private BenchStore bench;
    private StableStore stable;
    private long n;

    /** Opens a fresh store with keys 1..9 set and uint64 keys 0..9 set, as bench.go's read benchmarks expect. */
    @Setup(Level.Trial)
    public void open() throws IOException {
        bench = BenchStore.open(store);
        stable = bench.stable();
        for (int i = 1; i < 10; i++) {
            stable.set(new byte[] {(byte) i}, VAL);
        }
        for (int i = 0; i < 10; i++) {
            stable.setUint64(new byte[] {(byte) i}, i);
        }
        n = 0;
    }

    /** Closes the store and deletes its files. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        bench.close();
    }

    /** bench.go {@code Set}. */
    @Benchmark
    public void set() throws IOException {
        stable.set(new byte[] {(byte) n++}, VAL);
    }

    /** bench.go {@code Get}: key 5, which must be there. */
    @Benchmark
    public byte[] get() throws IOException {
        Optional<byte[]> value = stable.get(KEY_5);
        if (value.isEmpty()) {
            throw new IllegalStateException("key 5 is missing");
        }
        return value.get();
    }

    /** bench.go {@code SetUint64}. */
    @Benchmark
    public void setUint64() throws IOException {
        stable.setUint64(new byte[] {(byte) n}, n++);
    }

    /** bench.go {@code GetUint64}, calling {@code getUint64} as intended. */
    @Benchmark
    public long getUint64() throws IOException {
        return stable.getUint64(KEY_5);
    }
}
