package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.internal.json.JsonException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSnapshotMetaTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "snapshots/" + GoFixtures.SEED_ID + "/meta.json",
            "snapshots/" + GoFixtures.AWKWARD_ID + "/meta.json",
            "snapshots/" + GoFixtures.EMPTY_ID + "/meta.json",
            "tmp-meta.json"})
    void rewritesGoWrittenMetaByteForByte(String file) throws JsonException {
        byte[] go = GoFixtures.read(file);
        assertThat(new String(FileSnapshotMeta.fromJson(go).toJson(), StandardCharsets.UTF_8))
                .isEqualTo(new String(go, StandardCharsets.UTF_8));
    }

    @Test
    void decodesGoWrittenValuesIncludingUnsignedOnes() throws JsonException {
        FileSnapshotMeta m = FileSnapshotMeta.fromJson(GoFixtures.read("snapshots/" + GoFixtures.AWKWARD_ID + "/meta.json"));
        SnapshotMeta meta = m.meta();
        assertThat(meta.version()).isEqualTo(1);
        assertThat(meta.id()).isEqualTo(GoFixtures.AWKWARD_ID);
        assertThat(meta.term()).isEqualTo(Long.MIN_VALUE);
        assertThat(meta.index()).isEqualTo(-1L);
        assertThat(meta.configurationIndex()).isEqualTo(-2L);
        assertThat(meta.size()).isEqualTo(5000);
        assertThat(meta.configuration().servers()).containsExactly(
                new Server(Suffrage.VOTER, ServerId.of("a<b>&c"),
                        ServerAddress.of("q\"uote\\back\b\f\n\r\t\u0001\u001f\u007f")),
                new Server(Suffrage.NONVOTER, ServerId.of("é😀"), ServerAddress.of("line\u2028para\u2029")),
                new Server(Suffrage.STAGING, ServerId.of("s"), ServerAddress.of("10.0.0.3:8300")),
                Server.voter("v2", "10.0.0.4:8300"));
        assertThat(m.crc()).hasSize(8);
    }

    @Test
    void readsKeysInAnyCaseIgnoresUnknownOnesAndZeroesMissingOnes() throws JsonException {
        String json = "{\"version\":1,\"id\":\"7-8-9\",\"INDEX\":8,\"tErM\":7,\"Extra\":{\"nested\":[1,2]},"
                + "\"configuration\":{\"servers\":[{\"suffrage\":1,\"id\":\"n1\",\"address\":\"a1\",\"More\":true}],"
                + "\"Other\":null},\"crc\":\"AAECAwQFBgc=\"}";
        FileSnapshotMeta m = FileSnapshotMeta.fromJson(utf8(json));
        assertThat(m.meta()).isEqualTo(new SnapshotMeta(1, "7-8-9", 8, 7, null,
                Configuration.of(Server.nonvoter("n1", "a1")), 0, 0));
        assertThat(m.crc()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void writesNilBytesAndEmptyConfigurationAsNull() {
        FileSnapshotMeta m = new FileSnapshotMeta(new SnapshotMeta(0, "x", 1, 2, null, Configuration.EMPTY, 3, 4), null);
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"Version\":0,\"ID\":\"x\",\"Index\":1,\"Term\":2,\"Peers\":null,\"Configuration\":{\"Servers\":null},"
                        + "\"ConfigurationIndex\":3,\"Size\":4,\"CRC\":null}\n");
    }

    @Test
    void rejectsWrongTypesNamingTheField() {
        assertThatThrownBy(() -> FileSnapshotMeta.fromJson(utf8("{\"Index\":\"10\"}")))
                .isInstanceOf(JsonException.class).hasMessage("Index: expected a number, got string");
        assertThatThrownBy(() -> FileSnapshotMeta.fromJson(utf8("{\"Configuration\":{\"Servers\":[{\"ID\":5}]}}")))
                .hasMessage("Configuration.Servers[0].ID: expected a string, got number");
        assertThatThrownBy(() -> FileSnapshotMeta.fromJson(utf8("{\"Configuration\":{\"Servers\":[{\"Suffrage\":7}]}}")))
                .hasMessage("Configuration.Servers[0].Suffrage: unknown suffrage 7");
        assertThatThrownBy(() -> FileSnapshotMeta.fromJson(utf8("[]")))
                .hasMessage("meta.json: expected an object, got array");
        assertThatThrownBy(() -> FileSnapshotMeta.fromJson(utf8("{\"Term\":-3}")))
                .hasMessageContaining("not an unsigned 64-bit integer");
    }
}
