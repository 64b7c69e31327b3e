package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;

import java.io.ByteArrayOutputStream;

/**
 * The legacy peers blob stored in {@link io.flotilla.raft.SnapshotMeta#peers()} for version-0 readers.
 * Same bytes as {@code ConfigurationCodec.encodePeers}; replace with it once merged.
 */
final class LegacyPeers {
    private LegacyPeers() {
    }

    /**
     * hashicorp's {@code encodePeers}: a msgpack array of raw strings, one per voter in order, each the peer
     * codec's encoding; {@code nil} (0xc0) when there are no voters. go-msgpack writes raw strings without
     * the str8 form, so neither do we.
     */
    static byte[] encode(Configuration configuration, PeerCodec codec) {
        var voters = configuration.voters();
        if (voters.isEmpty()) {
            return new byte[] {(byte) 0xc0};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, voters.size(), 0x90, 16, 0xdc, 0xdd);
        for (Server s : voters) {
            byte[] peer = codec.encodePeer(s.id(), s.address());
            header(out, peer.length, 0xa0, 32, 0xda, 0xdb);
            out.writeBytes(peer);
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int n, int fix, int fixLimit, int form16, int form32) {
        if (n < fixLimit) {
            out.write(fix | n);
        } else if (n < 0x10000) {
            out.write(form16);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(form32);
            out.write(n >>> 24);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
    }
}
