package io.flotilla.raft.codec;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The msgpack blobs that carry a cluster configuration inside log entries and snapshots, byte-compatible
 * with hashicorp/raft: {@code EncodeConfiguration}/{@code DecodeConfiguration} ({@code LogConfiguration}
 * entries, {@code InstallSnapshot.Configuration}) and the legacy {@code encodePeers}/{@code decodePeers}
 * ({@code LogAddPeerDeprecated}/{@code LogRemovePeerDeprecated} entries, snapshot metadata, protocol-1
 * RequestVote responses).
 *
 * <p>Decoding accepts what Go's decoder accepts, including bytes after the value, which Go ignores.
 */
public final class ConfigurationCodec {
    private static final StructSchema CONFIGURATION = new StructSchema("Configuration", "Servers");
    private static final int SERVERS = 0;

    private static final StructSchema SERVER = new StructSchema("Server", "Suffrage", "ID", "Address");
    private static final int SUFFRAGE = 0;
    private static final int ID = 1;
    private static final int ADDRESS = 2;

    private static final String PEERS = "peers";

    private ConfigurationCodec() {
    }

    /**
     * {@code EncodeConfiguration}: {@code {"Servers": [{"Address", "ID", "Suffrage"}, ...]}}; an empty
     * configuration has nil Servers ({@code c0}), as a zero Go configuration does.
     */
    public static byte[] encodeConfiguration(Configuration configuration) {
        try {
            GoMsgpackWriter w = GoMsgpackWriter.inMemory();
            w.mapHeader(1);
            w.key(CONFIGURATION, SERVERS);
            List<Server> servers = configuration.servers();
            if (servers.isEmpty()) {
                w.nil();
            } else {
                w.arrayHeader(servers.size());
                for (Server server : servers) {
                    w.mapHeader(3);
                    w.key(SERVER, ADDRESS);
                    w.string(server.address().value());
                    w.key(SERVER, ID);
                    w.string(server.id().value());
                    w.key(SERVER, SUFFRAGE);
                    w.int64(server.suffrage().code());
                }
            }
            w.flush();
            return w.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /** {@code DecodeConfiguration} with the default limits. */
    public static Configuration decodeConfiguration(byte[] encoded) throws CodecException {
        return decodeConfiguration(encoded, CodecLimits.DEFAULT);
    }

    /** {@code DecodeConfiguration}. */
    public static Configuration decodeConfiguration(byte[] encoded, CodecLimits limits) throws CodecException {
        return guard("configuration", () -> readConfiguration(reader(encoded, limits)));
    }

    /**
     * The legacy peers encoding: a msgpack array with one raw string per <em>voter</em>, in configuration
     * order, each {@code peerCodec.encodePeer(id, address)}; nil ({@code c0}) when there are no voters.
     */
    public static byte[] encodePeers(Configuration configuration, PeerCodec peerCodec) {
        try {
            List<Server> voters = configuration.voters();
            GoMsgpackWriter w = GoMsgpackWriter.inMemory();
            if (voters.isEmpty()) {
                w.nil();
            } else {
                w.arrayHeader(voters.size());
                for (Server voter : voters) {
                    w.bytes(peerCodec.encodePeer(voter.id(), voter.address()));
                }
            }
            w.flush();
            return w.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /** {@code decodePeers} with the default limits. */
    public static Configuration decodePeers(byte[] encoded, PeerCodec peerCodec) throws CodecException {
        return decodePeers(encoded, peerCodec, CodecLimits.DEFAULT);
    }

    /**
     * {@code decodePeers}: every peer becomes a voter whose id and address are both the decoded address,
     * since the legacy format knew no ids.
     */
    public static Configuration decodePeers(byte[] encoded, PeerCodec peerCodec, CodecLimits limits)
            throws CodecException {
        return guard("peers", () -> {
            GoMsgpackReader r = reader(encoded, limits);
            int count = r.readArrayHeaderOrNil(PEERS, limits.maxCollectionLength());
            List<Server> servers = new ArrayList<>(Math.max(count, 0));
            for (int i = 0; i < count; i++) {
                byte[] peer = r.readBytes(PEERS);
                String address = peerCodec.decodePeer(peer == null ? new byte[0] : peer).value();
                servers.add(new Server(Suffrage.VOTER, ServerId.of(address), ServerAddress.of(address)));
            }
            return new Configuration(servers);
        });
    }

    private static Configuration readConfiguration(GoMsgpackReader r) throws IOException {
        List<Server> servers = List.of();
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(CONFIGURATION.name());
        for (int i = 0; i < fields; i++) {
            int field = r.nextField(CONFIGURATION, asArray, i);
            if (field == SERVERS) {
                servers = readServers(r);
            } else {
                r.skipValue(CONFIGURATION.name());
            }
        }
        return new Configuration(servers);
    }

    private static List<Server> readServers(GoMsgpackReader r) throws IOException {
        String what = CONFIGURATION.field(SERVERS);
        int count = r.readArrayHeaderOrNil(what, r.limits().maxCollectionLength());
        if (count <= 0) {
            return List.of();
        }
        List<Server> servers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            servers.add(readServer(r));
        }
        return servers;
    }

    private static Server readServer(GoMsgpackReader r) throws IOException {
        // A nil element of Go's []Server is the zero Server: a voter with empty id and address.
        long suffrage = 0;
        String id = "";
        String address = "";
        long suffrageOffset = 0;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(SERVER.name());
        for (int i = 0; i < fields; i++) {
            int field = r.nextField(SERVER, asArray, i);
            switch (field) {
                case SUFFRAGE -> {
                    suffrageOffset = r.source().offset();
                    suffrage = r.readInt64(SERVER.field(SUFFRAGE));
                }
                case ID -> id = r.readString(SERVER.field(ID));
                case ADDRESS -> address = r.readString(SERVER.field(ADDRESS));
                default -> r.skipValue(SERVER.name());
            }
        }
        Suffrage s;
        try {
            s = Suffrage.fromCode(suffrage);
        } catch (IllegalArgumentException e) {
            throw GoMsgpackReader.error(SERVER.field(SUFFRAGE), "unknown suffrage " + suffrage, suffrageOffset);
        }
        return new Server(s, ServerId.of(id), ServerAddress.of(address));
    }

    private static GoMsgpackReader reader(byte[] encoded, CodecLimits limits) {
        return new GoMsgpackReader(ByteSource.of(encoded, 0, encoded.length), limits);
    }

    private static <T> T guard(String what, DecodeGuard.Step<T> step) throws CodecException {
        try {
            return DecodeGuard.run(what, step);
        } catch (CodecException e) {
            throw e;
        } catch (IOException e) {
            throw new CodecException("failed to decode " + what + ": " + e.getMessage(), e); // unreachable for arrays
        }
    }
}
