package io.flotilla.raft.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs many seeds, optionally on several threads (each seed is one single-threaded, deterministic simulation, so
 * threads change nothing but wall time), reporting results in seed order.
 */
public final class SimRunner {
    /** What a sweep found. */
    public record Summary(int seeds, long steps, int violations, List<SimResult> failures, long wallNanos) {
        /** Engine steps per wall-clock second over the sweep. */
        public double stepsPerSecond() {
            return wallNanos == 0 ? 0 : steps * 1e9 / wallNanos;
        }
    }

    private SimRunner() {
    }

    /**
     * Runs seeds {@code base.seed()}, {@code base.seed()+1}, ... ({@code count} of them).
     *
     * @param threads     worker threads (1 = the calling thread)
     * @param stopAtFirst stop after the first seed with a violation (results up to it are still reported)
     * @param progress    called with each result, in seed order
     */
    public static Summary sweep(SimOptions base, int count, int threads, boolean stopAtFirst,
                                Consumer<SimResult> progress) {
        long start = System.nanoTime();
        long steps = 0;
        int violations = 0;
        int ran = 0;
        List<SimResult> failures = new ArrayList<>();
        int workers = Math.max(1, threads);
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "flotilla-sim");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            int window = workers * 4;
            List<Future<SimResult>> pending = new ArrayList<>();
            int submitted = 0;
            while (ran < count) {
                while (pool != null && submitted < count && pending.size() < window) {
                    SimOptions o = base.withSeed(base.seed() + submitted);
                    pending.add(pool.submit(() -> Simulation.run(o)));
                    submitted++;
                }
                SimResult r;
                if (pool == null) {
                    r = Simulation.run(base.withSeed(base.seed() + ran));
                } else {
                    try {
                        r = pending.remove(0).get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("simulation crashed: " + e.getCause(), e.getCause());
                    }
                }
                ran++;
                steps += r.steps();
                if (!r.ok()) {
                    violations++;
                    failures.add(r);
                }
                progress.accept(r);
                if (!r.ok() && stopAtFirst) {
                    break;
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return new Summary(ran, steps, violations, failures, System.nanoTime() - start);
    }
}
