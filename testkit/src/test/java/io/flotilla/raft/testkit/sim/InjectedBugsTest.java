package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.engine.SimEngines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the simulator catches each deliberate engine bug within 500 seeds (stopping at the first violation), with
 * the scenario and checks named per bug. The invariant that fires is reported; the replay command must reproduce.
 */
class InjectedBugsTest {
    private static final int MAX_SEEDS = 500;

    private SimResult hunt(String bug, String scenario, boolean contractChecks) {
        SimOptions base = SimOptions.defaults(1).withSteps(3000).withScenario(scenario).withBugs(List.of(bug))
                .withContractChecks(contractChecks);
        List<SimResult> found = new ArrayList<>();
        SimRunner.Summary s = SimRunner.sweep(base, MAX_SEEDS, SimTestSupport.threads(), true, r -> {
            if (!r.ok() && found.isEmpty()) {
                found.add(r);
            }
        });
        assertThat(found).as("%s not detected in %d seeds of %s", bug, s.seeds(), scenario).isNotEmpty();
        SimResult r = found.get(0);
        System.out.printf("%s (%s%s): caught at seed %d (%d seeds) by %s%n", bug, scenario,
                contractChecks ? "" : ", safety properties only", r.options().seed(), r.options().seed(),
                r.violation().invariant());
        assertThat(r.report()).contains("replay: ./flotilla simulate --seeds 1 --seed " + r.options().seed())
                .contains("--inject-bug " + bug);
        // The same options reproduce the same violation at the same step.
        SimResult again = Simulation.run(r.options());
        assertThat(again.violation()).isNotNull();
        assertThat(again.violation().getMessage()).isEqualTo(r.violation().getMessage());
        assertThat(again.steps()).isEqualTo(r.steps());
        return r;
    }

    @ParameterizedTest(name = "{0} in {1} (contract checks {2})")
    @CsvSource({
            "SKIP_VOTE_UP_TO_DATE_CHECK, chaos, true",
            "SKIP_VOTE_UP_TO_DATE_CHECK, hunt, false",
            "COMMIT_EARLIER_TERM_BY_COUNT, hunt, true",
            "COMMIT_EARLIER_TERM_BY_COUNT, hunt, false",
            "ANSWER_VOTE_BEFORE_PERSISTING, chaos, true",
            "ANSWER_VOTE_BEFORE_PERSISTING, hunt, false",
            "COMMIT_FOLLOWER_ON_MISMATCH, chaos, true",
            "COMMIT_FOLLOWER_ON_MISMATCH, hunt, false",
    })
    void bugIsCaughtWithin500Seeds(String bug, String scenario, boolean contractChecks) {
        SimResult r = hunt(bug, scenario, contractChecks);
        if (!contractChecks) {
            assertThat(r.violation().invariant()).isNotEqualTo("engine-contract");
        }
    }

    @Test
    void everyListedBugHasADetectionCase() {
        assertThat(SimEngines.bugNames()).containsExactlyInAnyOrder("SKIP_VOTE_UP_TO_DATE_CHECK",
                "COMMIT_EARLIER_TERM_BY_COUNT", "ANSWER_VOTE_BEFORE_PERSISTING",
                "COMMIT_FOLLOWER_ON_MISMATCH");
    }
}
