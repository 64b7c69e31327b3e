package io.flotilla.raft;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.flotilla.raft.ConfigurationChangeCommand.ADD_NONVOTER;
import static io.flotilla.raft.ConfigurationChangeCommand.ADD_STAGING;
import static io.flotilla.raft.ConfigurationChangeCommand.DEMOTE_VOTER;
import static io.flotilla.raft.ConfigurationChangeCommand.PROMOTE;
import static io.flotilla.raft.ConfigurationChangeCommand.REMOVE_SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports configuration_test.go (membership rules); the codec round trips live with the codec's tests. */
class ConfigurationTest {

    private static Server server(Suffrage s, String id, String addr) {
        return new Server(s, ServerId.of(id), ServerAddress.of(addr));
    }

    static final Configuration SAMPLE = Configuration.of(
            server(Suffrage.NONVOTER, "id0", "addr0"),
            server(Suffrage.VOTER, "id1", "addr1"),
            server(Suffrage.STAGING, "id2", "addr2"));
    static final Configuration SINGLE = Configuration.of(server(Suffrage.VOTER, "id1", "addr1x"));
    static final Configuration ONE_OF_EACH = Configuration.of(
            server(Suffrage.VOTER, "id1", "addr1x"),
            server(Suffrage.STAGING, "id2", "addr2x"),
            server(Suffrage.NONVOTER, "id3", "addr3x"));
    static final Configuration VOTER_PAIR = Configuration.of(
            server(Suffrage.VOTER, "id1", "addr1x"),
            server(Suffrage.VOTER, "id2", "addr2x"));

