package io.flotilla.raft;

import io.flotilla.raft.internal.json.JsonException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PeersJsonTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("peers.json"), content);
    }

    /** TestPeersJSON_BadConfiguration. */
    @Test
    void nullIsAnEmptyConfigurationWhichHasNoVoter() throws IOException {
        Path path = file("null");
        assertThatThrownBy(() -> PeersJson.readPeersJson(path)).isInstanceOf(ConfigurationException.class)
                .hasMessage("Need at least one voter in configuration: {[]}");
        assertThatThrownBy(() -> PeersJson.readConfigJson(path)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("at least one voter");
    }

    /** TestPeersJSON_ReadPeersJSON. */
    @Test
    void legacyFileListsVoterAddresses() throws IOException {
        Path path = file("[\"127.0.0.1:123\",\n \"127.0.0.2:123\",\n \"127.0.0.3:123\"]\n");
        assertThat(PeersJson.readPeersJson(path)).isEqualTo(Configuration.of(
                Server.voter("127.0.0.1:123", "127.0.0.1:123"),
                Server.voter("127.0.0.2:123", "127.0.0.2:123"),
                Server.voter("127.0.0.3:123", "127.0.0.3:123")));
    }

    /** TestPeersJSON_ReadConfigJSON. */
    @Test
    void configFileListsServersWithIdsAndSuffrage() throws IOException {
        Path path = file("""
                [
                  {"id": "adf4238a-882b-9ddc-4a9d-5b6758e4159e", "address": "127.0.0.1:123", "non_voter": false},
                  {"id": "8b6dda82-3103-11e7-93ae-92361f002671", "address": "127.0.0.2:123"},
                  {"id": "97e17742-3103-11e7-93ae-92361f002671", "address": "127.0.0.3:123", "non_voter": true}
                ]
                """);
        assertThat(PeersJson.readConfigJson(path)).isEqualTo(Configuration.of(
                Server.voter("adf4238a-882b-9ddc-4a9d-5b6758e4159e", "127.0.0.1:123"),
                Server.voter("8b6dda82-3103-11e7-93ae-92361f002671", "127.0.0.2:123"),
                Server.nonvoter("97e17742-3103-11e7-93ae-92361f002671", "127.0.0.3:123")));
    }

    @Test
    void configKeysMatchInAnyCaseAndUnknownKeysAreIgnored() throws IOException {
        Path path = file("[{\"ID\":\"a\",\"Address\":\"1\",\"zone\":\"eu\"},"
                + "{\"Id\":\"b\",\"ADDRESS\":\"2\",\"Non_Voter\":true,\"tags\":[1,{}]},"
                + "{\"id\":\"c\",\"address\":\"3\",\"non_voter\":null}]");
        assertThat(PeersJson.readConfigJson(path)).isEqualTo(Configuration.of(
                Server.voter("a", "1"), Server.nonvoter("b", "2"), Server.voter("c", "3")));
    }

    @Test
    void invalidConfigurationsReportHashicorpsErrors() throws IOException {
        assertThatThrownBy(() -> PeersJson.readPeersJson(file("[\"a:1\",\"a:1\"]")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Found duplicate ID in configuration: a:1");
        assertThatThrownBy(() -> PeersJson.readPeersJson(file("[\"a:1\",null]")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Empty ID in configuration: ");
        assertThatThrownBy(() -> PeersJson.readConfigJson(file("[{\"id\":\"a\",\"address\":\"x\"},"
                + "{\"id\":\"b\",\"address\":\"x\"}]")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Found duplicate address in configuration: x");
        assertThatThrownBy(() -> PeersJson.readConfigJson(file("[{\"id\":\"a\",\"address\":\"x\",\"non_voter\":true}]")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Need at least one voter in configuration: {[{Nonvoter a x}]}");
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> PeersJson.readPeersJson(missing)).isInstanceOf(IOException.class)
                .hasCauseInstanceOf(NoSuchFileException.class)
                .hasMessageStartingWith("cannot read " + missing + ": NoSuchFileException");
    }

    @Test
    void malformedJsonIsAnErrorNamingTheFileAndPosition() throws IOException {
        Path path = file("[\"a:1\",\n \"b:2\"\n \"c:3\"]");
        assertThatThrownBy(() -> PeersJson.readPeersJson(path)).isInstanceOf(JsonException.class)
                .hasMessage(path + ": invalid JSON at line 3, column 2: unexpected '\"', expected ',' or ']'");
        Path trailing = file("[\"a:1\"] extra");
        assertThatThrownBy(() -> PeersJson.readPeersJson(trailing)).isInstanceOf(JsonException.class)
                .hasMessageContaining("after the JSON value");
    }

    @Test
    void wrongShapesAreErrorsNamingTheElement() throws IOException {
        assertThatThrownBy(() -> PeersJson.readPeersJson(file("{\"peers\":[]}")))
                .isInstanceOf(JsonException.class).hasMessageEndingWith("top level: expected an array, got object");
        assertThatThrownBy(() -> PeersJson.readPeersJson(file("[\"a:1\", 5]")))
                .hasMessageEndingWith("element 1: expected a string, got number");
        assertThatThrownBy(() -> PeersJson.readConfigJson(file("[\"a:1\"]")))
                .hasMessageEndingWith("element 0: expected an object, got string");
        assertThatThrownBy(() -> PeersJson.readConfigJson(file("[{\"id\":\"a\",\"address\":\"x\",\"non_voter\":\"yes\"}]")))
                .hasMessageEndingWith("element 0.non_voter: expected true or false, got string");
    }
}
