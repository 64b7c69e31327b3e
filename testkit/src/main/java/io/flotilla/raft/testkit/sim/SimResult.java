package io.flotilla.raft.testkit.sim;

import java.util.List;

/**
 * The outcome of one simulated seed.
 *
 * @param options         what was run (replays it exactly)
 * @param steps           engine steps executed (faulty phase plus healing)
 * @param virtualNanos    virtual time reached
 * @param violation       the invariant that failed, or {@code null}
 * @param trace           the last events before the failure (empty on success)
 * @param setup           the parameters the seed chose
 * @param stats           counters (elections, crashes, commits, client operations, ...)
 * @param converged       whether the cluster converged after healing
 * @param linearizability the linearizability verdict
 */
public record SimResult(SimOptions options, long steps, long virtualNanos, Violation violation, List<String> trace,
                        String setup, String stats, boolean converged, String linearizability) {
    /** Whether no invariant failed. */
    public boolean ok() {
        return violation == null;
    }

    /** A readable report: verdict, setup, and for a failure the trace and the replay command. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        if (ok()) {
            sb.append("seed ").append(options.seed()).append(": ok, ").append(steps).append(" steps, ")
                    .append(virtualNanos / 1_000_000).append("ms virtual; ").append(stats);
            return sb.toString();
        }
        sb.append("seed ").append(options.seed()).append(": VIOLATION of ").append(violation.invariant())
                .append(" after ").append(steps).append(" steps at ").append(String.format("%.3f", virtualNanos / 1e6))
                .append("ms virtual\n");
        sb.append("  ").append(violation.getMessage().replace("\n", "\n  ")).append('\n');
        sb.append("  setup: ").append(setup).append('\n');
        sb.append("  scenario: ").append(options.scenario()).append(", faults: ").append(Fault.format(options.faults()))
                .append(options.bugs().isEmpty() ? "" : ", injected bugs: " + options.bugs()).append('\n');
        sb.append("  stats: ").append(stats).append('\n');
        sb.append("  last ").append(trace.size()).append(" events (time, node, direction, input/output):\n");
        for (String line : trace) {
            sb.append("    ").append(line).append('\n');
        }
        sb.append("  replay: ").append(options.replayCommand()).append('\n');
        return sb.toString();
    }
}
