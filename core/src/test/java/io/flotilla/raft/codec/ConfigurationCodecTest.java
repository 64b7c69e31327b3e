package io.flotilla.raft.codec;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationCodecTest {
    /** The configuration of {@code aux_configuration.hex}. */
    static final Configuration THREE_SERVERS = Configuration.of(
            Server.voter("node1", "127.0.0.1:7001"),
            Server.voter("node2", "127.0.0.1:7002"),
            Server.nonvoter("node3", "127.0.0.1:7003"));

    /** The seed's {@code sampleConfiguration} (configuration_test.go). */
    static final Configuration SAMPLE = Configuration.of(
            Server.nonvoter("id0", "addr0"),
            Server.voter("id1", "addr1"),
            new Server(Suffrage.STAGING, ServerId.of("id2"), ServerAddress.of("addr2")));

    @Nested
    class Golden {
        @Test
        void encodesAuxConfigurationExactly() {
            assertThat(Hex.of(ConfigurationCodec.encodeConfiguration(THREE_SERVERS)))
                    .isEqualTo(Hex.of(SharedVectors.bytes("aux_configuration")));
        }

        @Test
        void decodesAuxConfiguration() throws CodecException {
            assertThat(ConfigurationCodec.decodeConfiguration(SharedVectors.bytes("aux_configuration")))
                    .isEqualTo(THREE_SERVERS);
        }

        @Test
        void encodesAuxPeersExactly() {
            // Only voters are legacy peers: node3 (nonvoter) is left out.
            assertThat(Hex.of(ConfigurationCodec.encodePeers(THREE_SERVERS, PeerCodec.ADDRESS)))
                    .isEqualTo(Hex.of(SharedVectors.bytes("aux_peers")));
        }

        @Test
        void decodesAuxPeersAsVotersNamedByAddress() throws CodecException {
            assertThat(ConfigurationCodec.decodePeers(SharedVectors.bytes("aux_peers"), PeerCodec.ADDRESS))
                    .isEqualTo(Configuration.of(
                            Server.voter("127.0.0.1:7001", "127.0.0.1:7001"),
                            Server.voter("127.0.0.1:7002", "127.0.0.1:7002")));
        }

        @Test
        void inventoryWorkedExampleConfiguration() {
            // inventory §4.3: EncodeConfiguration({[{Voter b a}]})
            assertThat(Hex.of(ConfigurationCodec.encodeConfiguration(Configuration.of(Server.voter("b", "a")))))
                    .isEqualTo("81" + Hex.str("Servers") + "91 83".replace(" ", "") + Hex.str("Address") + Hex.str("a")
                            + Hex.str("ID") + Hex.str("b") + Hex.str("Suffrage") + "00");
        }

        @Test
        void inventoryWorkedExamplePeers() {
            // inventory §5.4: ["127.0.0.1:123"] -> 91 ad 31 32 37 2e 30 2e 30 2e 31 3a 31 32 33
            byte[] encoded = ConfigurationCodec.encodePeers(
                    Configuration.of(Server.voter("ignored", "127.0.0.1:123")), PeerCodec.ADDRESS);
            assertThat(Hex.of(encoded)).isEqualTo("91ad3132372e302e302e313a313233");
        }
    }

    @Nested
    class SeedTests {
        @Test
        void encodeDecodePeers() throws CodecException {
            // TestConfiguration_encodeDecodePeers: 3 voters with ID = Address = a random UUID.
            List<Server> servers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String address = UUID.randomUUID().toString();
                servers.add(Server.voter(address, address));
            }
            Configuration configuration = new Configuration(servers);
            byte[] encoded = ConfigurationCodec.encodePeers(configuration, PeerCodec.ADDRESS);
            assertThat(ConfigurationCodec.decodePeers(encoded, PeerCodec.ADDRESS)).isEqualTo(configuration);
        }

        @Test
        void encodeDecodeConfiguration() throws CodecException {
            // TestConfiguration_encodeDecodeConfiguration
            assertThat(ConfigurationCodec.decodeConfiguration(ConfigurationCodec.encodeConfiguration(SAMPLE)))
                    .isEqualTo(SAMPLE);
        }
    }

    @Nested
    class EdgeCases {
        @Test
        void emptyConfigurationHasNilServers() throws CodecException {
            byte[] encoded = ConfigurationCodec.encodeConfiguration(Configuration.EMPTY);
            assertThat(Hex.of(encoded)).isEqualTo("81" + Hex.str("Servers") + "c0");
            assertThat(ConfigurationCodec.decodeConfiguration(encoded)).isEqualTo(Configuration.EMPTY);
        }

        @Test
        void emptyServersArrayDecodesEmpty() throws CodecException {
            assertThat(ConfigurationCodec.decodeConfiguration(Hex.bytes("81" + Hex.str("Servers") + "90")))
                    .isEqualTo(Configuration.EMPTY);
        }

        @Test
        void noVotersEncodesNilPeers() throws CodecException {
            Configuration onlyNonvoters = Configuration.of(Server.nonvoter("n", "a"));
            byte[] encoded = ConfigurationCodec.encodePeers(onlyNonvoters, PeerCodec.ADDRESS);
            assertThat(Hex.of(encoded)).isEqualTo("c0");
            assertThat(ConfigurationCodec.decodePeers(encoded, PeerCodec.ADDRESS)).isEqualTo(Configuration.EMPTY);
        }

        @Test
        void peersUseThePeerCodec() throws CodecException {
            PeerCodec prefixed = new PeerCodec() {
                @Override
                public byte[] encodePeer(ServerId id, ServerAddress address) {
                    return ("x" + address.value()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }

                @Override
                public ServerAddress decodePeer(byte[] encoded) {
                    return ServerAddress.of(new String(encoded, java.nio.charset.StandardCharsets.UTF_8).substring(1));
                }
            };
            Configuration c = Configuration.of(Server.voter("a", "addr-a"));
            byte[] encoded = ConfigurationCodec.encodePeers(c, prefixed);
            assertThat(Hex.of(encoded)).isEqualTo("91" + Hex.str("xaddr-a"));
            assertThat(ConfigurationCodec.decodePeers(encoded, prefixed))
                    .isEqualTo(Configuration.of(Server.voter("addr-a", "addr-a")));
        }

        @Test
        void acceptsReorderedKeysUnknownKeysAndServerAsArray() throws CodecException {
            String server1 = "84" + Hex.str("Suffrage") + "01" + Hex.str("Extra") + "92c3c2"
                    + Hex.str("ID") + Hex.str("n1") + Hex.str("Address") + Hex.str("a1");
            String server2 = "93" + "02" + Hex.str("n2") + Hex.str("a2"); // declaration order: Suffrage, ID, Address
            byte[] encoded = Hex.bytes("82" + Hex.str("Unknown") + "81a1780a" + Hex.str("Servers") + "92" + server1 + server2);
            assertThat(ConfigurationCodec.decodeConfiguration(encoded)).isEqualTo(Configuration.of(
                    Server.nonvoter("n1", "a1"),
                    new Server(Suffrage.STAGING, ServerId.of("n2"), ServerAddress.of("a2"))));
        }

        @Test
        void rejectsBinForServerIdBecauseGoDoes() {
            byte[] encoded = Hex.bytes("81" + Hex.str("Servers") + "91" + "81" + Hex.str("ID") + "c4026e31");
            assertThatThrownBy(() -> ConfigurationCodec.decodeConfiguration(encoded))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("Server.ID")
                    .hasMessageContaining("bin8");
        }

        @Test
        void acceptsBinForLegacyPeersBecauseTheyAreByteSlices() throws CodecException {
            assertThat(ConfigurationCodec.decodePeers(Hex.bytes("91c4026131"), PeerCodec.ADDRESS))
                    .isEqualTo(Configuration.of(Server.voter("a1", "a1")));
        }

        @Test
        void rejectsUnknownSuffrage() {
            byte[] encoded = Hex.bytes("81" + Hex.str("Servers") + "91" + "81" + Hex.str("Suffrage") + "07");
            assertThatThrownBy(() -> ConfigurationCodec.decodeConfiguration(encoded))
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("unknown suffrage 7");
        }

        @Test
        void rejectsTruncatedAndHugeInput() {
            byte[] golden = SharedVectors.bytes("aux_configuration");
            for (int cut = 0; cut < golden.length; cut++) {
                byte[] truncated = java.util.Arrays.copyOf(golden, cut);
                assertThatThrownBy(() -> ConfigurationCodec.decodeConfiguration(truncated))
                        .isInstanceOf(CodecException.class);
            }
            assertThatThrownBy(() -> ConfigurationCodec.decodeConfiguration(
                    Hex.bytes("81" + Hex.str("Servers") + "ddffffffff")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("limit");
            assertThatThrownBy(() -> ConfigurationCodec.decodePeers(Hex.bytes("91dbffffffff"), PeerCodec.ADDRESS))
                    .isInstanceOf(CodecException.class).hasMessageContaining("limit");
            assertThatThrownBy(() -> ConfigurationCodec.decodePeers(Hex.bytes("91db00100000"), PeerCodec.ADDRESS))
                    .isInstanceOf(CodecException.class).hasMessageContaining("remain");
        }

        @Test
        void ignoresTrailingBytesAsGoDoes() throws CodecException {
            byte[] golden = SharedVectors.bytes("aux_configuration");
            byte[] withTrailer = java.util.Arrays.copyOf(golden, golden.length + 3);
            assertThat(ConfigurationCodec.decodeConfiguration(withTrailer)).isEqualTo(THREE_SERVERS);
        }
    }
}
