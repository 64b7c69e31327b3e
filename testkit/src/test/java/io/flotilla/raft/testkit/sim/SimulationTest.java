package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator's own machinery: determinism, the simulated log and state machine, options and the command. */
class SimulationTest {
    @Test
    void oneSeedReproducesARunExactly() {
        for (long seed : new long[] {3, 17, 42}) {
            SimOptions o = SimOptions.defaults(seed).withSteps(2000).withTraceSize(200);
            SimResult a = Simulation.run(o);
            SimResult b = Simulation.run(o);
            assertThat(b.steps()).isEqualTo(a.steps());
            assertThat(b.virtualNanos()).isEqualTo(a.virtualNanos());
            assertThat(b.stats()).isEqualTo(a.stats());
            assertThat(b.setup()).isEqualTo(a.setup());
            assertThat(b.linearizability()).isEqualTo(a.linearizability());
        }
        assertThat(Simulation.run(SimOptions.defaults(1).withSteps(2000)).stats())
                .isNotEqualTo(Simulation.run(SimOptions.defaults(2).withSteps(2000)).stats());
    }

    @Test
    void failingRunsReproduceTheirTrace() {
        SimOptions o = SimOptions.defaults(1).withSteps(3000).withBugs(List.of("SKIP_VOTE_UP_TO_DATE_CHECK"))
                .withTraceSize(40);
        SimResult a = Simulation.run(o);
        SimResult b = Simulation.run(o);
        assertThat(a.ok()).isFalse();
        assertThat(a.trace()).hasSize(40).isEqualTo(b.trace());
        assertThat(a.report()).contains("VIOLATION of " + a.violation().invariant()).contains("replay: ");
    }

    @Test
    void everyFaultKindCanRunAlone() {
        for (Fault f : Fault.values()) {
            SimResult r = Simulation.run(SimOptions.defaults(5).withSteps(1500).withFaults(java.util.EnumSet.of(f)));
            assertThat(r.ok()).as(f + ": " + r.report()).isTrue();
        }
        SimResult none = Simulation.run(SimOptions.defaults(5).withSteps(1500).withFaults(Fault.parse("none")));
        assertThat(none.ok()).as(none.report()).isTrue();
    }

    @Test
    void everyClusterSizeRuns() {
        for (int n = 3; n <= 7; n++) {
            SimResult r = Simulation.run(SimOptions.defaults(11).withSteps(1500).withNodes(n));
            assertThat(r.ok()).as(r.report()).isTrue();
            assertThat(r.setup()).startsWith("nodes=" + n + " ");
        }
    }

    @Test
    void faultListsParseAndFormat() {
        assertThat(Fault.parse("all")).isEqualTo(Fault.all());
        assertThat(Fault.parse("none")).isEmpty();
        assertThat(Fault.parse("drop, partition")).containsExactlyInAnyOrder(Fault.DROP, Fault.PARTITION);
        assertThat(Fault.format(Fault.parse("partition,drop"))).isEqualTo("drop,partition");
        assertThatThrownBy(() -> Fault.parse("meteor")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meteor");
    }

    @Test
    void simLogTracksAppendTruncateCompactAndReset() {
        SimLog log = new SimLog();
        log.append(List.of(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)));
        assertThat(log.lastIndex()).isEqualTo(4);
        assertThat(log.lastTerm()).isEqualTo(2);
        log.truncateFrom(3);
        assertThat(log.lastIndex()).isEqualTo(2);
        assertThat(log.get(3)).isNull();
        log.append(List.of(entry(3, 3)));
        log.compactThrough(2);
        assertThat(log.firstIndex()).isEqualTo(3);
        assertThat(log.termAt(2)).isEqualTo(1); // the base keeps the compacted entry's term
        assertThat(log.get(2)).isNull();
        log.resetTo(10, 4);
        assertThat(log.isEmpty()).isTrue();
        assertThat(log.lastIndex()).isEqualTo(10);
        assertThat(log.lastTerm()).isEqualTo(4);
        assertThatThrownBy(() -> log.append(List.of(entry(12, 4)))).isInstanceOf(IllegalStateException.class);
        log.append(List.of(entry(11, 4)));
        assertThat(log.copy().get(11)).isEqualTo(entry(11, 4));
    }

