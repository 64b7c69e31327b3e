package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.codec.RpcCodec;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireRequest;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.RemoteRpcException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.flotilla.raft.transport.net.NetTestSupport.ID1;
import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.hex;
import static io.flotilla.raft.transport.net.NetTestSupport.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Byte-for-byte compatibility with hashicorp's NetworkTransport, against the golden vectors captured from Go
 * ({@code shared/wire}): what our client writes to a plain socket equals what Go's client wrote, and what our
 * server answers to Go's request frames equals what Go's server answered.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WireBytesTest {
    /** Bytes of the InstallSnapshot header in {@code install_snapshot_req}; the 10 data bytes follow. */
    private static final int SNAPSHOT_HEADER = 311;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private static RpcMessage request(String name) throws IOException {
        byte[] frame = vector(name);
        if (name.equals("install_snapshot_req")) {
            frame = Arrays.copyOf(frame, SNAPSHOT_HEADER);
        }
        return RpcCodec.decodeRequestFrame(frame).message();
    }

    private static WireResponse response(RpcType type, String name) throws IOException {
        return RpcCodec.decodeResponseFrame(type, vector(name));
    }

    /** A plain TCP server that records the first {@code expected} bytes of one connection, then answers. */
    private final class Recorder {
        final ServerSocket server = closeLater(new ServerSocket(0, 5, InetAddress.getLoopbackAddress()));
        final CompletableFuture<byte[]> received = new CompletableFuture<>();

        Recorder() throws IOException {
        }

        ServerAddress address() {
            return ServerAddress.of("127.0.0.1:" + server.getLocalPort());
        }

        /** Records {@code expected} bytes from one connection, writes {@code answer}, then checks for leftovers. */
        void serveOnce(int expected, byte[] answer) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout((int) PATIENCE.toMillis());
                    InputStream in = s.getInputStream();
                    byte[] got = in.readNBytes(expected);
                    s.getOutputStream().write(answer);
                    s.getOutputStream().flush();
                    received.complete(got);
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            }, "recorder");
            t.setDaemon(true);
            t.start();
        }
    }

    private NetworkTransport client() throws IOException {
        return closeLater(NetworkTransport.tcp("127.0.0.1:0", 2, Duration.ofSeconds(2)));
    }

    // ---- our client writes Go's bytes ----

    @ParameterizedTest(name = "{0} answered by {1}")
    @CsvSource({
            "append_entries_req_heartbeat, append_entries_resp_heartbeat",
            "append_entries_req_empty, append_entries_resp",
            "append_entries_req_two_entries, append_entries_resp",
            "append_entries_req_int_widths, append_entries_resp_fail",
            "request_vote_req, request_vote_resp",
            "request_vote_req_transfer, request_vote_resp_v1_peers",
            "timeout_now_req, timeout_now_resp",
    })
    void a_call_writes_exactly_the_golden_request_and_reads_the_golden_response(String req, String resp)
            throws Exception {
        RpcMessage request = request(req);
        RpcType type = RpcType.of(request);
        Recorder recorder = new Recorder();
        recorder.serveOnce(vector(req).length, vector(resp));
        NetworkTransport client = client();

        RpcMessage out = switch (type) {
            case APPEND_ENTRIES -> client.appendEntries(ID1, recorder.address(), (AppendEntriesRequest) request);
            case REQUEST_VOTE -> client.requestVote(ID1, recorder.address(), (RequestVoteRequest) request);
            case TIMEOUT_NOW -> client.timeoutNow(ID1, recorder.address(), (TimeoutNowRequest) request);
            case INSTALL_SNAPSHOT -> throw new AssertionError();
        };

        assertThat(hex(recorder.received.get())).isEqualTo(hex(vector(req)));
        assertThat(out).isEqualTo(response(type, resp).response().orElseThrow());
    }

    @Test
    void install_snapshot_writes_the_golden_header_then_exactly_size_bytes() throws Exception {
        InstallSnapshotRequest request = (InstallSnapshotRequest) request("install_snapshot_req");
        Recorder recorder = new Recorder();
        recorder.serveOnce(vector("install_snapshot_req").length, vector("install_snapshot_resp"));
        NetworkTransport client = client();

        var out = client.installSnapshot(ID1, recorder.address(), request,
                new ByteArrayInputStream(NetTestSupport.utf8("0123456789")));

        assertThat(hex(recorder.received.get())).isEqualTo(hex(vector("install_snapshot_req")));
        assertThat(out).isEqualTo(response(RpcType.INSTALL_SNAPSHOT, "install_snapshot_resp").response()
                .orElseThrow());
    }

    @Test
    void install_snapshot_error_and_struct_together_reach_the_caller_as_the_error() throws Exception {
        InstallSnapshotRequest request = (InstallSnapshotRequest) request("install_snapshot_req");
        Recorder recorder = new Recorder();
        recorder.serveOnce(vector("install_snapshot_req").length, vector("install_snapshot_resp_error"));
        NetworkTransport client = client();

        assertThatThrownBy(() -> client.installSnapshot(ID1, recorder.address(), request,
                new ByteArrayInputStream(NetTestSupport.utf8("0123456789"))))
                .isInstanceOf(RemoteRpcException.class).hasMessage("unsupported snapshot version 7");
    }

    @Test
    void an_error_with_a_nil_response_reaches_the_caller_and_the_connection_is_pooled() throws Exception {
        Recorder recorder = new Recorder();
        recorder.serveOnce(vector("request_vote_req").length, vector("error_resp_nil"));
        NetworkTransport client = client();

        assertThatThrownBy(() -> client.requestVote(ID1, recorder.address(),
                (RequestVoteRequest) request("request_vote_req")))
                .isInstanceOf(RemoteRpcException.class)
                .hasMessage("operation not supported with current protocol version");
        assertThat(client.pooledConnections(recorder.address())).as("as in Go, the connection goes back").isOne();
    }

    @Test
    void pipelined_frames_are_the_same_bytes_back_to_back() throws Exception {
        AppendEntriesRequest request = (AppendEntriesRequest) request("append_entries_req_two_entries");
        byte[] frame = vector("append_entries_req_two_entries");
        byte[] answer = vector("append_entries_resp");
        Recorder recorder = new Recorder();
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        answers.writeBytes(answer);
        answers.writeBytes(answer);
        answers.writeBytes(answer);
        recorder.serveOnce(3 * frame.length, answers.toByteArray());
        NetworkTransport client = client();

        AppendPipeline pipeline = closeLater(client.appendEntriesPipeline(ID1, recorder.address()));
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(pipeline.appendEntries(request));
        }

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            expected.writeBytes(frame);
        }
        assertThat(hex(recorder.received.get())).isEqualTo(hex(expected.toByteArray()));
        RpcMessage golden = response(RpcType.APPEND_ENTRIES, "append_entries_resp").response().orElseThrow();
        for (CompletableFuture<AppendEntriesResponse> f : futures) {
            assertThat(f).succeedsWithin(PATIENCE).isEqualTo(golden);
        }
    }

    // ---- our server answers Go's request frames with Go's bytes ----

    /** Request vector, response vector, and what the handler does with the request. */
    private record Exchange(String request, String response) {
    }

    private static final List<Exchange> EXCHANGES = List.of(
            new Exchange("append_entries_req_two_entries", "append_entries_resp"),
            new Exchange("append_entries_req_empty", "append_entries_resp_fail"),
            new Exchange("append_entries_req_heartbeat", "append_entries_resp_heartbeat"),
            new Exchange("request_vote_req", "request_vote_resp"),
            new Exchange("request_vote_req_transfer", "request_vote_resp_v1_peers"),
            new Exchange("append_entries_req_int_widths", "error_resp_nil"),
            new Exchange("timeout_now_req", "timeout_now_resp"),
            new Exchange("install_snapshot_req", "install_snapshot_resp"));

    @Test
    void the_server_answers_golden_frames_on_one_connection_with_the_golden_bytes() throws Exception {
        NetworkTransport server = client();
        List<String> seen = new ArrayList<>();
        server.setHandler(rpc -> {
            Exchange ex = EXCHANGES.get(seen.size());
            try {
                assertThat(rpc.request()).isEqualTo(request(ex.request()));
                seen.add(ex.request() + (rpc.isHeartbeat() ? " (heartbeat)" : ""));
                if (rpc.request() instanceof InstallSnapshotRequest) {
                    InputStream data = rpc.snapshotData().orElseThrow();
                    assertThat(data.readAllBytes()).isEqualTo(NetTestSupport.utf8("0123456789"));
                }
                WireResponse golden = response(RpcType.of(rpc.request()), ex.response());
                rpc.respond(golden.response().orElse(null), golden.isError() ? golden.error() : null);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(server))) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (Exchange ex : EXCHANGES) {
                out.write(vector(ex.request()));
                out.flush();
                byte[] expected = vector(ex.response());
                assertThat(hex(in.readNBytes(expected.length))).as(ex.request() + " -> " + ex.response())
                        .isEqualTo(hex(expected));
            }
        }
        assertThat(seen).contains("append_entries_req_heartbeat (heartbeat)")
                .doesNotContain("append_entries_req_empty (heartbeat)", "append_entries_req_two_entries (heartbeat)");
    }

    @Test
    void the_server_accepts_every_live_request_captured_from_a_running_go_leader() throws Exception {
        NetworkTransport server = client();
        List<RpcMessage> seen = new ArrayList<>();
        List<Boolean> heartbeats = new ArrayList<>();
        server.setHandler(rpc -> {
            seen.add(rpc.request());
            heartbeats.add(rpc.isHeartbeat());
            rpc.respond(null, "ok");
        });
        List<String> live = List.of("live_request_vote_req", "live_append_entries_req_first",
                "live_append_entries_req_command", "live_append_entries_req_commit_only",
                "live_append_entries_req_heartbeat", "live_timeout_now_req");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(server))) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            for (String name : live) {
                s.getOutputStream().write(vector(name));
            }
            s.getOutputStream().flush();
            byte[] okNil = RpcCodec.encodeResponseFrame(WireResponse.error("ok"));
            for (int i = 0; i < live.size(); i++) {
                assertThat(s.getInputStream().readNBytes(okNil.length)).isEqualTo(okNil);
            }
        }
        assertThat(seen).hasSize(live.size());
        for (int i = 0; i < live.size(); i++) {
            WireRequest golden = RpcCodec.decodeRequestFrame(vector(live.get(i)));
            assertThat(seen.get(i)).isEqualTo(golden.message());
        }
        assertThat(heartbeats).containsExactly(false, false, false, false, true, false);
    }

    static int port(NetworkTransport t) {
        String a = t.localAddress().value();
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }
}
