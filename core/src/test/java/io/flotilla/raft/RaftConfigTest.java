package io.flotilla.raft;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** hashicorp's DefaultConfig values and ValidateConfig rules, in order, with their texts. */
class RaftConfigTest {

    private static RaftConfig.Builder valid() {
        return RaftConfig.builder().localId("n1");
    }

    @Test
    void defaultsMatchHashicorpDefaultConfig() {
        RaftConfig c = RaftConfig.builder().build();
        assertThat(c.protocolVersion()).isEqualTo(3);
        assertThat(c.heartbeatTimeout()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.commitTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.maxAppendEntries()).isEqualTo(64);
        assertThat(c.shutdownOnRemove()).isTrue();
        assertThat(c.trailingLogs()).isEqualTo(10240);
        assertThat(c.snapshotInterval()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.snapshotThreshold()).isEqualTo(8192);
        assertThat(c.leaderLeaseTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.startAsLeader()).isFalse();
        assertThat(c.localId()).isNull();
        assertThat(c.notifyQueue()).isEmpty();
        assertThat(c.noSnapshotRestoreOnStart()).isFalse();
    }

    @Test
    void theDefaultsWithALocalIdAreValid() {
        valid().build().validate();
    }

    private static void assertInvalid(UnaryOperator<RaftConfig.Builder> change, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> change.apply(valid()).build().validate())
                .withMessage(message);
    }

    @Test
    void protocolVersionMustBeOneToThree() {
        assertInvalid(b -> b.protocolVersion(0), "Protocol version 0 must be >= 1 and <= 3");
        assertInvalid(b -> b.protocolVersion(4), "Protocol version 4 must be >= 1 and <= 3");
        valid().protocolVersion(1).build().validate();
    }

    @Test
    void localIdMustBeSet() {
        assertInvalid(b -> b.localId((ServerId) null), "LocalID cannot be empty");
        assertInvalid(b -> b.localId(""), "LocalID cannot be empty");
    }

    @Test
    void timeoutsHaveFloors() {
        assertInvalid(b -> b.heartbeatTimeout(Duration.ofMillis(4)), "Heartbeat timeout is too low");
        assertInvalid(b -> b.heartbeatTimeout(Duration.ofMillis(-1)), "Heartbeat timeout is too low");
        assertInvalid(b -> b.electionTimeout(Duration.ofMillis(4)), "Election timeout is too low");
        assertInvalid(b -> b.commitTimeout(Duration.ofNanos(999_999)), "Commit timeout is too low");
        assertInvalid(b -> b.snapshotInterval(Duration.ofMillis(4)), "Snapshot interval is too low");
        assertInvalid(b -> b.leaderLeaseTimeout(Duration.ofMillis(4)), "Leader lease timeout is too low");
    }

    @Test
    void maxAppendEntriesIsBounded() {
        assertInvalid(b -> b.maxAppendEntries(0), "MaxAppendEntries must be positive");
        assertInvalid(b -> b.maxAppendEntries(1025), "MaxAppendEntries is too large");
        valid().maxAppendEntries(1024).build().validate();
    }

    @Test
    void leaseAndElectionTimeoutsAreOrderedAgainstTheHeartbeat() {
        assertInvalid(b -> b.leaderLeaseTimeout(Duration.ofMillis(1001)),
                "Leader lease timeout cannot be larger than heartbeat timeout");
        assertInvalid(b -> b.electionTimeout(Duration.ofMillis(999)),
                "Election timeout must be equal or greater than Heartbeat Timeout");
    }

    @Test
    void rulesAreCheckedInHashicorpsOrder() {
        // Both the protocol version and the local id are wrong: the protocol version is reported.
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RaftConfig.builder().protocolVersion(9).build().validate())
                .withMessageStartingWith("Protocol version 9");
        // Heartbeat too low and MaxAppendEntries wrong: the heartbeat comes first.
        assertInvalid(b -> b.heartbeatTimeout(Duration.ofMillis(1)).maxAppendEntries(0), "Heartbeat timeout is too low");
        // Lease larger than heartbeat and election smaller: lease first.
        assertInvalid(b -> b.heartbeatTimeout(Duration.ofMillis(100)).leaderLeaseTimeout(Duration.ofMillis(200))
                .electionTimeout(Duration.ofMillis(50)), "Leader lease timeout cannot be larger than heartbeat timeout");
    }

    @Test
    void toBuilderCopiesEveryField() {
        RaftConfig c = valid().heartbeatTimeout(Duration.ofMillis(50)).electionTimeout(Duration.ofMillis(60))
                .commitTimeout(Duration.ofMillis(5)).maxAppendEntries(7).shutdownOnRemove(false).trailingLogs(3)
                .snapshotInterval(Duration.ofMillis(9)).snapshotThreshold(11).leaderLeaseTimeout(Duration.ofMillis(40))
                .startAsLeader(true).noSnapshotRestoreOnStart(true).protocolVersion(2).build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }
}
