package io.flotilla.raft.testkit.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * hashicorp's fuzzy tests (inventory §6.2/§6.3) as simulation scenarios: each runs a few seeds under every invariant,
 * then must converge (identical state machines on every member, hashicorp's VerifyFSM/VerifyLog) with a
 * linearizable client history.
 */
class FuzzyScenariosTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"simple", "partition", "add-membership", "add-remove-not-leader", "remove-leader",
            "remove-partitioned-node", "leadership-transfer", "slow-send-vote", "slow-recv-vote"})
    void scenarioKeepsEveryInvariant(String scenario) {
        int seeds = SimTestSupport.intProperty("flotilla.sim.fuzzySeeds", 3);
        SimOptions base = SimOptions.defaults(1).withSteps(1_000_000).withScenario(scenario);
        List<SimResult> results = new ArrayList<>();
        SimRunner.sweep(base, seeds, SimTestSupport.threads(), false, results::add);
        for (SimResult r : results) {
            assertThat(r.ok()).as(r.report()).isTrue();
            assertThat(r.converged()).isTrue();
            assertThat(r.linearizability()).startsWith("LINEARIZABLE");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"add-membership", "add-remove-not-leader", "remove-leader", "remove-partitioned-node"})
    void membershipScenariosReallyChangeMembership(String scenario) {
        SimResult r = Simulation.run(SimOptions.defaults(1).withSteps(1_000_000).withScenario(scenario));
        assertThat(r.ok()).as(r.report()).isTrue();
        assertThat(r.stats()).doesNotContain("membership=0 ");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"partition", "leadership-transfer", "slow-send-vote", "slow-recv-vote"})
    void leadershipChangesHappen(String scenario) {
        SimResult r = Simulation.run(SimOptions.defaults(2).withSteps(1_000_000).withScenario(scenario));
        assertThat(r.ok()).as(r.report()).isTrue();
        assertThat(r.stats()).doesNotContain("elections=1 ");
    }
}
