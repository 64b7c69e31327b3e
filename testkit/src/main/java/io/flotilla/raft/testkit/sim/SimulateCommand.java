package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.engine.SimEngines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ./flotilla simulate}: runs seeded deterministic simulations of the engine under faults and checks Raft's
 * safety properties after every step. Ends with exactly one line {@code simulated seeds=N steps=M violations=V};
 * every failing seed prints its trace and the command that replays it.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs seeded deterministic simulations of N Raft engines under faults and checks Raft's safety "
                + "properties after every step, then convergence and linearizability of the client history.",
                "Seeds S, S+1, ..., S+N-1 are run; one seed reproduces a run exactly."})
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--seeds", paramLabel = "N", description = "number of seeds to run (default: ${DEFAULT-VALUE})")
    int seeds = 100;

    @Option(names = "--steps", paramLabel = "M",
            description = "engine steps per seed in the faulty phase (default: ${DEFAULT-VALUE})")
    int steps = 3000;

    @Option(names = "--seed", paramLabel = "S", description = "first seed (default: ${DEFAULT-VALUE})")
    long seed = 1;

    @Option(names = "--nodes", paramLabel = "K", description = "engines per run, 3-7 (default: chosen by the seed)")
    int nodes = 0;

    @Option(names = "--faults", paramLabel = "LIST",
            description = "comma-separated faults, 'all' or 'none' (default: all): " + "drop,duplicate,delay,reorder,"
                    + "partition,oneway,crash,membership,transfer,snapshot,disk")
    String faults = "all";

    @Option(names = "--inject-bug", paramLabel = "NAME",
            description = "switch a deliberate engine bug on (repeatable); see --list-bugs")
    List<String> bugs = new ArrayList<>();

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "scenario (default: ${DEFAULT-VALUE}); see --list-scenarios")
    String scenario = "chaos";

    @Option(names = "--threads", paramLabel = "T",
            description = "worker threads (results are identical for any value; default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--trace", paramLabel = "K", description = "events shown before a violation (default: ${DEFAULT-VALUE})")
    int trace = 60;

    @Option(names = "--stop-at-first", description = "stop at the first seed with a violation")
    boolean stopAtFirst;

    @Option(names = "--no-contract-checks",
            description = "check only Raft's safety properties, not the engine's output contract")
    boolean noContractChecks;

    @Option(names = "--no-final-checks",
            description = "skip healing, the convergence check and the linearizability check at the end")
    boolean noFinalChecks;

    @Option(names = "--verbose", description = "print a line per seed")
    boolean verbose;

    @Option(names = "--list-bugs", description = "print the names of the deliberate engine bugs, one per line")
    boolean listBugs;

    @Option(names = "--list-scenarios", description = "print the scenarios, one per line")
    boolean listScenarios;

    private final PrintStream out;
    private final PrintStream err;

    SimulateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command; exit status 0 without violations, 1 with, 2 for bad arguments. */
    public static void main(String[] args) {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command with the given streams and returns its exit status. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new SimulateCommand(out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        if (listBugs) {
            SimEngines.bugNames().forEach(out::println);
            return 0;
        }
        if (listScenarios) {
            for (String name : Scenarios.names()) {
                out.println(name + "  " + Scenarios.byName(name).description());
            }
            return 0;
        }
        SimOptions base;
        try {
            Set<Fault> f = Fault.parse(faults);
            Scenarios.byName(scenario);
            List<String> known = SimEngines.bugNames();
            List<String> normalized = new ArrayList<>();
            for (String b : bugs) {
                String n = b.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
                if (!known.contains(n)) {
                    throw new IllegalArgumentException("unknown bug '" + b + "'; known: " + known);
                }
                normalized.add(n);
            }
            if (seeds < 1 || steps < 0) {
                throw new IllegalArgumentException("--seeds must be >= 1 and --steps >= 0");
            }
            if (nodes != 0 && (nodes < 3 || nodes > 7)) {
                throw new IllegalArgumentException("--nodes must be between 3 and 7");
            }
            base = new SimOptions(seed, steps, nodes, f, normalized, scenario, trace, !noContractChecks,
                    !noFinalChecks);
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            return 2;
        }
        err.println("simulating seeds " + seed + ".." + (seed + seeds - 1) + ", " + steps + " steps each, scenario "
                + scenario + ", faults " + Fault.format(base.faults())
                + (base.bugs().isEmpty() ? "" : ", injected bugs " + base.bugs()) + ", " + threads + " threads");
        long[] lastProgress = {System.nanoTime()};
        int[] done = {0};
        int[] bad = {0};
        SimRunner.Summary s = SimRunner.sweep(base, seeds, threads, stopAtFirst, r -> {
            done[0]++;
            if (!r.ok()) {
                bad[0]++;
                out.println(r.report());
            } else if (verbose) {
                out.println(r.report());
            }
            long nowNs = System.nanoTime();
            if (nowNs - lastProgress[0] > 2_000_000_000L || done[0] == seeds) {
                lastProgress[0] = nowNs;
                err.println("  " + done[0] + "/" + seeds + " seeds, " + bad[0] + " with violations");
            }
        });
        err.println(String.format("%d engine steps in %.1fs: %,.0f steps/s", s.steps(), s.wallNanos() / 1e9,
                s.stepsPerSecond()));
        out.println("simulated seeds=" + s.seeds() + " steps=" + steps + " violations=" + s.violations());
        return s.violations() == 0 ? 0 : 1;
    }
}