    @Test
    @DisplayName("TestConfiguration_Configuration_Clone: configurations are immutable values")
    void configurationIsImmutable() {
        List<Server> servers = new ArrayList<>(SAMPLE.servers());
        Configuration copy = new Configuration(servers);
        servers.clear();
        assertThat(copy).isEqualTo(SAMPLE);
        assertThatThrownBy(() -> copy.servers().add(server(Suffrage.VOTER, "x", "y")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("TestConfiguration_hasVote")
    void hasVote() {
        assertThat(SAMPLE.hasVote(ServerId.of("id0"))).isFalse();
        assertThat(SAMPLE.hasVote(ServerId.of("id1"))).isTrue();
        assertThat(SAMPLE.hasVote(ServerId.of("id2"))).isFalse();
        assertThat(SAMPLE.hasVote(ServerId.of("someotherid"))).isFalse();
    }

    @Test
    @DisplayName("TestConfiguration_checkConfiguration")
    void checkConfiguration() {
        assertThatThrownBy(Configuration.EMPTY::check).isInstanceOf(ConfigurationException.class)
                .hasMessage("Need at least one voter in configuration: {[]}");
        Configuration onlyNonvoter = Configuration.of(server(Suffrage.NONVOTER, "id1", "addr1"));
        assertThatThrownBy(onlyNonvoter::check).hasMessage("Need at least one voter in configuration: {[{Nonvoter id1 addr1}]}");
        Configuration ok = Configuration.of(server(Suffrage.NONVOTER, "id1", "addr1"), server(Suffrage.VOTER, "id2", "addr2"));
        ok.check();
        Configuration dupId = Configuration.of(server(Suffrage.VOTER, "id1", "addr1"), server(Suffrage.VOTER, "id1", "addr2"));
        assertThatThrownBy(dupId::check).hasMessage("Found duplicate ID in configuration: id1");
        Configuration dupAddr = Configuration.of(server(Suffrage.VOTER, "id1", "addr1"), server(Suffrage.VOTER, "id2", "addr1"));
        assertThatThrownBy(dupAddr::check).hasMessage("Found duplicate address in configuration: addr1");
    }

    @Test
    void checkConfigurationReportsEmptyIdsAndAddressesWithGoFormatting() {
        Configuration emptyId = Configuration.of(server(Suffrage.VOTER, "", "addr1"));
        assertThatThrownBy(emptyId::check).hasMessage("Empty ID in configuration: {[{Voter  addr1}]}");
        Configuration emptyAddr = Configuration.of(server(Suffrage.VOTER, "id1", ""));
        assertThatThrownBy(emptyAddr::check).hasMessage("Empty address in configuration: {Voter id1 }");
    }

    static Stream<Arguments> nextConfigurationTable() {
        return Stream.of(
                Arguments.of(1, Configuration.EMPTY, ADD_STAGING, 1, "{[{Voter id1 addr1}]}"),
                Arguments.of(2, SINGLE, ADD_STAGING, 2, "{[{Voter id1 addr1x} {Voter id2 addr2}]}"),
                Arguments.of(3, SINGLE, ADD_STAGING, 1, "{[{Voter id1 addr1}]}"),
                Arguments.of(4, ONE_OF_EACH, ADD_STAGING, 2, "{[{Voter id1 addr1x} {Voter id2 addr2} {Nonvoter id3 addr3x}]}"),
                Arguments.of(5, ONE_OF_EACH, ADD_STAGING, 3, "{[{Voter id1 addr1x} {Staging id2 addr2x} {Voter id3 addr3}]}"),
                Arguments.of(6, SINGLE, ADD_NONVOTER, 2, "{[{Voter id1 addr1x} {Nonvoter id2 addr2}]}"),
                Arguments.of(7, SINGLE, ADD_NONVOTER, 1, "{[{Voter id1 addr1}]}"),
                Arguments.of(8, ONE_OF_EACH, ADD_NONVOTER, 2, "{[{Voter id1 addr1x} {Staging id2 addr2} {Nonvoter id3 addr3x}]}"),
                Arguments.of(9, ONE_OF_EACH, ADD_NONVOTER, 3, "{[{Voter id1 addr1x} {Staging id2 addr2x} {Nonvoter id3 addr3}]}"),
                Arguments.of(10, SINGLE, DEMOTE_VOTER, 2, "{[{Voter id1 addr1x}]}"),
                Arguments.of(11, VOTER_PAIR, DEMOTE_VOTER, 2, "{[{Voter id1 addr1x} {Nonvoter id2 addr2x}]}"),
                Arguments.of(12, ONE_OF_EACH, DEMOTE_VOTER, 2, "{[{Voter id1 addr1x} {Nonvoter id2 addr2x} {Nonvoter id3 addr3x}]}"),
                Arguments.of(13, ONE_OF_EACH, DEMOTE_VOTER, 3, "{[{Voter id1 addr1x} {Staging id2 addr2x} {Nonvoter id3 addr3x}]}"),
                Arguments.of(14, SINGLE, REMOVE_SERVER, 2, "{[{Voter id1 addr1x}]}"),
                Arguments.of(15, VOTER_PAIR, REMOVE_SERVER, 2, "{[{Voter id1 addr1x}]}"),
                Arguments.of(16, ONE_OF_EACH, REMOVE_SERVER, 2, "{[{Voter id1 addr1x} {Nonvoter id3 addr3x}]}"),
                Arguments.of(17, ONE_OF_EACH, REMOVE_SERVER, 3, "{[{Voter id1 addr1x} {Staging id2 addr2x}]}"),
                Arguments.of(18, SINGLE, PROMOTE, 2, "{[{Voter id1 addr1x}]}"),
                Arguments.of(19, SINGLE, PROMOTE, 1, "{[{Voter id1 addr1x}]}"),
                Arguments.of(20, ONE_OF_EACH, PROMOTE, 2, "{[{Voter id1 addr1x} {Voter id2 addr2x} {Nonvoter id3 addr3x}]}"),
                Arguments.of(21, ONE_OF_EACH, PROMOTE, 3, "{[{Voter id1 addr1x} {Staging id2 addr2x} {Nonvoter id3 addr3x}]}"));
    }

    @ParameterizedTest(name = "TestConfiguration_nextConfiguration_table row {0}")
    @MethodSource("nextConfigurationTable")
    void nextConfiguration(int row, Configuration current, ConfigurationChangeCommand command, int n, String expected) {
        ConfigurationChangeRequest change = new ConfigurationChangeRequest(command, ServerId.of("id" + n),
                ServerAddress.of("addr" + n), 0);
        assertThat(current.next(1, change).toString()).isEqualTo(expected);
    }

    @Test
    @DisplayName("TestConfiguration_nextConfiguration_prevIndex")
    void nextConfigurationPrevIndex() {
        ConfigurationChangeRequest stale = new ConfigurationChangeRequest(ADD_STAGING, ServerId.of("id1"),
                ServerAddress.of("addr1"), 1);
        assertThatThrownBy(() -> SINGLE.next(2, stale)).isInstanceOf(ConfigurationException.class)
                .hasMessage("Configuration changed since 1 (latest is 2)");
        ConfigurationChangeRequest current = new ConfigurationChangeRequest(ADD_STAGING, ServerId.of("id2"),
                ServerAddress.of("addr2"), 2);
        assertThat(SINGLE.next(2, current).servers()).hasSize(2);
        ConfigurationChangeRequest any = new ConfigurationChangeRequest(ADD_STAGING, ServerId.of("id3"),
                ServerAddress.of("addr3"), 0);
        assertThat(SINGLE.next(2, any).servers()).hasSize(2);
    }

    @Test
    @DisplayName("TestConfiguration_nextConfiguration_checkConfiguration")
    void nextConfigurationIsChecked() {
        ConfigurationChangeRequest change = new ConfigurationChangeRequest(ADD_NONVOTER, ServerId.of("id1"),
                ServerAddress.of("addr1"), 0);
        assertThatThrownBy(() -> Configuration.EMPTY.next(1, change)).hasMessageContaining("at least one voter");
    }

    @Test
    void removingTheLastVoterIsRefused() {
        ConfigurationChangeRequest change = new ConfigurationChangeRequest(REMOVE_SERVER, ServerId.of("id1"),
                ServerAddress.NONE, 0);
        assertThatThrownBy(() -> SINGLE.next(1, change)).hasMessage("Need at least one voter in configuration: {[]}");
    }

    @Test
    void quorumSizeCountsOnlyVoters() {
        assertThat(Configuration.EMPTY.quorumSize()).isEqualTo(1);
        assertThat(ONE_OF_EACH.quorumSize()).isEqualTo(1);
        assertThat(VOTER_PAIR.quorumSize()).isEqualTo(2);
        assertThat(Configuration.of(Server.voter("a", "A"), Server.voter("b", "B"), Server.voter("c", "C")).quorumSize())
                .isEqualTo(2);
    }
}