    @Test
    void kvStateMachineAppliesAndRoundTripsItsSnapshot() {
        KvFsm f = new KvFsm();
        f.apply(new LogEntry(1, 1, LogType.CONFIGURATION, new byte[] {1}));
        assertThat(f.apply(cmd(2, new KvCommand(KvCommand.Kind.PUT, 1, "x", "a", null)))).isEqualTo(
                new KvFsm.Result(null, true));
        assertThat(f.apply(cmd(3, new KvCommand(KvCommand.Kind.CAS, 2, "x", "b", "z"))).ok()).isFalse();
        assertThat(f.apply(cmd(4, new KvCommand(KvCommand.Kind.CAS, 3, "x", "b", "a"))).ok()).isTrue();
        assertThat(f.apply(cmd(5, new KvCommand(KvCommand.Kind.GET, 4, "x", null, null))).value()).isEqualTo("b");
        assertThat(f.apply(cmd(6, new KvCommand(KvCommand.Kind.CAS, 5, "y", "c", null))).ok()).isTrue();
        KvFsm g = KvFsm.restore(f.snapshot());
        assertThat(g.appliedIndex()).isEqualTo(6);
        assertThat(g.chain()).isEqualTo(f.chain());
        assertThat(g.digest()).isEqualTo(f.digest());
        assertThat(g.get("y")).isEqualTo("c");
        assertThatThrownBy(() -> f.apply(cmd(9, new KvCommand(KvCommand.Kind.GET, 6, "x", null, null))))
                .isInstanceOf(IllegalStateException.class);
        // A different entry at an index gives a different chain.
        KvFsm h = new KvFsm();
        h.apply(new LogEntry(1, 2, LogType.CONFIGURATION, new byte[] {1}));
        KvFsm i = new KvFsm();
        i.apply(new LogEntry(1, 1, LogType.CONFIGURATION, new byte[] {1}));
        assertThat(h.chain()).isNotEqualTo(i.chain());
    }

    @Test
    void commandListsBugsAndEndsWithTheSummaryLine() {
        Out o = run("--list-bugs");
        assertThat(o.status).isZero();
        assertThat(o.out.trim().split("\\R")).contains("SKIP_VOTE_UP_TO_DATE_CHECK", "COMMIT_EARLIER_TERM_BY_COUNT",
                "ANSWER_VOTE_BEFORE_PERSISTING", "COMMIT_FOLLOWER_ON_MISMATCH");

        o = run("--seeds", "4", "--steps", "800", "--seed", "7", "--threads", "1");
        assertThat(o.status).isZero();
        String[] lines = o.out.trim().split("\\R");
        assertThat(lines[lines.length - 1]).isEqualTo("simulated seeds=4 steps=800 violations=0");
        assertThat(o.err).contains("steps/s");

        o = run("--seeds", "3", "--steps", "3000", "--inject-bug", "skip-vote-up-to-date-check", "--threads", "1",
                "--trace", "5");
        assertThat(o.status).isOne();
        lines = o.out.trim().split("\\R");
        assertThat(lines[lines.length - 1]).matches("simulated seeds=3 steps=3000 violations=[1-3]");
        assertThat(o.out).contains("VIOLATION of").contains(
                "replay: ./flotilla simulate --seeds 1 --seed 1 --steps 3000 --faults all "
                        + "--inject-bug SKIP_VOTE_UP_TO_DATE_CHECK");

        assertThat(run("--faults", "meteor").status).isEqualTo(2);
        assertThat(run("--inject-bug", "NOPE").status).isEqualTo(2);
        assertThat(run("--list-scenarios").out).contains("chaos").contains("slow-recv-vote");
    }

    private record Out(int status, String out, String err) {
    }

    private static Out run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SimulateCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Out(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, LogType.COMMAND, new KvCommand(KvCommand.Kind.PUT, index, "k", "v", null)
                .encode());
    }

    private static LogEntry cmd(long index, KvCommand c) {
        return new LogEntry(index, 1, LogType.COMMAND, c.encode());
    }
}
