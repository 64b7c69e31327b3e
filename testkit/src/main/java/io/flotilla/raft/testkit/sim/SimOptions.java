package io.flotilla.raft.testkit.sim;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that determines a simulation run; the same options reproduce the same run exactly.
 *
 * @param seed           the one source of randomness
 * @param steps          engine steps (one input fed to one engine) in the faulty phase
 * @param nodes          engines in the run (3..7), or 0 to let the seed choose
 * @param faults         the kinds of trouble enabled
 * @param bugs           deliberate engine bugs switched on (names of {@code InjectedFaults.Bug})
 * @param scenario       the scenario ({@link Scenarios#names()})
 * @param traceSize      how many trailing events a failure report shows
 * @param contractChecks whether to check the engine's output contract too (vote/term durable before use, ...), not
 *                       only the Raft safety properties
 * @param finalChecks    whether to heal, check convergence and check linearizability at the end
 */
public record SimOptions(long seed, int steps, int nodes, Set<Fault> faults, List<String> bugs, String scenario,
                         int traceSize, boolean contractChecks, boolean finalChecks) {
    /** Defaults: 3000 steps, seed-chosen size, every fault, no bugs, the chaos scenario. */
    public static SimOptions defaults(long seed) {
        return new SimOptions(seed, 3000, 0, Fault.all(), List.of(), "chaos", 60, true, true);
    }

    /** Validates and copies. */
    public SimOptions {
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(scenario, "scenario");
        faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        bugs = List.copyOf(bugs);
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0");
        }
        if (nodes != 0 && (nodes < 1 || nodes > 9)) {
            throw new IllegalArgumentException("nodes must be between 1 and 9 (or 0 for seed-chosen)");
        }
    }

    public SimOptions withSeed(long s) {
        return new SimOptions(s, steps, nodes, faults, bugs, scenario, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withSteps(int s) {
        return new SimOptions(seed, s, nodes, faults, bugs, scenario, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withNodes(int n) {
        return new SimOptions(seed, steps, n, faults, bugs, scenario, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withFaults(Set<Fault> f) {
        return new SimOptions(seed, steps, nodes, f, bugs, scenario, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withBugs(List<String> b) {
        return new SimOptions(seed, steps, nodes, faults, b, scenario, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withScenario(String s) {
        return new SimOptions(seed, steps, nodes, faults, bugs, s, traceSize, contractChecks, finalChecks);
    }

    public SimOptions withTraceSize(int t) {
        return new SimOptions(seed, steps, nodes, faults, bugs, scenario, t, contractChecks, finalChecks);
    }

    public SimOptions withContractChecks(boolean c) {
        return new SimOptions(seed, steps, nodes, faults, bugs, scenario, traceSize, c, finalChecks);
    }

    public SimOptions withFinalChecks(boolean c) {
        return new SimOptions(seed, steps, nodes, faults, bugs, scenario, traceSize, contractChecks, c);
    }

    /** The command line that replays this run. */
    public String replayCommand() {
        StringBuilder sb = new StringBuilder("./flotilla simulate --seeds 1 --seed ").append(seed)
                .append(" --steps ").append(steps);
        if (nodes != 0) {
            sb.append(" --nodes ").append(nodes);
        }
        sb.append(" --faults ").append(Fault.format(faults));
        if (!scenario.equals("chaos")) {
            sb.append(" --scenario ").append(scenario);
        }
        for (String b : bugs) {
            sb.append(" --inject-bug ").append(b);
        }
        if (!contractChecks) {
            sb.append(" --no-contract-checks");
        }
        if (!finalChecks) {
            sb.append(" --no-final-checks");
        }
        return sb.toString();
    }
}
