package io.flotilla.raft.codec;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.Suffrage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever we encode decodes to an equal value, and re-encodes to the same bytes. */
class RoundTripPropertiesTest {
    @Provide
    Arbitrary<RpcMessage> messages() {
        return Messages.messages();
    }

    @Provide
    Arbitrary<List<RpcMessage>> requestSequences() {
        return Messages.requests(Arbitraries.longs().between(0, 5000)).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<WireResponse> responses() {
        return Combinators.combine(Messages.text(), Messages.responses().optional(0.8))
                .as(WireResponse::new);
    }

    @Provide
    Arbitrary<Configuration> configurations() {
        Arbitrary<Server> server = Combinators.combine(Arbitraries.of(Suffrage.class), Messages.text(), Messages.text())
                .as((s, id, address) -> new Server(s, ServerId.of(id), ServerAddress.of(address)));
        return server.list().ofMaxSize(10).map(Configuration::new);
    }

    @Property(tries = 500)
    void everyMessageRoundTrips(@ForAll("messages") RpcMessage message) throws CodecException {
        byte[] encoded = RpcCodec.encode(message);
        RpcMessage decoded = RpcCodec.decode(message.getClass(), encoded);
        assertThat(decoded).isEqualTo(message);
        assertThat(RpcCodec.encode(decoded)).isEqualTo(encoded);
    }

    @Property(tries = 200)
    void requestSequencesRoundTripOnAStream(@ForAll("requestSequences") List<RpcMessage> requests)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        for (RpcMessage request : requests) {
            writer.writeRequest(request);
            if (request instanceof InstallSnapshotRequest install) {
                byte[] data = snapshotData(install.size());
                writer.writeSnapshotData(data, 0, data.length);
            }
            writer.flush();
        }
        WireReader reader = new WireReader(new WireStreamTest.Trickle(out.toByteArray(), 13));
        for (RpcMessage request : requests) {
            WireRequest read = reader.readRequest().orElseThrow();
            assertThat(read).isEqualTo(WireRequest.of(request));
            if (request instanceof InstallSnapshotRequest install) {
                try (InputStream data = reader.snapshotData()) {
                    assertThat(data.readAllBytes()).isEqualTo(snapshotData(install.size()));
                }
            }
        }
        assertThat(reader.readRequest()).isEmpty();
    }

    @Property(tries = 300)
    void responsesRoundTrip(@ForAll("responses") WireResponse response) throws IOException {
        byte[] frame = RpcCodec.encodeResponseFrame(response);
        RpcType type = response.response().map(RpcType::of).orElse(RpcType.REQUEST_VOTE);
        assertThat(RpcCodec.decodeResponseFrame(type, frame)).isEqualTo(response);
        assertThat(new WireReader(new ByteArrayInputStream(frame)).readResponse(type)).isEqualTo(response);
    }

    @Property(tries = 300)
    void configurationsRoundTrip(@ForAll("configurations") Configuration configuration) throws CodecException {
        byte[] encoded = ConfigurationCodec.encodeConfiguration(configuration);
        assertThat(ConfigurationCodec.decodeConfiguration(encoded)).isEqualTo(configuration);

        List<Server> votersByAddress = configuration.voters().stream()
                .map(s -> new Server(Suffrage.VOTER, ServerId.of(s.address().value()), s.address())).toList();
        byte[] peers = ConfigurationCodec.encodePeers(configuration, PeerCodec.ADDRESS);
        assertThat(ConfigurationCodec.decodePeers(peers, PeerCodec.ADDRESS)).isEqualTo(new Configuration(votersByAddress));
    }

    private static byte[] snapshotData(long size) {
        byte[] data = new byte[(int) size];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + size);
        }
        return data;
    }
}
