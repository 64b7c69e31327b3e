package io.flotilla.raft.testkit.sim.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a concurrent history is linearizable with respect to a sequential {@link Model}: the algorithm of
 * Wing &amp; Gong as improved by Lowe and implemented by Porcupine. The history is split into independent parts by
 * {@link Model#partition} and each part is searched depth-first over the call/return event list: an operation may
 * be linearized when its call is reached and the model accepts its output; reaching the return of an operation not
 * yet linearized forces backtracking. Visited (set of linearized operations, model state) pairs are memoised, which
 * makes the search polynomial for most real histories.
 *
 * <p>Operations of unknown outcome return at infinity, so they may be linearized anywhere after their call — or at
 * the very end, after everything else, which is the same as never having taken effect.
 *
 * <p>Events at equal times are ordered calls first, so an operation returning at {@code t} is treated as concurrent
 * with one called at {@code t} (the permissive choice: no false alarms from clock granularity).
 */
public final class LinearizabilityChecker {
    private final long maxStates;

    /** A checker with a budget of 10 million explored states per history. */
    public LinearizabilityChecker() {
        this(10_000_000L);
    }

    /** A checker that gives up ({@link CheckResult.Outcome#UNKNOWN}) after exploring {@code maxStates} states. */
    public LinearizabilityChecker(long maxStates) {
        if (maxStates <= 0) {
            throw new IllegalArgumentException("maxStates must be positive");
        }
        this.maxStates = maxStates;
    }

    /** Checks a history against a model. */
    public <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history) {
        long explored = 0;
        boolean undecided = false;
        CheckResult<I, O> firstUndecided = null;
        for (List<Operation<I, O>> part : model.partition(history)) {
            PartResult<I, O> r = checkPart(model, part, maxStates);
            explored += r.explored;
            if (r.outcome == CheckResult.Outcome.NOT_LINEARIZABLE) {
                return new CheckResult<>(r.outcome, model.describePart(part), byCall(part), r.longestPrefix, explored);
            }
            if (r.outcome == CheckResult.Outcome.UNKNOWN && !undecided) {
                undecided = true;
                firstUndecided = new CheckResult<>(r.outcome, model.describePart(part), byCall(part), r.longestPrefix, 0);
            }
        }
        if (undecided) {
            return new CheckResult<>(CheckResult.Outcome.UNKNOWN, firstUndecided.part(), firstUndecided.operations(),
                    firstUndecided.longestPrefix(), explored);
        }
        return new CheckResult<>(CheckResult.Outcome.LINEARIZABLE, "", List.of(), List.of(), explored);
    }

    private static <I, O> List<Operation<I, O>> byCall(List<Operation<I, O>> part) {
        List<Operation<I, O>> sorted = new ArrayList<>(part);
        sorted.sort(Comparator.comparingLong(Operation::callTime));
        return sorted;
    }

    private record PartResult<I, O>(CheckResult.Outcome outcome, List<Operation<I, O>> longestPrefix, long explored) {
    }

    /** A node of the doubly linked call/return event list. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match; // call -> its return
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Entry call, Object state) {
    }

    /** Memo key: which operations are linearized, and the model state reached. */
    private static final class Visited {
        final long[] bits;
        final Object state;
        final int hash;

        Visited(long[] bits, Object state) {
            this.bits = bits;
            this.state = state;
            this.hash = 31 * Arrays.hashCode(bits) + state.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Visited v && v.hash == hash && Arrays.equals(v.bits, bits) && v.state.equals(state);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static <S, I, O> PartResult<I, O> checkPart(Model<S, I, O> model, List<Operation<I, O>> ops,
                                                        long budget) {
        int n = ops.size();
        if (n == 0) {
            return new PartResult<>(CheckResult.Outcome.LINEARIZABLE, List.of(), 0);
        }
        List<Entry> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Operation<I, O> op = ops.get(i);
            Entry c = new Entry(i, true, op.callTime());
            Entry r = new Entry(i, false, op.returnTime());
            c.match = r;
            events.add(c);
            events.add(r);
        }
        // Stable sort: by time, calls before returns at equal times, then by operation order.
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1)
                .thenComparingInt(e -> e.op));
        Entry head = new Entry(-1, false, Long.MIN_VALUE);
        Entry prev = head;
        for (Entry e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }

        long[] linearized = new long[(n + 63) / 64];
        Set<Visited> cache = new HashSet<>();
        ArrayList<Frame> stack = new ArrayList<>();
        List<Operation<I, O>> longest = List.of();
        S state = model.initialState();
        Entry entry = head.next;
        long explored = 0;
        while (head.next != null) {
            if (explored >= budget) {
                return new PartResult<>(CheckResult.Outcome.UNKNOWN, longest, explored);
            }
            if (entry.call) {
                Operation<I, O> op = ops.get(entry.op);
                Optional<S> next = model.step(state, op.input(), op.output());
                boolean advanced = false;
                if (next.isPresent()) {
                    long[] bits = linearized.clone();
                    bits[entry.op >>> 6] |= 1L << (entry.op & 63);
                    explored++;
                    if (cache.add(new Visited(bits, next.get()))) {
                        stack.add(new Frame(entry, state));
                        state = next.get();
                        linearized = bits;
                        lift(entry);
                        if (stack.size() > longest.size()) {
                            List<Operation<I, O>> prefix = new ArrayList<>(stack.size());
                            for (Frame f : stack) {
                                prefix.add(ops.get(f.call.op));
                            }
                            longest = prefix;
                        }
                        entry = head.next;
                        advanced = true;
                    }
                }
                if (!advanced) {
                    entry = entry.next;
                }
            } else {
                // The return of an operation not yet linearized: undo the last choice.
                if (stack.isEmpty()) {
                    return new PartResult<>(CheckResult.Outcome.NOT_LINEARIZABLE, longest, explored);
                }
                Frame f = stack.remove(stack.size() - 1);
                @SuppressWarnings("unchecked")
                S restored = (S) f.state;
                state = restored;
                linearized = linearized.clone();
                linearized[f.call.op >>> 6] &= ~(1L << (f.call.op & 63));
                unlift(f.call);
                entry = f.call.next;
            }
        }
        return new PartResult<>(CheckResult.Outcome.LINEARIZABLE, List.of(), explored);
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
