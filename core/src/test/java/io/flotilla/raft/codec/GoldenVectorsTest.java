package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.Server;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code *.hex} vector captured from Go: decoding gives the Go value (explicitly written here for the
 * deterministic vectors, and also parsed from {@code go_value} for all of them), and re-encoding gives the
 * exact bytes back. The vector list comes from the directory, so a new vector cannot be skipped silently.
 */
class GoldenVectorsTest {
    private static final byte[] NODE1 = "127.0.0.1:7001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NODE2 = "127.0.0.1:7002".getBytes(StandardCharsets.US_ASCII);
    private static final RpcHeader V1 = new RpcHeader(1);

    /** What each deterministic vector must decode to, written out by hand from the wire README §6. */
    private static Map<String, Object> expectedValues() {
        byte[] peers = SharedVectors.bytes("aux_peers");
        byte[] configuration = SharedVectors.bytes("aux_configuration");
        byte[] bigData = ("SET big " + "v".repeat(192)).getBytes(StandardCharsets.US_ASCII);
        Map<String, Object> m = new HashMap<>();
        m.put("append_entries_req_heartbeat", AppendEntriesRequest.heartbeat(RpcHeader.V3, 5, NODE1));
        m.put("append_entries_req_empty", new AppendEntriesRequest(RpcHeader.V3, 5, NODE1, 12, 5, List.of(), 12));
        m.put("append_entries_req_two_entries", new AppendEntriesRequest(RpcHeader.V3, 5, NODE1, 10, 4, List.of(
                new LogEntry(11, 5, LogType.COMMAND, ascii("SET key value"), ascii("ext-1")),
                new LogEntry(12, 5, LogType.CONFIGURATION, configuration, new byte[] {0, 1, (byte) 0xfe, (byte) 0xff})),
                10));
        m.put("append_entries_req_int_widths", new AppendEntriesRequest(RpcHeader.V3, 300, NODE1, 70000, 299, List.of(
                new LogEntry((1L << 32) + 1, 300, LogType.NOOP, null, null),
                new LogEntry((1L << 32) + 2, 300, LogType.COMMAND, bigData, new byte[0])),
                200));
        m.put("request_vote_req", new RequestVoteRequest(RpcHeader.V3, 6, NODE2, 12, 5, false));
        m.put("request_vote_req_transfer", new RequestVoteRequest(RpcHeader.V3, 7, NODE2, 12, 5, true));
        m.put("install_snapshot_req", new InstallSnapshotRequest(RpcHeader.V3, 1, 5, NODE1, 100, 5, peers,
                configuration, 12, 10));
        m.put("timeout_now_req", new TimeoutNowRequest(RpcHeader.V3));
        m.put("append_entries_resp", WireResponse.of(new AppendEntriesResponse(RpcHeader.V3, 5, 12, true, false)));
        m.put("append_entries_resp_fail", WireResponse.of(new AppendEntriesResponse(RpcHeader.V3, 6, 9, false, true)));
        m.put("append_entries_resp_heartbeat",
                WireResponse.of(new AppendEntriesResponse(RpcHeader.V3, 5, 0, true, false)));
        m.put("request_vote_resp", WireResponse.of(new RequestVoteResponse(RpcHeader.V3, 6, null, true)));
        m.put("request_vote_resp_v1_peers", WireResponse.of(new RequestVoteResponse(V1, 7, peers, false)));
        m.put("install_snapshot_resp", WireResponse.of(new InstallSnapshotResponse(RpcHeader.V3, 5, true)));
        m.put("install_snapshot_resp_error", WireResponse.of("unsupported snapshot version 7",
                new InstallSnapshotResponse(RpcHeader.V3, 5, false)));
        m.put("timeout_now_resp", WireResponse.of(new TimeoutNowResponse(RpcHeader.V3)));
        m.put("error_resp_nil", WireResponse.error("operation not supported with current protocol version"));
        m.put("aux_configuration", ConfigurationCodecTest.THREE_SERVERS);
        m.put("aux_peers", Configuration.of(
                Server.voter("127.0.0.1:7001", "127.0.0.1:7001"), Server.voter("127.0.0.1:7002", "127.0.0.1:7002")));
        return m;
    }

