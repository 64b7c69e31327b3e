package io.flotilla.raft.testkit.sim.linearizability;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.flotilla.raft.testkit.sim.linearizability.KvInput.cas;
import static io.flotilla.raft.testkit.sim.linearizability.KvInput.read;
import static io.flotilla.raft.testkit.sim.linearizability.KvInput.write;
import static org.assertj.core.api.Assertions.assertThat;

class LinearizabilityCheckerTest {
    private static final KvModel MODEL = new KvModel();
    private final LinearizabilityChecker checker = new LinearizabilityChecker();

    private static Operation<KvInput, KvOutput> w(int c, String key, String v, long call, long ret) {
        return Operation.of(c, write(key, v), KvOutput.written(), call, ret);
    }

    private static Operation<KvInput, KvOutput> r(int c, String key, String v, long call, long ret) {
        return Operation.of(c, read(key), KvOutput.read(v), call, ret);
    }

    private static Operation<KvInput, KvOutput> cs(int c, String key, String exp, String v, boolean ok, long call,
                                                   long ret) {
        return Operation.of(c, cas(key, exp, v), KvOutput.cas(ok), call, ret);
    }

    private static Operation<KvInput, KvOutput> wUnknown(int c, String key, String v, long call) {
        return Operation.unknown(c, write(key, v), call);
    }

    private boolean ok(List<Operation<KvInput, KvOutput>> h) {
        CheckResult<KvInput, KvOutput> r = checker.check(MODEL, h);
        assertThat(r.outcome()).isNotEqualTo(CheckResult.Outcome.UNKNOWN);
        return r.isLinearizable();
    }

    @Test
    void emptyHistoryIsLinearizable() {
        assertThat(ok(List.of())).isTrue();
    }

    @Test
    void sequentialWriteThenRead() {
        assertThat(ok(List.of(w(1, "x", "1", 0, 10), r(2, "x", "1", 20, 30)))).isTrue();
    }

    @Test
    void readOfInitialAbsentValue() {
        assertThat(ok(List.of(r(1, "x", null, 0, 10), w(2, "x", "1", 20, 30)))).isTrue();
        assertThat(ok(List.of(w(2, "x", "1", 0, 10), r(1, "x", null, 20, 30)))).isFalse();
    }

