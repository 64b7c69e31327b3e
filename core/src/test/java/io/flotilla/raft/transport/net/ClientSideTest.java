package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.codec.RpcCodec;
import io.flotilla.raft.codec.WireReader;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.PipelineShutdownException;
import io.flotilla.raft.transport.TransportShutdownException;
import io.flotilla.raft.transport.net.NetTestSupport.Held;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.flotilla.raft.transport.net.NetTestSupport.ID1;
import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.answerTo;
import static io.flotilla.raft.transport.net.NetTestSupport.async;
import static io.flotilla.raft.transport.net.NetTestSupport.cartman;
import static io.flotilla.raft.transport.net.NetTestSupport.failureOf;
import static io.flotilla.raft.transport.net.NetTestSupport.numbered;
import static io.flotilla.raft.transport.net.NetTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/** The calling side: deadlines on reads and writes, InstallSnapshot's scaled deadline, pipeline failure modes. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClientSideTest {
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

    private NetworkTransport client(Duration timeout) throws IOException {
        return closeLater(NetworkTransport.tcp("127.0.0.1:0", 2, timeout));
    }

    /** A server that accepts connections and neither reads nor answers (a stalled peer). */
    private final class Mute {
        final ServerSocket server;
        final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        Mute(int receiveBuffer) throws IOException {
            server = closeLater(new ServerSocket());
            if (receiveBuffer > 0) {
                server.setReceiveBufferSize(receiveBuffer);
            }
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(closeLater(server.accept()));
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "mute-server");
            t.setDaemon(true);
            t.start();
        }

        ServerAddress address() {
            return ServerAddress.of("127.0.0.1:" + server.getLocalPort());
        }
    }

    @Test
    void a_call_fails_at_the_deadline_when_the_peer_never_answers() throws Exception {
        Mute mute = new Mute(0);
        NetworkTransport client = client(Duration.ofMillis(200));
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.appendEntries(ID1, mute.address(), cartman()))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("i/o timeout");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis).isBetween(150L, PATIENCE.toMillis());
        assertThat(client.pooledConnections(mute.address())).isZero();
        assertThat(client.outboundConnections()).isZero();
    }

    @Test
    void a_write_the_peer_does_not_read_is_aborted_at_the_deadline() throws Exception {
        Mute mute = new Mute(4096);
        NetworkTransport client = client(Duration.ofMillis(300));
        AppendEntriesRequest huge = new AppendEntriesRequest(RpcHeader.V3, 1, utf8("l"), 0, 0,
                List.of(new LogEntry(1, 1, LogType.COMMAND, new byte[32 << 20])), 0);

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.appendEntries(ID1, mute.address(), huge))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("write tcp " + mute.address() + ": i/o timeout");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(PATIENCE.toMillis());
        assertThat(client.outboundConnections()).isZero();
    }

    @Test
    void install_snapshot_deadline_scales_with_size_like_hashicorp() throws IOException {
        NetworkTransport client = client(Duration.ofSeconds(1));
        assertThat(client.snapshotTimeout(10)).isEqualTo(Duration.ofSeconds(1));
        assertThat(client.snapshotTimeout(256 * 1024 - 1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(client.snapshotTimeout(2 * 256 * 1024 + 5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(client.snapshotTimeout(10L << 20)).isEqualTo(Duration.ofSeconds(40));
        assertThat(client.snapshotTimeout(Long.MAX_VALUE)).isGreaterThan(Duration.ofDays(365));

        NetworkTransport scaled = closeLater(NetworkTransport.tcp("127.0.0.1:0", Optional.empty(),
                NetworkTransportConfig.builder().timeout(Duration.ofMillis(100)).timeoutScale(1000).build()));
        assertThat(scaled.snapshotTimeout(5500)).isEqualTo(Duration.ofMillis(500));
        NetworkTransport none = closeLater(NetworkTransport.tcp("127.0.0.1:0", 1, Duration.ZERO));
        assertThat(none.snapshotTimeout(1L << 40)).isZero();
    }

    @Test
    void install_snapshot_with_less_data_than_announced_fails_and_closes_the_connection() throws Exception {
        NetworkTransport server = client(Duration.ofSeconds(2));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = client(Duration.ofSeconds(2));
        InstallSnapshotRequest req = new InstallSnapshotRequest(RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null,
                0, 100);

        assertThatThrownBy(() -> client.installSnapshot(ID1, server.localAddress(), req,
                new ByteArrayInputStream(new byte[40])))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("snapshot data ended after 40 of its 100 bytes");
        assertThat(client.outboundConnections()).isZero();
        await().atMost(PATIENCE).until(() -> server.inboundConnections() == 0);
    }

    /** A server that answers the first {@code answers} AppendEntries of a connection, then hangs up. */
    private ServerAddress answeringThenHangingUp(int answers) throws IOException {
        ServerSocket server = closeLater(new ServerSocket(0, 5, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                WireReader reader = new WireReader(s.getInputStream());
                for (int i = 0; i < answers; i++) {
                    AppendEntriesRequest req = (AppendEntriesRequest) reader.readRequest().orElseThrow().message();
                    s.getOutputStream().write(RpcCodec.encodeResponseFrame(
                            io.flotilla.raft.codec.WireResponse.of(answerTo(req))));
                }
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the test fails on its own side
            }
        }, "hanging-up-server");
        t.setDaemon(true);
        t.start();
        return ServerAddress.of("127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void after_a_pipeline_failure_every_later_request_fails() throws Exception {
        ServerAddress target = answeringThenHangingUp(2);
        NetworkTransport client = client(Duration.ofSeconds(2));
        AppendPipeline pipeline = closeLater(client.appendEntriesPipeline(ID1, target));
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            try {
                futures.add(pipeline.appendEntries(numbered(i)));
            } catch (IOException e) {
                break; // the server may already be gone
            }
        }

        assertThat(futures.get(0)).succeedsWithin(PATIENCE).extracting(AppendEntriesResponse::lastLog)
                .isEqualTo(1L);
        assertThat(futures.get(1)).succeedsWithin(PATIENCE).extracting(AppendEntriesResponse::lastLog)
                .isEqualTo(2L);
        Throwable first = null;
        for (CompletableFuture<AppendEntriesResponse> f : futures.subList(2, futures.size())) {
            Throwable failure = failureOf(f);
            assertThat(failure).isInstanceOf(IOException.class);
            if (first == null) {
                first = failure;
            } else {
                assertThat(failure).as("the same failure cascades").isSameAs(first);
            }
        }
        Throwable later = failureOf(pipeline.appendEntries(numbered(9)));
        assertThat(later).isInstanceOf(IOException.class);
    }

    @Test
    void a_pipelined_answer_that_never_comes_times_out_and_fails_the_rest() throws Exception {
        Mute mute = new Mute(0);
        NetworkTransport client = client(Duration.ofMillis(200));
        AppendPipeline pipeline = closeLater(client.appendEntriesPipeline(ID1, mute.address()));
        CompletableFuture<AppendEntriesResponse> first = pipeline.appendEntries(numbered(1));
        CompletableFuture<AppendEntriesResponse> second = pipeline.appendEntries(numbered(2));

        assertThat(failureOf(first)).isInstanceOf(SocketTimeoutException.class);
        assertThat(failureOf(second)).isSameAs(failureOf(first));
    }

    @Test
    void a_pipeline_holds_at_most_128_unanswered_requests() throws Exception {
        NetworkTransport server = client(Duration.ofSeconds(5));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = client(Duration.ofSeconds(5));
        AppendPipeline pipeline = closeLater(client.appendEntriesPipeline(ID1, server.localAddress()));
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            futures.add(pipeline.appendEntries(numbered(i)));
        }
        List<IncomingRpc> rpcs = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            rpcs.add(held.next());
        }

        CompletableFuture<CompletableFuture<AppendEntriesResponse>> blocked =
                async(() -> pipeline.appendEntries(numbered(128)));
        try {
            blocked.get(200, TimeUnit.MILLISECONDS);
            fail("the 129th request was sent while 128 were unanswered");
        } catch (TimeoutException expected) {
            // back-pressure
        }
        rpcs.get(0).respond(answerTo((AppendEntriesRequest) rpcs.get(0).request()), null);
        assertThat(futures.get(0)).succeedsWithin(PATIENCE);
        assertThat(blocked).succeedsWithin(PATIENCE);
        assertThat(((AppendEntriesRequest) held.next().request()).prevLogEntry()).isEqualTo(128);
    }

    @Test
    void closing_the_transport_fails_a_call_waiting_for_its_answer() throws Exception {
        NetworkTransport server = client(Duration.ofSeconds(5));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = client(Duration.ofSeconds(5));
        CompletableFuture<AppendEntriesResponse> call =
                async(() -> client.appendEntries(ID1, server.localAddress(), cartman()));
        held.next();

        client.close();

        assertThat(failureOf(call)).isInstanceOf(TransportShutdownException.class);
    }

    @Test
    void closing_a_pipeline_while_a_sender_waits_for_room_fails_that_sender() throws Exception {
        NetworkTransport server = client(Duration.ofSeconds(5));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = client(Duration.ofSeconds(5));
        AppendPipeline pipeline = client.appendEntriesPipeline(ID1, server.localAddress());
        for (int i = 0; i < 128; i++) {
            pipeline.appendEntries(numbered(i));
        }
        CompletableFuture<CompletableFuture<AppendEntriesResponse>> blocked =
                async(() -> pipeline.appendEntries(numbered(128)));
        for (int i = 0; i < 128; i++) {
            held.next();
        }

        pipeline.close();

        assertThat(failureOf(blocked)).isInstanceOf(PipelineShutdownException.class);
    }

    @Test
    void max_pool_zero_keeps_no_idle_connection() throws Exception {
        NetworkTransport server = client(Duration.ofSeconds(2));
        server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        NetworkTransport client = closeLater(NetworkTransport.tcp("127.0.0.1:0", 0, Duration.ofSeconds(2)));
        client.appendEntries(ID1, server.localAddress(), numbered(1));
        assertThat(client.pooledConnections(server.localAddress())).isZero();
        assertThat(client.outboundConnections()).isZero();
    }
}
