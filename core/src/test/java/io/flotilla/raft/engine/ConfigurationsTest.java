package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Latest versus committed configuration tracking (Raft §6, inventory §3.7). */
class ConfigurationsTest {
    private final Configuration one = Configuration.of(Server.voter("a", "A"));
    private final Configuration two = Configuration.of(Server.voter("a", "A"), Server.voter("b", "B"));
    private final Configuration three = Configuration.of(Server.voter("a", "A"), Server.voter("b", "B"),
            Server.voter("c", "C"));

    @Test
    void appendingMakesTheNewConfigurationLatestAndThePreviousCommitted() {
        Configurations c = Configurations.of(one, 1).appended(two, 5);
        assertThat(c.latest()).isEqualTo(two);
        assertThat(c.latestIndex()).isEqualTo(5);
        assertThat(c.committed()).isEqualTo(one);
        assertThat(c.committedIndex()).isEqualTo(1);
        assertThat(c.isStable()).isFalse();
    }

    @Test
    void commitPromotesTheLatestOnlyOnceCovered() {
        Configurations c = Configurations.of(one, 1).appended(two, 5);
        assertThat(c.committedThrough(4)).isSameAs(c);
        Configurations committed = c.committedThrough(5);
        assertThat(committed.committed()).isEqualTo(two);
        assertThat(committed.committedIndex()).isEqualTo(5);
        assertThat(committed.isStable()).isTrue();
    }

    @Test
    void truncatingTheLatestEntryFallsBackToTheCommittedConfiguration() {
        Configurations c = Configurations.of(one, 1).appended(two, 5);
        assertThat(c.truncatedFrom(6)).isSameAs(c);
        Configurations fallback = c.truncatedFrom(5);
        assertThat(fallback.latest()).isEqualTo(one);
        assertThat(fallback.latestIndex()).isEqualTo(1);
        assertThat(fallback.isStable()).isTrue();
    }

    @Test
    void afterRestartTheScanLeavesTheSecondToLastCommittedAndTheLastLatest() {
        Configurations c = Configurations.NONE.appended(one, 1).appended(two, 3).appended(three, 7);
        assertThat(c.committed()).isEqualTo(two);
        assertThat(c.latest()).isEqualTo(three);
    }
}
