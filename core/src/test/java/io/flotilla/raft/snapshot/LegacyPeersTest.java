package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LegacyPeersTest {

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void encodesVotersAsAMsgpackArrayOfRawStrings() {
        byte[] bytes = LegacyPeers.encode(Configuration.of(Server.voter("id1", "127.0.0.1:123")), PeerCodec.ADDRESS);
        assertThat(hex(bytes)).isEqualTo("91ad3132372e302e302e313a313233");
    }

    @Test
    void leavesOutNonVotersAndWritesNilWhenNoVoterRemains() {
        assertThat(LegacyPeers.encode(Configuration.EMPTY, PeerCodec.ADDRESS)).containsExactly(0xc0);
        assertThat(LegacyPeers.encode(Configuration.of(Server.nonvoter("n", "a")), PeerCodec.ADDRESS))
                .containsExactly(0xc0);
        assertThat(hex(LegacyPeers.encode(Configuration.of(Server.nonvoter("n", "x"), Server.voter("v", "y")),
                PeerCodec.ADDRESS))).isEqualTo("91a179");
    }

    @Test
    void usesTheLongerStringFormsButNeverStr8() {
        String a31 = "a".repeat(31);
        String a32 = "a".repeat(32);
        String a70000 = "a".repeat(70000);
        byte[] bytes = LegacyPeers.encode(Configuration.of(Server.voter("1", a31), Server.voter("2", a32),
                Server.voter("3", a70000)), PeerCodec.ADDRESS);
        String h = hex(bytes);
        String expected = "93" + "bf" + "61".repeat(31) + "da0020" + "61".repeat(32) + "db00011170" + "61".repeat(70000);
        assertThat(h).isEqualTo(expected);
    }

    @Test
    void usesArray16FromSixteenVoters() {
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            servers.add(Server.voter("id" + i, "a" + Integer.toHexString(i)));
        }
        assertThat(hex(LegacyPeers.encode(new Configuration(servers), PeerCodec.ADDRESS))).startsWith("dc0010a2" + "6130");
    }

    @Test
    void encodesEachVoterWithThePeerCodec() {
        PeerCodec byId = new PeerCodec() {
            @Override
            public byte[] encodePeer(ServerId id, ServerAddress address) {
                return id.value().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public ServerAddress decodePeer(byte[] encoded) {
                throw new UnsupportedOperationException();
            }
        };
        assertThat(hex(LegacyPeers.encode(Configuration.of(Server.voter("ab", "xyz")), byId))).isEqualTo("91a26162");
    }
}