    @Test
    void staleReadAfterWriteCompletesIsNotLinearizable() {
        // write(1) completes, then write(2) completes, then a read returns 1: stale.
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10),
                w(1, "x", "2", 20, 30),
                r(2, "x", "1", 40, 50));
        CheckResult<KvInput, KvOutput> r = checker.check(MODEL, h);
        assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.NOT_LINEARIZABLE);
        assertThat(r.part()).isEqualTo("key=x");
        assertThat(r.describe()).contains("read(x)");
    }

    @Test
    void readConcurrentWithWriteMaySeeEitherValue() {
        assertThat(ok(List.of(w(1, "x", "1", 0, 10), w(1, "x", "2", 20, 50), r(2, "x", "1", 25, 40)))).isTrue();
        assertThat(ok(List.of(w(1, "x", "1", 0, 10), w(1, "x", "2", 20, 50), r(2, "x", "2", 25, 40)))).isTrue();
    }

    @Test
    void concurrentWritesWithReadsSeeingBothOrders() {
        // Two concurrent writes; one reader sees 1 then 2, another sees 2 then 1: no single order explains both.
        List<Operation<KvInput, KvOutput>> bad = List.of(
                w(1, "x", "1", 0, 100),
                w(2, "x", "2", 0, 100),
                r(3, "x", "1", 10, 20), r(3, "x", "2", 30, 40),
                r(4, "x", "2", 10, 20), r(4, "x", "1", 30, 40));
        assertThat(ok(bad)).isFalse();
        // Both readers seeing the same order is fine.
        List<Operation<KvInput, KvOutput>> good = List.of(
                w(1, "x", "1", 0, 100),
                w(2, "x", "2", 0, 100),
                r(3, "x", "1", 10, 20), r(3, "x", "2", 30, 40),
                r(4, "x", "1", 10, 20), r(4, "x", "2", 30, 40));
        assertThat(ok(good)).isTrue();
    }

    @Test
    void readsMustNotGoBackInTimeAcrossClients() {
        // Reader A sees the new value and returns; later reader B sees the old one: not linearizable even though
        // the write is still in progress.
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "0", 0, 5),
                w(1, "x", "1", 10, 100),
                r(2, "x", "1", 20, 30),
                r(3, "x", "0", 40, 50));
        assertThat(ok(h)).isFalse();
    }

    @Test
    void casRaceOnlyOneWinner() {
        List<Operation<KvInput, KvOutput>> bothWin = List.of(
                w(0, "x", "0", 0, 5),
                cs(1, "x", "0", "1", true, 10, 20),
                cs(2, "x", "0", "2", true, 10, 20));
        assertThat(ok(bothWin)).isFalse();
        List<Operation<KvInput, KvOutput>> oneWins = List.of(
                w(0, "x", "0", 0, 5),
                cs(1, "x", "0", "1", true, 10, 20),
                cs(2, "x", "0", "2", false, 10, 20),
                r(3, "x", "1", 30, 40));
        assertThat(ok(oneWins)).isTrue();
        List<Operation<KvInput, KvOutput>> loserValueVisible = List.of(
                w(0, "x", "0", 0, 5),
                cs(1, "x", "0", "1", true, 10, 20),
                cs(2, "x", "0", "2", false, 10, 20),
                r(3, "x", "2", 30, 40));
        assertThat(ok(loserValueVisible)).isFalse();
    }

    @Test
    void casFailureNeedsADifferentValue() {
        assertThat(ok(List.of(w(0, "x", "0", 0, 5), cs(1, "x", "0", "1", false, 10, 20)))).isFalse();
        assertThat(ok(List.of(cs(1, "x", null, "1", true, 0, 10), r(2, "x", "1", 20, 30)))).isTrue();
    }

    @Test
    void unknownWriteSeenLater() {
        // A write whose client timed out is observed long after: it took effect.
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10),
                wUnknown(2, "x", "2", 20),
                r(3, "x", "1", 30, 40),
                r(3, "x", "2", 1000, 1010));
        assertThat(ok(h)).isTrue();
    }

    @Test
    void unknownWriteNeverSeen() {
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10),
                wUnknown(2, "x", "2", 20),
                r(3, "x", "1", 30, 40),
                r(3, "x", "1", 1000, 1010));
        assertThat(ok(h)).isTrue();
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItsCall() {
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10),
                r(3, "x", "2", 30, 40),
                wUnknown(2, "x", "2", 50));
        assertThat(ok(h)).isFalse();
    }

    @Test
    void unknownWriteSeenThenUnseenIsNotLinearizable() {
        // Once a read observed the unknown write, a later read cannot see the older value again.
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10),
                wUnknown(2, "x", "2", 20),
                r(3, "x", "2", 30, 40),
                r(3, "x", "1", 50, 60));
        assertThat(ok(h)).isFalse();
    }

    @Test
    void unknownCasMayOrMayNotApply() {
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "a", 0, 10),
                Operation.unknown(2, cas("x", "a", "b"), 20),
                r(3, "x", "a", 30, 40),
                r(3, "x", "b", 50, 60));
        assertThat(ok(h)).isTrue();
    }

    @Test
    void keysAreIndependent() {
        List<Operation<KvInput, KvOutput>> h = List.of(
                w(1, "x", "1", 0, 10), w(1, "y", "1", 0, 10),
                r(2, "x", "1", 20, 30), r(2, "y", null, 20, 30));
        CheckResult<KvInput, KvOutput> r = checker.check(MODEL, h);
        assertThat(r.isLinearizable()).isFalse();
        assertThat(r.part()).isEqualTo("key=y");
    }

    @Test
    void touchingIntervalsAreConcurrent() {
        // A write returning at 10 and a read called at 10 may be ordered either way.
        assertThat(ok(List.of(w(1, "x", "1", 0, 10), r(2, "x", null, 10, 20)))).isTrue();
    }

    @Test
    void budgetExhaustionIsUndecided() {
        List<Operation<KvInput, KvOutput>> h = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            h.add(w(i, "x", "v" + i, 0, 100));
        }
        h.add(r(99, "x", "nope", 200, 300));
        CheckResult<KvInput, KvOutput> r = new LinearizabilityChecker(50).check(MODEL, h);
        assertThat(r.outcome()).isEqualTo(CheckResult.Outcome.UNKNOWN);
    }

    @Test
    void largeRandomSequentiallyConsistentHistoriesAreLinearizable() {
        // Generate histories from a real atomic register with random overlap: always linearizable.
        Random rnd = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<Operation<KvInput, KvOutput>> h = new ArrayList<>();
            String value = null;
            long t = 0;
            for (int i = 0; i < 200; i++) {
                long call = t - rnd.nextInt(20);
                long point = t;
                long ret = t + rnd.nextInt(20);
                t += 1 + rnd.nextInt(5);
                int kind = rnd.nextInt(3);
                if (kind == 0) {
                    value = "v" + i;
                    h.add(w(i % 5, "k", value, Math.max(0, call), ret));
                } else if (kind == 1) {
                    h.add(r(i % 5, "k", value, Math.max(0, call), ret));
                } else {
                    String exp = rnd.nextBoolean() ? value : "v" + rnd.nextInt(i + 1);
                    boolean okCas = java.util.Objects.equals(exp, value);
                    if (okCas) {
                        value = "c" + i;
                    }
                    h.add(cs(i % 5, "k", exp, "c" + i, okCas, Math.max(0, call), ret));
                }
                assertThat(point).isGreaterThanOrEqualTo(0);
            }
            assertThat(ok(h)).as("round %d", round).isTrue();
        }
    }
}
