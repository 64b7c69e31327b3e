package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.net.NetTestSupport.Held;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.answerTo;
import static io.flotilla.raft.transport.net.NetTestSupport.numbered;
import static io.flotilla.raft.transport.net.NetTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server side's promises beyond hashicorp's tests: requests keep flowing to the handler while earlier ones
 * wait for their answers (so a follower can group-commit a pipelined burst), answers leave in request order,
 * heartbeats are never held up behind unanswered requests, InstallSnapshot data is read by the handler before
 * anything else on the connection, and the limits that keep a misbehaving client from pinning resources.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServerSideTest {
    private final RecordingLogger log = new RecordingLogger();
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

    private NetworkTransport server(NetworkTransportConfig.Builder config) throws IOException {
        return closeLater(NetworkTransport.tcp("127.0.0.1:0", Optional.empty(), config.logger(log).build()));
    }

    private NetworkTransport server() throws IOException {
        return server(NetworkTransportConfig.builder().timeout(Duration.ofSeconds(2)));
    }

    private RawClient client(NetworkTransport server) throws IOException {
        return closeLater(new RawClient(server));
    }

    private static long lastLog(WireResponse w) {
        return ((AppendEntriesResponse) w.response().orElseThrow()).lastLog();
    }

    @Test
    void requests_reach_the_handler_before_earlier_ones_are_answered_and_answers_leave_in_order() throws Exception {
        NetworkTransport server = server();
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        for (int i = 1; i <= 5; i++) {
            client.send(numbered(i));
        }

        List<IncomingRpc> rpcs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            rpcs.add(held.next()); // all five arrive although none is answered
        }
        for (int i = 4; i >= 1; i--) {
            IncomingRpc rpc = rpcs.get(i);
            rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
        }
        client.assertSilentFor(200); // answer 1 is missing, so nothing may be sent yet
        rpcs.get(0).respond(answerTo((AppendEntriesRequest) rpcs.get(0).request()), null);

        for (int i = 1; i <= 5; i++) {
            assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(i);
        }
    }

    @Test
    void a_heartbeat_reaches_the_handler_while_an_append_on_its_connection_waits_for_disk() throws Exception {
        NetworkTransport server = server();
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        client.send(numbered(7));
        client.send(AppendEntriesRequest.heartbeat(RpcHeader.V3, 1, utf8("leader")));

        IncomingRpc append = held.next();
        IncomingRpc heartbeat = held.next();
        assertThat(append.isHeartbeat()).isFalse();
        assertThat(heartbeat.isHeartbeat()).as("dispatched while the append is unanswered").isTrue();
        heartbeat.respond(new AppendEntriesResponse(RpcHeader.V3, 1, 0, true, false), null);
        client.assertSilentFor(100); // the protocol orders its answer behind the append's
        append.respond(answerTo((AppendEntriesRequest) append.request()), null);

        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(7);
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isZero();
    }

    @Test
    void reading_pauses_at_the_limit_of_unanswered_requests() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().maxPendingPerConnection(4));
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        for (int i = 1; i <= 10; i++) {
            client.send(numbered(i));
        }

        List<IncomingRpc> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(held.next());
        }
        assertThat(held.poll(200)).as("a fifth request while four are unanswered").isNull();
        IncomingRpc one = first.get(0);
        one.respond(answerTo((AppendEntriesRequest) one.request()), null);
        IncomingRpc fifth = held.next();
        assertThat(((AppendEntriesRequest) fifth.request()).prevLogEntry()).isEqualTo(5);
    }

    @Test
    void snapshot_data_is_read_by_the_handler_from_another_thread_before_the_next_request_is_read()
            throws Exception {
        NetworkTransport server = server();
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        byte[] data = new byte[300_000];
        Arrays.fill(data, (byte) 'x');
        data[data.length - 1] = 'y';
        InstallSnapshotRequest install = new InstallSnapshotRequest(RpcHeader.V3, 1, 2, utf8("leader"), 10, 2,
                null, null, 0, data.length);
        client.sendSnapshot(install, data).send(numbered(11));

        IncomingRpc rpc = held.next();
        assertThat(rpc.request()).isEqualTo(install);
        assertThat(held.poll(200)).as("the next request waits for the snapshot data to be consumed").isNull();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = rpc.snapshotData().orElseThrow()) {
                byte[] all = in.readAllBytes();
                rpc.respond(new InstallSnapshotResponse(RpcHeader.ZERO, 2, true), null);
                return all;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(read).succeedsWithin(PATIENCE).isEqualTo(data);
        IncomingRpc next = held.next();
        assertThat(next.request()).isEqualTo(numbered(11));
        next.respond(answerTo(numbered(11)), null);

        assertThat(client.receive(RpcType.INSTALL_SNAPSHOT).response()).contains(
                new InstallSnapshotResponse(RpcHeader.ZERO, 2, true));
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(11);
    }

    @Test
    void snapshot_data_the_handler_leaves_unread_is_discarded_and_the_stream_stays_in_step() throws Exception {
        NetworkTransport server = server();
        List<Object> seen = new ArrayList<>();
        CompletableFuture<IOException> lateRead = new CompletableFuture<>();
        server.setHandler(rpc -> {
            seen.add(rpc.request());
            if (rpc.request() instanceof InstallSnapshotRequest) {
                InputStream in = rpc.snapshotData().orElseThrow();
                rpc.respond(new InstallSnapshotResponse(RpcHeader.ZERO, 1, false), "not now");
                CompletableFuture.runAsync(() -> {
                    try {
                        // Reading after answering: the data is no longer the handler's.
                        lateRead.complete(in.read(new byte[10]) < 0 ? null : new IOException("read data"));
                    } catch (IOException e) {
                        lateRead.complete(e);
                    }
                });
            } else {
                rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
            }
        });
        RawClient client = client(server);
        byte[] data = new byte[100_000];
        client.sendSnapshot(new InstallSnapshotRequest(RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null, 0,
                data.length), data).send(numbered(3));

        WireResponse first = client.receive(RpcType.INSTALL_SNAPSHOT);
        assertThat(first.error()).isEqualTo("not now");
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(3);
        assertThat(seen).hasSize(2);
        assertThat(lateRead).succeedsWithin(PATIENCE).isNotNull()
                .satisfies(e -> assertThat(e).hasMessageContaining("no longer available"));
    }

    @Test
    void a_handler_that_never_reads_snapshot_data_or_answers_gets_the_connection_closed() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().requestReadTimeout(Duration.ofMillis(300)));
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        client.sendSnapshot(new InstallSnapshotRequest(RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null, 0, 10),
                new byte[10]);
        held.next();

        client.awaitClosed();
        assertThat(log.has("closing inbound connection", "snapshot data not consumed")).isTrue();
    }

    @Test
    void a_handler_that_throws_is_answered_with_an_error_and_the_connection_lives_on() throws Exception {
        NetworkTransport server = server();
        server.setHandler(rpc -> {
            if (rpc.request() instanceof RequestVoteRequest) {
                throw new IllegalStateException("boom");
            }
            rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
        });
        RawClient client = client(server);
        client.send(new RequestVoteRequest(RpcHeader.V3, 1, utf8("c"), 0, 0, false)).send(numbered(2));

        WireResponse vote = client.receive(RpcType.REQUEST_VOTE);
        assertThat(vote.error()).contains("rpc handler failed").contains("boom");
        assertThat(vote.response()).isEmpty();
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(2);
    }

    @Test
    void without_a_handler_requests_are_answered_with_an_error() throws Exception {
        NetworkTransport server = server();
        RawClient client = client(server);
        client.send(numbered(1));
        assertThat(client.receive(RpcType.APPEND_ENTRIES).error()).isEqualTo(InboundConnection.NO_HANDLER);
    }

    @Test
    void an_answer_of_the_wrong_type_becomes_an_error_answer() throws Exception {
        NetworkTransport server = server();
        server.setHandler(rpc -> rpc.respond(new RequestVoteResponse(RpcHeader.V3, 1, null, true), null));
        RawClient client = client(server);
        client.send(numbered(1));
        WireResponse w = client.receive(RpcType.APPEND_ENTRIES);
        assertThat(w.error()).contains("wrong response type");
        assertThat(w.response()).isEmpty();
    }

    @Test
    void only_the_first_answer_counts() throws Exception {
        NetworkTransport server = server();
        server.setHandler(rpc -> {
            rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
            rpc.respond(null, "second answer");
        });
        RawClient client = client(server);
        client.send(numbered(1)).send(numbered(2));
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(1);
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(2);
    }

    // ---- limits ----

    @Test
    void a_request_that_trickles_in_slower_than_the_request_read_timeout_is_cut_off() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().requestReadTimeout(Duration.ofMillis(300)));
        Held held = new Held();
        server.setHandler(held);
        RawClient client = client(server);
        byte[] frame = io.flotilla.raft.codec.RpcCodec.encodeRequestFrame(numbered(1));
        long start = System.nanoTime();
        int sent = 0;
        try {
            // A slowloris: one byte every 50 ms keeps every single read short, but not the request as a whole.
            for (; sent < frame.length; sent++) {
                client.write(new byte[] {frame[sent]});
                Thread.sleep(50); // pacing the attack, not synchronising
            }
        } catch (IOException e) {
            // the server reset the connection
        }
        client.awaitClosed();
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(sent).as("bytes sent before the cut-off").isLessThan(frame.length);
        assertThat(millis).isLessThan(PATIENCE.toMillis());
        assertThat(held.count()).isZero();
        assertThat(log.has("remote=127.0.0.1:" + client.localPort(), "request not received in time")).isTrue();
    }

    @Test
    void an_idle_connection_may_stay_open_by_default() throws Exception {
        NetworkTransport server = server();
        server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        RawClient client = client(server);
        client.send(numbered(1));
        client.receive(RpcType.APPEND_ENTRIES);
        client.assertSilentFor(300);
        client.send(numbered(2));
        assertThat(lastLog(client.receive(RpcType.APPEND_ENTRIES))).isEqualTo(2);
    }

    @Test
    void an_idle_timeout_closes_connections_that_wait_too_long_between_requests() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().idleTimeout(Duration.ofMillis(200)));
        server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        RawClient client = client(server);
        client.send(numbered(1));
        client.receive(RpcType.APPEND_ENTRIES);

        client.awaitClosed();
        assertThat(log.has("remote=127.0.0.1:" + client.localPort(), "idle timeout")).isTrue();
    }

    @Test
    void beyond_the_connection_cap_the_idlest_connection_is_evicted() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().maxInboundConnections(3));
        server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawClient c = client(server);
            c.send(numbered(i)).receive(RpcType.APPEND_ENTRIES); // active in this order: 0 is the idlest
            clients.add(c);
        }
        await().atMost(PATIENCE).until(() -> server.inboundConnections() == 3);

        RawClient newcomer = client(server);
        assertThat(lastLog(newcomer.send(numbered(9)).receive(RpcType.APPEND_ENTRIES))).isEqualTo(9);
        clients.get(0).awaitClosed();
        assertThat(log.has("remote=127.0.0.1:" + clients.get(0).localPort(), "evicted")).isTrue();
        assertThat(lastLog(clients.get(2).send(numbered(5)).receive(RpcType.APPEND_ENTRIES))).isEqualTo(5);
        assertThat(server.inboundConnections()).isEqualTo(3);
    }

    @Test
    void beyond_the_connection_cap_with_every_connection_busy_a_newcomer_is_refused() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().maxInboundConnections(2));
        Held held = new Held();
        server.setHandler(held);
        for (int i = 0; i < 2; i++) {
            client(server).send(numbered(i)); // unanswered: busy
            held.next();
        }
        RawClient refused = client(server);
        refused.awaitClosed();
        assertThat(log.has("too many inbound connections, refusing", "max=2")).isTrue();
    }

    @Test
    void an_answer_the_client_does_not_read_is_cut_off_by_the_write_timeout() throws Exception {
        NetworkTransport server = server(NetworkTransportConfig.builder().writeTimeout(Duration.ofMillis(300)));
        byte[] big = new byte[8 << 20];
        server.setHandler(rpc -> rpc.respond(new RequestVoteResponse(RpcHeader.V3, 1, big, false), null));
        RawClient client = client(server);
        client.socket.setReceiveBufferSize(4096);
        for (int i = 0; i < 4; i++) {
            client.send(new RequestVoteRequest(RpcHeader.V3, 1, utf8("c"), 0, 0, false));
        }
        // The client reads nothing; 32 MiB of answers cannot all fit in the socket buffers.
        await().atMost(PATIENCE).until(() -> log.has("remote=127.0.0.1:" + client.localPort(),
                "response not written in time"));
        await().atMost(PATIENCE).until(() -> server.inboundConnections() == 0);
    }
}
