package io.flotilla.raft.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The deterministic simulator's door into the engine package: it builds engines with deliberate bugs switched on
 * (through the package-private constructor that takes {@link InjectedFaults}) and lists the bugs that exist. It lives
 * in the testkit jar under the engine's package name, so nothing in {@code core} can reach it: only code that puts
 * the testkit on its classpath — the simulator — can make a buggy engine.
 */
public final class SimEngines {
    private SimEngines() {
    }

    /** The names of the deliberate engine bugs, in declaration order. */
    public static List<String> bugNames() {
        List<String> names = new ArrayList<>();
        for (InjectedFaults.Bug b : InjectedFaults.Bug.values()) {
            names.add(b.name());
        }
        return names;
    }

    /**
     * An engine with the named bugs switched on (none for an empty collection).
     *
     * @throws IllegalArgumentException for an unknown bug name
     */
    public static Engine create(EngineConfig config, RestoredState restored, LongSupplier clock,
                                RandomGenerator random, EngineMetrics metrics, Collection<String> bugs) {
        EnumSet<InjectedFaults.Bug> set = EnumSet.noneOf(InjectedFaults.Bug.class);
        for (String name : bugs) {
            try {
                set.add(InjectedFaults.Bug.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown bug '" + name + "'; known bugs: " + bugNames(), e);
            }
        }
        InjectedFaults faults = set.isEmpty() ? InjectedFaults.NONE : new InjectedFaults(set);
        return new Engine(config, restored, clock, random, metrics, faults);
    }
}