    /** The snapshot data that follows the InstallSnapshot header in {@code install_snapshot_req}. */
    private static final String SNAPSHOT_BODY = "0123456789";

    @TestFactory
    Stream<DynamicTest> everyVector() {
        Map<String, Map<String, Object>> metadata = vectorMetadata();
        Map<String, Object> expected = expectedValues();
        List<String> names = SharedVectors.names();
        assertThat(names).as("vectors on disk").isNotEmpty();
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            Map<String, Object> meta = metadata.get(name);
            assertThat(meta).as("vectors.json entry for " + name).isNotNull();
            byte[] bytes = SharedVectors.bytes(name);
            assertThat(Hex.of(bytes)).isEqualTo(meta.get("hex"));
            assertThat(bytes).hasSize((int) (long) (Long) meta.get("length"));
            boolean live = Boolean.TRUE.equals(meta.get("live"));
            if (!live && !name.equals("aux_time_value")) {
                assertThat(expected).as("a hand-written expectation for deterministic vector " + name)
                        .containsKey(name);
            }
            check(name, meta, bytes, expected.get(name));
        }));
    }

    @Test
    void everyVectorInTheIndexHasAFile() {
        assertThat(SharedVectors.names()).containsExactlyInAnyOrderElementsOf(vectorMetadata().keySet());
    }

    private static void check(String name, Map<String, Object> meta, byte[] bytes, Object handWritten)
            throws IOException {
        String direction = (String) meta.get("direction");
        String goValue = (String) meta.get("go_value");
        @SuppressWarnings("unchecked")
        Map<String, List<Long>> layout = (Map<String, List<Long>>) meta.get("layout");
        if (direction.startsWith("request")) {
            checkRequest(bytes, layout, GoToJava.convert(goValue), handWritten);
        } else if (direction.startsWith("response")) {
            checkResponse(bytes, layout, rpcType((String) meta.get("rpc")), GoToJava.convert(goValue), handWritten);
        } else if (name.equals("aux_configuration")) {
            Configuration decoded = ConfigurationCodec.decodeConfiguration(bytes);
            assertThat(decoded).isEqualTo(GoToJava.convert(goValue)).isEqualTo(handWritten);
            assertThat(Hex.of(ConfigurationCodec.encodeConfiguration(decoded))).isEqualTo(Hex.of(bytes));
        } else if (name.equals("aux_peers")) {
            Configuration decoded = ConfigurationCodec.decodePeers(bytes, PeerCodec.ADDRESS);
            assertThat(decoded).isEqualTo(handWritten);
            @SuppressWarnings("unchecked")
            List<byte[]> goPeers = (List<byte[]>) GoToJava.convert(goValue);
            assertThat(decoded.servers()).extracting(s -> s.address().value())
                    .containsExactlyElementsOf(goPeers.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
            assertThat(Hex.of(ConfigurationCodec.encodePeers(decoded, PeerCodec.ADDRESS))).isEqualTo(Hex.of(bytes));
        } else if (name.equals("aux_time_value")) {
            // Not raft wire: no 1.1.2 RPC or Log field is a time.Time, and we add no Go time support. What
            // matters is that such a value, arriving as an unknown field, is skipped cleanly: the vector is
            // struct{T time.Time} as a map {"T": 15-byte raw string}, which must parse as a struct with no
            // known fields and consume every byte.
            assertThat(RpcCodec.decode(TimeoutNowRequest.class, bytes)).isEqualTo(new TimeoutNowRequest(RpcHeader.ZERO));
        } else {
            throw new AssertionError("no check for vector " + name + " (direction " + direction + ")");
        }
    }

    private static void checkRequest(byte[] frame, Map<String, List<Long>> layout, Object goValue,
                                     Object handWritten) throws IOException {
        // The stream path, as a transport reads it.
        WireReader reader = new WireReader(new ByteArrayInputStream(frame));
        WireRequest request = reader.readRequest().orElseThrow();
        assertThat(request.message()).isEqualTo(goValue);
        if (handWritten != null) {
            assertThat(request.message()).isEqualTo(handWritten);
        }
        assertThat(request.type().code()).isEqualTo(frame[0]);
        byte[] snapshot = new byte[0];
        if (request.message() instanceof InstallSnapshotRequest install) {
            try (InputStream data = reader.snapshotData()) {
                snapshot = data.readAllBytes();
            }
            assertThat(snapshot).hasSize((int) install.size());
            assertThat(snapshot).isEqualTo(slice(frame, layout.get("snapshot_stream")));
            assertThat(new String(snapshot, StandardCharsets.US_ASCII)).isEqualTo(SNAPSHOT_BODY);
        }
        assertThat(reader.readRequest()).as("nothing after the frame").isEmpty();

        // The array path.
        byte[] header = Arrays.copyOfRange(frame, 0, layout.get("msgpack_request").get(1).intValue());
        assertThat(RpcCodec.decodeRequestFrame(header)).isEqualTo(request);
        byte[] body = slice(frame, layout.get("msgpack_request"));
        assertThat(RpcCodec.decode(request.type().requestType(), body)).isEqualTo(request.message());

        // Re-encoding reproduces the exact bytes.
        assertThat(Hex.of(RpcCodec.encode(request.message()))).isEqualTo(Hex.of(body));
        assertThat(Hex.of(RpcCodec.encodeRequestFrame(request.message()))).isEqualTo(Hex.of(header));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeRequest(request.message());
        writer.writeSnapshotData(new ByteArrayInputStream(snapshot));
        writer.flush();
        assertThat(Hex.of(out.toByteArray())).isEqualTo(Hex.of(frame));
    }

    private static void checkResponse(byte[] frame, Map<String, List<Long>> layout, RpcType type, Object goValue,
                                      Object handWritten) throws IOException {
        WireReader reader = new WireReader(new ByteArrayInputStream(frame));
        WireResponse response = reader.readResponse(type);
        assertThat(response).isEqualTo(goValue);
        if (handWritten != null) {
            assertThat(response).isEqualTo(handWritten);
        }
        assertThat(RpcCodec.decodeResponseFrame(type, frame)).isEqualTo(response);
        if (response.response().isPresent()) {
            byte[] body = slice(frame, layout.get("msgpack_response"));
            assertThat(RpcCodec.decode(type.responseType(), body)).isEqualTo(response.response().get());
            assertThat(Hex.of(RpcCodec.encode(response.response().get()))).isEqualTo(Hex.of(body));
        } else {
            assertThat(slice(frame, layout.get("msgpack_response"))).containsExactly(0xc0);
        }

        assertThat(Hex.of(RpcCodec.encodeResponseFrame(response))).isEqualTo(Hex.of(frame));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeResponse(response);
        writer.flush();
        assertThat(Hex.of(out.toByteArray())).isEqualTo(Hex.of(frame));
    }

    private static RpcType rpcType(String goName) {
        return switch (goName) {
            case "AppendEntries" -> RpcType.APPEND_ENTRIES;
            case "RequestVote" -> RpcType.REQUEST_VOTE;
            case "InstallSnapshot" -> RpcType.INSTALL_SNAPSHOT;
            case "TimeoutNow" -> RpcType.TIMEOUT_NOW;
            default -> throw new IllegalArgumentException("unknown rpc " + goName);
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> vectorMetadata() {
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(
                SharedVectors.text(SharedVectors.wireDir().resolve("vectors.json")));
        Map<String, Map<String, Object>> byName = new HashMap<>();
        for (Object v : (List<Object>) root.get("vectors")) {
            Map<String, Object> vector = (Map<String, Object>) v;
            String file = (String) vector.get("file");
            byName.put(file.substring(0, file.length() - ".hex".length()), vector);
        }
        return byName;
    }

    private static byte[] slice(byte[] bytes, List<Long> range) {
        return Arrays.copyOfRange(bytes, range.get(0).intValue(), range.get(1).intValue());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
