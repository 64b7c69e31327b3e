package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.Suffrage;
import io.flotilla.raft.internal.Bytes;
import io.flotilla.raft.internal.json.JsonException;
import io.flotilla.raft.internal.json.JsonObject;
import io.flotilla.raft.internal.json.JsonParser;
import io.flotilla.raft.internal.json.JsonValue;
import io.flotilla.raft.internal.json.JsonWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The content of a snapshot's {@code meta.json}: hashicorp's {@code fileSnapshotMeta}, which is the snapshot
 * metadata plus the CRC-64 of {@code state.bin}. The JSON form is exactly what Go's {@code encoding/json}
 * writes for that struct, so snapshot directories move freely between Go and Java nodes.
 *
 * @param meta the snapshot metadata
 * @param crc  the eight-byte big-endian CRC-64 of {@code state.bin}, or {@code null} while still being written
 */
record FileSnapshotMeta(SnapshotMeta meta, byte[] crc) {

    FileSnapshotMeta {
        crc = Bytes.copy(crc);
    }

    @Override
    public byte[] crc() {
        return Bytes.copy(crc);
    }

    /** The {@code meta.json} bytes: compact JSON, Go's field order, one trailing newline as Go's Encoder adds. */
    byte[] toJson() {
        JsonWriter w = new JsonWriter().beginObject()
                .name("Version").value(meta.version())
                .name("ID").value(meta.id())
                .name("Index").unsignedValue(meta.index())
                .name("Term").unsignedValue(meta.term())
                .name("Peers").base64(meta.peers())
                .name("Configuration").beginObject().name("Servers");
        List<Server> servers = meta.configuration().servers();
        if (servers.isEmpty()) {
            w.nullValue(); // Go writes its nil slice so; Java cannot tell nil from empty, and nil is the usual case
        } else {
            w.beginArray();
            for (Server s : servers) {
                w.beginObject()
                        .name("Suffrage").value(s.suffrage().code())
                        .name("ID").value(s.id().value())
                        .name("Address").value(s.address().value())
                        .endObject();
            }
            w.endArray();
        }
        w.endObject()
                .name("ConfigurationIndex").unsignedValue(meta.configurationIndex())
                .name("Size").value(meta.size())
                .name("CRC").base64(crc)
                .endObject();
        return (w + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code meta.json} as Go's decoder would: field names match case-insensitively, unknown fields are
     * ignored, and missing or {@code null} fields take their zero value.
     */
    static FileSnapshotMeta fromJson(byte[] json) throws JsonException {
        JsonObject o = JsonParser.parse(json).asObject("meta.json");
        JsonObject cfg = o.field("Configuration").asObject("Configuration");
        List<Server> servers = new ArrayList<>();
        List<JsonValue> entries = cfg.field("Servers").asArray("Configuration.Servers");
        for (int i = 0; i < entries.size(); i++) {
            String at = "Configuration.Servers[" + i + "]";
            JsonObject s = entries.get(i).asObject(at);
            int code = s.field("Suffrage").asInt(at + ".Suffrage");
            Suffrage suffrage;
            try {
                suffrage = Suffrage.fromCode(code);
            } catch (IllegalArgumentException e) {
                throw new JsonException(at + ".Suffrage: unknown suffrage " + code, e);
            }
            servers.add(new Server(suffrage, ServerId.of(s.field("ID").asString(at + ".ID")),
                    ServerAddress.of(s.field("Address").asString(at + ".Address"))));
        }
        SnapshotMeta meta = new SnapshotMeta(
                o.field("Version").asInt("Version"),
                o.field("ID").asString("ID"),
                o.field("Index").asUint64("Index"),
                o.field("Term").asUint64("Term"),
                o.field("Peers").asBase64("Peers"),
                new Configuration(servers),
                o.field("ConfigurationIndex").asUint64("ConfigurationIndex"),
                o.field("Size").asInt64("Size"));
        return new FileSnapshotMeta(meta, o.field("CRC").asBase64("CRC"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileSnapshotMeta m && meta.equals(m.meta) && Bytes.equal(crc, m.crc);
    }

    @Override
    public int hashCode() {
        return 31 * meta.hashCode() + Bytes.hash(crc);
    }

    @Override
    public String toString() {
        return "FileSnapshotMeta[" + meta + ", crc=" + Bytes.describe(crc) + "]";
    }
}
