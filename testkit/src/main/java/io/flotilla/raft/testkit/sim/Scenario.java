package io.flotilla.raft.testkit.sim;

import java.util.Set;

/**
 * What a simulation run does besides the client workload: the chaos scenario lets a random nemesis loose; the fuzzy
 * scenarios (ports of hashicorp's {@code fuzzy/} tests) script partitions, membership changes, leadership transfers
 * and slow voters at set times.
 */
public interface Scenario {
    /** The name used on the command line. */
    String name();

    /** One line saying what it does. */
    String description();

    /** The faults this scenario runs with, given the ones requested. */
    default Set<Fault> faults(Set<Fault> requested) {
        return requested;
    }

    /** How many engines, given the number requested or drawn from the seed. */
    default int nodes(int suggested) {
        return suggested;
    }

    /** How many of them start as voters, given a suggestion. */
    default int initialVoters(int suggested, int universe) {
        return suggested;
    }

    /** Adjusts the seed-drawn parameters (timeouts, fault rates) before the run starts. */
    default void configure(Simulation sim) {
    }

    /** Schedules the scenario's actions. */
    void start(Simulation sim);

    /** Virtual nanoseconds of the faulty phase, or 0 to run until the step budget is used. */
    default long duration() {
        return 0;
    }

    /** Whether clients issue operations now. */
    default boolean clientsActive(Simulation sim) {
        return true;
    }
}
