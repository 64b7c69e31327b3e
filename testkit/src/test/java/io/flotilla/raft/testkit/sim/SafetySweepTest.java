package io.flotilla.raft.testkit.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI sweep: many seeds of the chaos scenario with every fault enabled; no invariant may fail, every run must
 * converge after healing, and every client history must be linearizable. Bounded for CI (300 seeds x 3000 steps by
 * default, well under a minute on 2 cores); soak with {@code -Dflotilla.sim.seeds=N -Dflotilla.sim.steps=M
 * -Dflotilla.sim.seed=S -Dflotilla.sim.scenario=NAME -Dflotilla.sim.faults=LIST}.
 */
class SafetySweepTest {
    @Test
    void chaosSweepFindsNoViolation() {
        int seeds = SimTestSupport.intProperty("flotilla.sim.seeds", 300);
        int steps = SimTestSupport.intProperty("flotilla.sim.steps", 3000);
        long first = SimTestSupport.longProperty("flotilla.sim.seed", 1);
        String scenario = SimTestSupport.property("flotilla.sim.scenario", "chaos");
        SimOptions base = SimOptions.defaults(first).withSteps(steps).withScenario(scenario)
                .withFaults(Fault.parse(SimTestSupport.property("flotilla.sim.faults", "all")));
        List<String> reports = new ArrayList<>();
        SimRunner.Summary s = SimRunner.sweep(base, seeds, SimTestSupport.threads(), false, r -> {
            if (!r.ok()) {
                reports.add(r.report());
            }
        });
        System.out.printf("sweep %s: %d seeds, %d engine steps in %.1fs = %,.0f steps/s, %d violations%n", scenario,
                s.seeds(), s.steps(), s.wallNanos() / 1e9, s.stepsPerSecond(), s.violations());
        assertThat(reports).as("violations").isEmpty();
        assertThat(s.seeds()).isEqualTo(seeds);
    }

    /** Membership churn with snapshots: this mix exposed the snapshot-install bug (about 5% of seeds before the fix). */
    @Test
    void membershipChurnSweepFindsNoViolation() {
        int seeds = SimTestSupport.intProperty("flotilla.sim.churnSeeds", 150);
        SimOptions base = SimOptions.defaults(2_000_000).withSteps(5000).withScenario("membership-churn");
        List<String> reports = new ArrayList<>();
        SimRunner.Summary s = SimRunner.sweep(base, seeds, SimTestSupport.threads(), false, r -> {
            if (!r.ok()) {
                reports.add(r.report());
            }
        });
        assertThat(reports).as("violations").isEmpty();
        assertThat(s.seeds()).isEqualTo(seeds);
    }

    @Test
    void huntSweepFindsNoViolation() {
        int seeds = SimTestSupport.intProperty("flotilla.sim.huntSeeds", 100);
        SimOptions base = SimOptions.defaults(1_000_000).withSteps(3000).withScenario("hunt");
        List<String> reports = new ArrayList<>();
        SimRunner.Summary s = SimRunner.sweep(base, seeds, SimTestSupport.threads(), false, r -> {
            if (!r.ok()) {
                reports.add(r.report());
            }
        });
        assertThat(reports).as("violations").isEmpty();
        assertThat(s.seeds()).isEqualTo(seeds);
    }
}
