/**
 * Flotilla's benchmarks: the cluster benchmark {@code ./flotilla bench} ({@link io.flotilla.bench.BenchCommand}),
 * which measures a Flotilla cluster and, for comparison, hashicorp/raft through gopeer; and JMH micro-benchmarks of
 * the codec ({@link io.flotilla.bench.CodecBenchmark}), the engine ({@link io.flotilla.bench.EngineBenchmark}) and
 * the stores ({@link io.flotilla.bench.LogStoreBenchmark}, {@link io.flotilla.bench.StableStoreBenchmark}). See the
 * module's README for how to run them.
 */
package io.flotilla.bench;
