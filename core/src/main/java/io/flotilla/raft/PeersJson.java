package io.flotilla.raft;

import io.flotilla.raft.internal.json.JsonException;
import io.flotilla.raft.internal.json.JsonObject;
import io.flotilla.raft.internal.json.JsonParser;
import io.flotilla.raft.internal.json.JsonValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code peers.json} files operators write for manual recovery (hashicorp's {@code ReadPeersJSON}
 * and {@code ReadConfigJSON}); the result is meant for {@code RecoverCluster}. Flotilla never writes or deletes
 * these files. JSON is read as Go reads it (keys match case-insensitively, unknown keys are ignored,
 * {@code null} means empty), except that text after the JSON value is rejected rather than ignored.
 */
public final class PeersJson {
    private PeersJson() {
    }

    /**
     * Reads a legacy peers.json: a JSON array of addresses such as {@code ["10.0.0.1:8300","10.0.0.2:8300"]}.
     * Each becomes a voter whose id is its address, in file order.
     *
     * @throws IOException            if the file cannot be read or is not such an array
     * @throws ConfigurationException if the servers do not form a valid configuration
     *                                (see {@link Configuration#check()})
     */
    public static Configuration readPeersJson(Path path) throws IOException {
        byte[] bytes = read(path);
        List<Server> servers = new ArrayList<>();
        try {
            List<JsonValue> entries = JsonParser.parse(bytes).asArray("top level");
            for (int i = 0; i < entries.size(); i++) {
                String address = entries.get(i).asString("element " + i);
                servers.add(Server.voter(address, address));
            }
        } catch (JsonException e) {
            throw invalid(path, e);
        }
        return checked(servers);
    }

    /**
     * Reads a peers.json in the id-aware format: a JSON array of objects
     * {@code {"id": "<server id>", "address": "<host:port>", "non_voter": false}}. {@code non_voter} may be left
     * out; {@code true} makes a non-voter, anything else a voter.
     *
     * @throws IOException            if the file cannot be read or does not have that shape
     * @throws ConfigurationException if the servers do not form a valid configuration
     *                                (see {@link Configuration#check()})
     */
    public static Configuration readConfigJson(Path path) throws IOException {
        byte[] bytes = read(path);
        List<Server> servers = new ArrayList<>();
        try {
            List<JsonValue> entries = JsonParser.parse(bytes).asArray("top level");
            for (int i = 0; i < entries.size(); i++) {
                String at = "element " + i;
                JsonObject o = entries.get(i).asObject(at);
                Suffrage suffrage = o.field("non_voter").asBoolean(at + ".non_voter") ? Suffrage.NONVOTER
                        : Suffrage.VOTER;
                servers.add(new Server(suffrage, ServerId.of(o.field("id").asString(at + ".id")),
                        ServerAddress.of(o.field("address").asString(at + ".address"))));
            }
        } catch (JsonException e) {
            throw invalid(path, e);
        }
        return checked(servers);
    }

    private static byte[] read(Path path) throws IOException {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IOException("cannot read " + path + ": " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    private static JsonException invalid(Path path, JsonException e) {
        return new JsonException(path + ": " + e.getMessage(), e);
    }

    private static Configuration checked(List<Server> servers) {
        Configuration configuration = new Configuration(servers);
        configuration.check();
        return configuration;
    }
}
