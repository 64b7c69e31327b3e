/**
 * Flotilla's benchmarks: JMH micro-benchmarks of the stores ({@link io.flotilla.bench.LogStoreBenchmark},
 * {@link io.flotilla.bench.StableStoreBenchmark}); see the module's README for how to run them.
 */
package io.flotilla.bench;
