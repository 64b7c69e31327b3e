package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.transport.AppendPipeline;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.RemoteRpcException;
import io.flotilla.raft.transport.net.NetTestSupport.Held;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.flotilla.raft.transport.net.NetTestSupport.ID1;
import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.answerTo;
import static io.flotilla.raft.transport.net.NetTestSupport.async;
import static io.flotilla.raft.transport.net.NetTestSupport.failureOf;
import static io.flotilla.raft.transport.net.NetTestSupport.numbered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What closing does. Unlike hashicorp's transport, whose {@code Close} leaves pooled and pipelined connections
 * open (inventory §8.2 #14), {@link NetworkTransport#close()} releases every socket and thread; these tests count
 * them — threads by name, sockets as the process's open socket descriptors.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LifecycleTest {
    private static long threadsOf(NetworkTransport t) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.isAlive() && th.getName().startsWith(t.threadPrefix())).count();
    }

    /** Open socket descriptors of this process (Linux). */
    private static long openSockets() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        try (Stream<Path> list = Files.list(fds)) {
            return list.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }

    @Test
    void close_releases_every_thread_and_socket_including_pooled_busy_and_pipelined_connections()
            throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        long socketsBefore = openSockets();

        NetworkTransport server = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));

        // Three pooled connections: three calls at once, answered together.
        List<CompletableFuture<AppendEntriesResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(async(() -> client.appendEntries(ID1, server.localAddress(), numbered(1))));
        }
        List<IncomingRpc> rpcs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rpcs.add(held.next());
        }
        rpcs.forEach(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        calls.forEach(c -> assertThat(c).succeedsWithin(PATIENCE));
        assertThat(client.pooledConnections(server.localAddress())).isEqualTo(3);
        // A pipeline with two requests in flight, and a call waiting for its answer.
        AppendPipeline pipeline = client.appendEntriesPipeline(ID1, server.localAddress());
        CompletableFuture<AppendEntriesResponse> inFlight1 = pipeline.appendEntries(numbered(2));
        CompletableFuture<AppendEntriesResponse> inFlight2 = pipeline.appendEntries(numbered(3));
        CompletableFuture<AppendEntriesResponse> busy =
                async(() -> client.appendEntries(ID1, server.localAddress(), numbered(4)));
        List<IncomingRpc> owed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            owed.add(held.next());
        }
        // As in hashicorp, the pipeline and the busy call took pooled connections: one is left idle.
        assertThat(client.pooledConnections(server.localAddress())).isOne();
        assertThat(client.outboundConnections()).isEqualTo(3);
        assertThat(server.inboundConnections()).isEqualTo(3);
        assertThat(threadsOf(server)).as("accept + reader and writer per connection + watchdog")
                .isBetween(1L + 2 * 3, 2L + 2 * 3);

        client.close();

        assertThat(threadsOf(client)).as("client threads after close").isZero();
        assertThat(client.outboundConnections()).isZero();
        assertThat(failureOf(inFlight1)).isInstanceOf(io.flotilla.raft.transport.PipelineShutdownException.class);
        assertThat(failureOf(inFlight2)).isInstanceOf(io.flotilla.raft.transport.PipelineShutdownException.class);
        assertThat(failureOf(busy)).isInstanceOf(io.flotilla.raft.transport.TransportShutdownException.class);
        // The server sees every one of the client's connections end: none was left open. (Like hashicorp's,
        // it still answers what it read before the end, so the held requests are answered first.)
        owed.forEach(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        await().atMost(PATIENCE).until(() -> server.inboundConnections() == 0);

        server.close();

        assertThat(threadsOf(server)).as("server threads after close").isZero();
        await().atMost(PATIENCE).until(() -> openSockets() <= socketsBefore);
    }

    @Test
    void close_streams_on_the_server_answers_what_was_received_then_closes() throws Exception {
        NetworkTransport server = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));
        try (server; RawClient busy = new RawClient(server); RawClient idle = new RawClient(server)) {
            Held held = new Held();
            server.setHandler(held);
            busy.send(numbered(1));
            IncomingRpc rpc = held.next();
            await().atMost(PATIENCE).until(() -> server.inboundConnections() == 2);

            server.closeStreams();

            idle.awaitClosed(); // nothing pending: closed at once
            busy.assertSilentFor(100);
            rpc.respond(answerTo(numbered(1)), null);
            AppendEntriesResponse answer = (AppendEntriesResponse) busy.receive(RpcType.APPEND_ENTRIES)
                    .response().orElseThrow();
            assertThat(answer.lastLog()).isEqualTo(1);
            busy.awaitClosed();
            await().atMost(PATIENCE).until(() -> server.inboundConnections() == 0);

            // The transport itself keeps serving new connections.
            try (NetworkTransport client = NetworkTransport.tcp("127.0.0.1:0", 1, Duration.ofSeconds(5))) {
                CompletableFuture<AppendEntriesResponse> call =
                        async(() -> client.appendEntries(ID1, server.localAddress(), numbered(2)));
                IncomingRpc next = held.next();
                next.respond(answerTo(numbered(2)), null);
                assertThat(call).succeedsWithin(PATIENCE);
            }
        }
    }

    @Test
    void a_handler_may_close_its_own_transport() throws Exception {
        NetworkTransport server = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));
        server.setHandler(rpc -> {
            rpc.respond(null, "going away");
            server.close();
        });
        try (NetworkTransport client = NetworkTransport.tcp("127.0.0.1:0", 1, Duration.ofSeconds(5))) {
            CompletableFuture<AppendEntriesResponse> call =
                    async(() -> client.appendEntries(ID1, server.localAddress(), numbered(1)));
            Throwable failure = failureOf(call);
            assertThat(failure).isInstanceOf(IOException.class);
            if (failure instanceof RemoteRpcException) {
                assertThat(failure).hasMessage("going away");
            }
        }
        await().atMost(PATIENCE).until(() -> threadsOf(server) == 0);
        assertThat(server.isClosed()).isTrue();
    }

    @Test
    void closing_the_server_fails_a_call_waiting_for_its_answer_at_once() throws Exception {
        NetworkTransport server = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(30));
        Held held = new Held();
        server.setHandler(held);
        try (NetworkTransport client = NetworkTransport.tcp("127.0.0.1:0", 1, Duration.ofSeconds(30))) {
            CompletableFuture<AppendEntriesResponse> call =
                    async(() -> client.appendEntries(ID1, server.localAddress(), numbered(1)));
            held.next();
            server.close();
            assertThat(failureOf(call)).isInstanceOf(IOException.class); // well before the 30 s deadline
        }
    }
}
