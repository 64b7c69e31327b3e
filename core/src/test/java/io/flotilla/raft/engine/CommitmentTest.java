package io.flotilla.raft.engine;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports commitment_test.go: quorum commit over voters' match indexes with the start-index rule. */
class CommitmentTest {

    private static Configuration configuration(String... ids) {
        List<Server> servers = new ArrayList<>();
        for (String id : ids) {
            servers.add(Server.voter(id, id + "addr"));
        }
        return new Configuration(servers);
    }

    private static Configuration voters(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = "s" + (i + 1);
        }
        return configuration(ids);
    }

    private static ServerId id(String s) {
        return ServerId.of(s);
    }

    @Test
    @DisplayName("TestCommitment_setVoters: new voters start at 0, surviving voters keep their match index")
    void setVoters() {
        Commitment c = new Commitment(configuration("a", "b", "c"), 0);
        c.match(id("a"), 10);
        c.match(id("b"), 20);
        assertThat(c.match(id("c"), 30)).as("notified").isTrue();
        assertThat(c.commitIndex()).isEqualTo(20);
        // c, d, e: c keeps 30, d and e start at 0
        assertThat(c.setConfiguration(configuration("c", "d", "e"))).isFalse();
        assertThat(c.match(id("e"), 40)).as("notified").isTrue();
        assertThat(c.commitIndex()).isEqualTo(30);
    }

    @Test
    @DisplayName("TestCommitment_match_max: a lower match never lowers a server's index")
    void matchMax() {
        Commitment c = new Commitment(voters(5), 4);
        c.match(id("s1"), 8);
        c.match(id("s2"), 8);
        c.match(id("s2"), 1);
        c.match(id("s3"), 8);
        assertThat(c.commitIndex()).isEqualTo(8);
    }

    @Test
    @DisplayName("TestCommitment_match_nonVoting: matches from non-voters are ignored")
    void matchNonVoting() {
        Commitment c = new Commitment(voters(5), 4);
        c.match(id("s1"), 8);
        c.match(id("s2"), 8);
        assertThat(c.match(id("s3"), 8)).isTrue();
        assertThat(c.match(id("s90"), 10)).isFalse();
        assertThat(c.match(id("s91"), 10)).isFalse();
        assertThat(c.match(id("s92"), 10)).isFalse();
        assertThat(c.commitIndex()).isEqualTo(8);
    }

    @Test
    @DisplayName("TestCommitment_recalculate: the commit index follows the median as voters change")
    void recalculate() {
        Commitment c = new Commitment(voters(5), 0);
        c.match(id("s1"), 30);
        c.match(id("s2"), 20);
        assertThat(c.commitIndex()).isZero();
        c.match(id("s3"), 10);
        assertThat(c.commitIndex()).isEqualTo(10);
        c.match(id("s4"), 15);
        assertThat(c.commitIndex()).isEqualTo(15);
        c.setConfiguration(voters(3));
        assertThat(c.commitIndex()).isEqualTo(20);
        c.setConfiguration(voters(4)); // s4 comes back at 0
        assertThat(c.match(id("s2"), 25)).as("no notify").isFalse();
        assertThat(c.commitIndex()).isEqualTo(20);
        c.match(id("s4"), 23);
        assertThat(c.commitIndex()).isEqualTo(23);
    }

    @Test
    @DisplayName("TestCommitment_recalculate_startIndex: nothing below the leader's first index commits")
    void recalculateStartIndex() {
        Commitment c = new Commitment(voters(5), 4);
        c.match(id("s1"), 3);
        c.match(id("s2"), 3);
        c.match(id("s3"), 3);
        assertThat(c.commitIndex()).isZero();
        c.match(id("s1"), 4);
        c.match(id("s2"), 4);
        c.match(id("s3"), 4);
        assertThat(c.commitIndex()).isEqualTo(4);
    }

    @Test
    @DisplayName("TestCommitment_noVoterSanity: an empty configuration never commits")
    void noVoterSanity() {
        Commitment c = new Commitment(Configuration.EMPTY, 4);
        c.match(id("s1"), 10);
        c.setConfiguration(Configuration.EMPTY);
        c.match(id("s1"), 10);
        assertThat(c.commitIndex()).isZero();
        c.setConfiguration(voters(1));
        c.match(id("s1"), 10);
        assertThat(c.commitIndex()).isEqualTo(10);
        c.setConfiguration(Configuration.EMPTY);
        assertThat(c.match(id("s1"), 20)).isFalse();
        assertThat(c.commitIndex()).isEqualTo(10);
    }

    @Test
    @DisplayName("TestCommitment_singleVoter: one voter commits alone")
    void singleVoter() {
        Commitment c = new Commitment(voters(1), 4);
        assertThat(c.match(id("s1"), 10)).isTrue();
        assertThat(c.commitIndex()).isEqualTo(10);
        assertThat(c.setConfiguration(voters(1))).as("no notify").isFalse();
        assertThat(c.match(id("s1"), 12)).isTrue();
        assertThat(c.commitIndex()).isEqualTo(12);
    }
}
