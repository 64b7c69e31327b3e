package io.flotilla.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./flotilla bench}: measures commits per second and commit latency of a Flotilla cluster on this machine
 * and, with {@code --compare-go}, of hashicorp/raft 1.1.2 (gopeer's bench mode) on the same workload, alternating
 * the two systems run by run so that both see the same machine. Prints one {@code system=…} line per run, medians
 * when there are several runs, and a {@code ratio=flotilla/hashicorp} line; progress and warnings go to stderr.
 *
 * <p>{@code ./flotilla bench jmh [JMH options]} runs the JMH micro-benchmarks of this module instead.
 *
 * <p>Exit status: 0 when every run was clean, 1 when a run failed or reported a problem (failed applies, a
 * follower that did not catch up or diverged, gopeer failing), 2 for bad arguments.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
        description = {"Measures applies/s and apply latency of an N-node Flotilla cluster on 127.0.0.1 (TCP, one "
                + "JVM), optionally against hashicorp/raft 1.1.2 through gopeer's bench mode, alternating the two "
                + "systems run by run.",
                "Each client applies a P-byte KV-API set entry on the leader, waits for it to commit and apply, and "
                        + "repeats."},
        footer = {"", "./flotilla bench jmh [JMH options] runs the JMH micro-benchmarks (codec, engine, stores); "
                + "./flotilla bench jmh -h lists JMH's options."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--nodes", paramLabel = "N", description = "cluster size (default: ${DEFAULT-VALUE})")
    int nodes = 3;

    @Option(names = "--clients", paramLabel = "C", description = "concurrent clients (default: ${DEFAULT-VALUE})")
    int clients = 16;

    @Option(names = "--payload", paramLabel = "P", description = "entry size in bytes (default: ${DEFAULT-VALUE})")
    int payload = 100;

    @Option(names = "--seconds", paramLabel = "D", description = "measured seconds per run (default: ${DEFAULT-VALUE})")
    double seconds = 10;

    @Option(names = "--warmup", paramLabel = "W",
            description = "unmeasured seconds of load before each run, for both systems; the JIT needs a few "
                    + "(default: ${DEFAULT-VALUE})")
    double warmup = 5;

    @Option(names = "--store", paramLabel = "S",
            description = "rocksdb (synced RocksDB + file snapshots; gopeer: bolt) or memory (gopeer: inmem) "
                    + "(default: ${DEFAULT-VALUE})")
    String store = "rocksdb";

    @Option(names = "--runs", paramLabel = "R", description = "runs per system (default: ${DEFAULT-VALUE})")
    int runs = 1;

    @Option(names = "--compare-go", description = "also run hashicorp/raft (gopeer bench) after each Flotilla run")
    boolean compareGo;

    @Option(names = "--json", description = "print JSON objects instead of key=value lines")
    boolean json;

    @Option(names = "--gopeer", paramLabel = "PATH",
            description = "the gopeer binary (default: $GOPEER_BIN, else built by ../shared/gopeer/build.sh)")
    Path gopeer;

    @Option(names = "--apply-timeout", paramLabel = "SECONDS",
            description = "apply enqueue timeout, as gopeer's --apply-timeout (default: ${DEFAULT-VALUE})")
    double applyTimeout = 10;

    @Option(names = "--quiet-wait", paramLabel = "SECONDS",
            description = "before each run, wait up to this long for the rest of the machine to go quiet; 0 = "
                    + "don't wait (default: ${DEFAULT-VALUE})")
    double quietWait = 60;

    @Option(names = "--quiet-cores", paramLabel = "CORES",
            description = "'quiet' means other processes use less CPU than this; a run during which they used "
                    + "more gets a warning (default: ${DEFAULT-VALUE})")
    double quietCores = 0.3;

    private final PrintStream out;
    private final PrintStream err;

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            // JMH has its own option parser; hand it everything after "jmh".
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command with the given streams and returns its exit status. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new BenchCommand(out, err));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        FlotillaBench.Settings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            return 2;
        }
        if (BenchPayload.isFiller(payload)) {
            err.println("bench: note: a " + payload + "-byte payload cannot hold a KV-API set entry, so raw filler is "
                    + "applied (the FSM answers it with an error result), as gopeer does");
        }
        Optional<Path> go = Optional.empty();
        if (compareGo) {
            try {
                go = Optional.of(GoPeerBench.locate(Optional.ofNullable(gopeer), err));
            } catch (java.io.IOException e) {
                err.println("bench: " + e.getMessage());
                return 1;
            }
        }

        boolean clean = true;
        List<BenchResult> ours = new ArrayList<>();
        List<BenchResult> theirs = new ArrayList<>();
        int busyRuns = 0;
        for (int run = 1; run <= runs; run++) {
            waitForQuiet();
            FlotillaBench.Outcome o;
            try {
                o = FlotillaBench.run(settings, run, err);
            } catch (java.io.IOException e) {
                err.println("flotilla: error: run " + run + " failed: " + e.getMessage());
                return 1;
            }
            ours.add(o.result());
            clean &= report(o);
            busyRuns += warnIfBusy(o);

            if (go.isPresent()) {
                waitForQuiet();
                FlotillaBench.Outcome g;
                try {
                    g = GoPeerBench.run(go.get(), settings, run, err);
                } catch (java.io.IOException e) {
                    err.println("hashicorp: error: run " + run + " failed: " + e.getMessage());
                    return 1;
                }
                theirs.add(g.result());
                clean &= report(g);
                busyRuns += warnIfBusy(g);
            }
        }
        BenchResult ourMedian = BenchResult.median(ours);
        BenchResult theirMedian = theirs.isEmpty() ? null : BenchResult.median(theirs);
        if (runs > 1) {
            print(ourMedian);
            if (theirMedian != null) {
                print(theirMedian);
            }
        }
        if (theirMedian != null) {
            out.println(json ? ratioJson(ourMedian, theirMedian, runs, busyRuns)
                    : ratioLine(ourMedian, theirMedian, runs, busyRuns));
        }
        out.flush();
        return clean ? 0 : 1;
    }

    private FlotillaBench.Settings settings() {
        FlotillaBench.Store s = switch (store.toLowerCase(Locale.ROOT)) {
            case "rocksdb" -> FlotillaBench.Store.ROCKSDB;
            case "memory" -> FlotillaBench.Store.MEMORY;
            default -> throw new IllegalArgumentException("--store must be rocksdb or memory, not '" + store + "'");
        };
        if (nodes < 1 || clients < 1 || payload < 1 || runs < 1) {
            throw new IllegalArgumentException("--nodes, --clients, --payload and --runs must be >= 1");
        }
        if (!(seconds > 0) || !(warmup >= 0) || !(applyTimeout > 0) || !(quietWait >= 0) || !(quietCores > 0)) {
            throw new IllegalArgumentException("--seconds and --apply-timeout must be > 0, --warmup and --quiet-wait "
                    + ">= 0, --quiet-cores > 0");
        }
        return new FlotillaBench.Settings(nodes, clients, payload, seconds(seconds), seconds(warmup), s,
                seconds(applyTimeout));
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private void print(BenchResult r) {
        out.println(json ? r.json() : r.line());
        out.flush();
    }

    /** Prints a run's line and its problems; returns whether it had none. */
    private boolean report(FlotillaBench.Outcome o) {
        print(o.result());
        for (String p : o.problems()) {
            err.println(o.result().system() + ": error: run " + o.result().run() + ": " + p);
        }
        return o.problems().isEmpty();
    }

    /**
     * Warns (stderr) when other processes used more than {@code --quiet-cores} during the run, naming the busiest
     * ones; returns 1 if so.
     */
    private int warnIfBusy(FlotillaBench.Outcome o) {
        BenchResult r = o.result();
        if (r.othersCpuCores() > quietCores) {
            err.printf(Locale.ROOT, "bench: warning: other processes used %.2f cores during %s run %d (more than %.2f):"
                    + " the machine was busy, treat this run's numbers with suspicion; busiest: %s%n",
                    r.othersCpuCores(), r.system(), r.run(), quietCores,
                    o.busiestOthers().isEmpty() ? "unknown" : o.busiestOthers());
            return 1;
        }
        return 0;
    }

    /**
     * Waits (at most {@code --quiet-wait}) until the rest of the machine uses less than {@code --quiet-cores},
     * measured over one second, as gopeer's bench-matrix.sh does before each run.
     */
    private void waitForQuiet() throws InterruptedException {
        if (quietWait <= 0) {
            return;
        }
        long deadline = System.nanoTime() + seconds(quietWait).toNanos();
        boolean said = false;
        while (true) {
            double others = CpuSample.othersCoresOver(1000);
            if (others < quietCores) {
                if (said) {
                    err.printf(Locale.ROOT, "bench: machine quiet (others use %.3f < %.3f cores), going on%n", others,
                            quietCores);
                }
                return;
            }
            if (System.nanoTime() >= deadline) {
                err.printf(Locale.ROOT, "bench: machine still busy after %s s (%.2f cores used by others), running "
                        + "anyway%n", BenchResult.number(quietWait), others);
                return;
            }
            if (!said) {
                err.printf(Locale.ROOT, "bench: other processes use %.2f cores; waiting up to %s s for quiet%n", others,
                        BenchResult.number(quietWait));
                said = true;
            }
        }
    }

    /**
     * The comparison line: Flotilla's figure divided by hashicorp's (medians over the runs), so an ops/s ratio above
     * 1 and a p99 ratio below 1 favour Flotilla; then the absolute figures and the noise indicators.
     */
    static String ratioLine(BenchResult f, BenchResult g, int runs, int busyRuns) {
        return "ratio=flotilla/hashicorp store=" + f.store() + "/" + g.store() + " nodes=" + f.nodes() + " clients="
                + f.clients() + " payload=" + f.payload() + " runs=" + runs + " ops_per_s_ratio="
                + BenchResult.fixed(f.opsPerSecond() / g.opsPerSecond(), 2) + " p99_ratio="
                + BenchResult.fixed(f.p99Us() / g.p99Us(), 2) + " p50_ratio=" + BenchResult.fixed(f.p50Us() / g.p50Us(), 2)
                + " flotilla_ops_per_s=" + BenchResult.fixed(f.opsPerSecond(), 1) + " hashicorp_ops_per_s="
                + BenchResult.fixed(g.opsPerSecond(), 1) + " flotilla_p99_us=" + BenchResult.fixed(f.p99Us(), 1)
                + " hashicorp_p99_us=" + BenchResult.fixed(g.p99Us(), 1) + " flotilla_others_cpu="
                + BenchResult.fixed(f.othersCpuCores(), 2) + " hashicorp_others_cpu="
                + BenchResult.fixed(g.othersCpuCores(), 2) + " busy_runs=" + busyRuns;
    }

    /** {@link #ratioLine} as a JSON object. */
    static String ratioJson(BenchResult f, BenchResult g, int runs, int busyRuns) {
        return String.format(Locale.ROOT, "{\"ratio\":\"flotilla/hashicorp\",\"store\":\"%s/%s\",\"nodes\":%d,"
                        + "\"clients\":%d,\"payload_bytes\":%d,\"runs\":%d,\"ops_per_s_ratio\":%.3f,\"p99_ratio\":%.3f,"
                        + "\"p50_ratio\":%.3f,\"flotilla_ops_per_s\":%.1f,\"hashicorp_ops_per_s\":%.1f,"
                        + "\"flotilla_p99_us\":%.1f,\"hashicorp_p99_us\":%.1f,\"busy_runs\":%d}", f.store(), g.store(),
                f.nodes(), f.clients(), f.payload(), runs, f.opsPerSecond() / g.opsPerSecond(),
                f.p99Us() / g.p99Us(), f.p50Us() / g.p50Us(), f.opsPerSecond(), g.opsPerSecond(), f.p99Us(), g.p99Us(),
                busyRuns);
    }
}
