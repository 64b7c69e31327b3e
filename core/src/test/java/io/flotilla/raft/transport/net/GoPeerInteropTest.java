package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowResponse;
import io.flotilla.raft.transport.IncomingRpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A smoke test against a real hashicorp/raft 1.1.2 node ({@code shared/gopeer}), skipped when the binary is not
 * built ({@code GOPEER_BIN}, else {@code /tmp/flotilla-gopeer/bin/gopeer}). The Go node is bootstrapped with
 * itself and a second voter that is only this test's transport, answering like an agreeable follower: the Go
 * node wins the election through our transport, replicates to it (pipelined, with heartbeats on the side), and
 * can commit a write only because our acknowledgements parse. Then our client side calls the Go node.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GoPeerInteropTest {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private NetworkTransport transport;
    private Process go;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicLong lastIndex = new AtomicLong();
    private final AtomicInteger heartbeats = new AtomicInteger();

    private static Optional<Path> gopeer() {
        String env = System.getenv("GOPEER_BIN");
        Path bin = Path.of(env != null && !env.isBlank() ? env : "/tmp/flotilla-gopeer/bin/gopeer");
        return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
    }

    @BeforeEach
    void start() throws IOException {
        assumeThat(gopeer()).as("gopeer binary (set GOPEER_BIN or build shared/gopeer)").isPresent();
        transport = NetworkTransport.tcp("127.0.0.1:0", 3, Duration.ofSeconds(5));
        transport.setHandler(this::agreeableFollower);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (go != null) {
            go.destroy();
            if (!go.waitFor(10, TimeUnit.SECONDS)) {
                go.destroyForcibly();
            }
        }
        if (transport != null) {
            transport.close();
        }
    }

    /** Grants every vote and accepts every entry, as a follower with an empty log would. */
    private void agreeableFollower(IncomingRpc rpc) {
        if (rpc.request() instanceof RequestVoteRequest v) {
            received.add("vote term=" + v.term());
            rpc.respond(new RequestVoteResponse(RpcHeader.V3, v.term(), null, true), null);
        } else if (rpc.request() instanceof AppendEntriesRequest a) {
            if (rpc.isHeartbeat()) {
                heartbeats.incrementAndGet();
            }
            long last = a.prevLogEntry();
            if (a.entries() != null) {
                for (LogEntry e : a.entries()) {
                    last = e.index();
                    if (e.type() == LogType.COMMAND) {
                        received.add("command " + new String(e.data(), StandardCharsets.UTF_8));
                    }
                }
            }
            long seen = lastIndex.accumulateAndGet(last, Math::max);
            rpc.respond(new AppendEntriesResponse(RpcHeader.V3, a.term(), seen, true, false), null);
        } else if (rpc.request() instanceof InstallSnapshotRequest s) {
            try (InputStream in = rpc.snapshotData().orElseThrow()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                rpc.respond(null, e.toString());
                return;
            }
            rpc.respond(new InstallSnapshotResponse(RpcHeader.ZERO, s.term(), true), null);
        } else {
            rpc.respond(new TimeoutNowResponse(RpcHeader.ZERO), null);
        }
    }

    @Test
    void a_go_leader_elected_and_replicating_through_our_transport_and_our_calls_answered_by_it()
            throws Exception {
        int goPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            goPort = probe.getLocalPort();
        }
        String goAddr = "127.0.0.1:" + goPort;
        Path log = Files.createDirectories(Path.of("target", "gopeer")).resolve("interop-" + goPort + ".log");
        go = new ProcessBuilder(gopeer().orElseThrow().toString(), "serve", "--id", "g1", "--raft-addr", goAddr,
                "--http-addr", "127.0.0.1:0", "--bootstrap", "--peers",
                "g1=" + goAddr + ",j1=" + transport.localAddress(), "--heartbeat-timeout", "300ms",
                "--election-timeout", "300ms", "--leader-lease-timeout", "150ms", "--commit-timeout", "20ms")
                .redirectError(log.toFile())
                .start();
        String ready = readyLine(go);
        Matcher m = Pattern.compile("\"http_addr\":\"([^\"]+)\"").matcher(ready);
        assertThat(m.find()).as("ready line: %s", ready).isTrue();
        URI http = URI.create("http://" + m.group(1));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        // The Go node can only win with our vote, and only commit with our acknowledgements.
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(() ->
                get(client, http.resolve("/status")).contains("\"state\":\"Leader\""));
        assertThat(received).anyMatch(s -> s.startsWith("vote term="));
        HttpResponse<String> put = client.send(HttpRequest.newBuilder(http.resolve("/kv/hello"))
                .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString("from-go")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as("PUT answered %s", put.body()).isEqualTo(200);
        assertThat(received).anyMatch(s -> s.startsWith("command ") && s.contains("hello"));
        await().atMost(STARTUP).until(() -> heartbeats.get() > 0);

        // Our client side against the Go server: a stale vote is refused, with the Go node's term.
        RequestVoteResponse vote = transport.requestVote(ServerId.of("g1"), ServerAddress.of(goAddr),
                new RequestVoteRequest(RpcHeader.V3, 1, transport.encodePeer(ServerId.of("j1"),
                        transport.localAddress()), 0, 0, false));
        assertThat(vote.granted()).isFalse();
        assertThat(vote.term()).isGreaterThanOrEqualTo(2);
        // And a stale AppendEntries is refused through a pipeline, too.
        var pipeline = transport.appendEntriesPipeline(ServerId.of("g1"), ServerAddress.of(goAddr));
        CompletableFuture<AppendEntriesResponse> stale = pipeline.appendEntries(new AppendEntriesRequest(
                RpcHeader.V3, 1, transport.encodePeer(ServerId.of("j1"), transport.localAddress()), 0, 0,
                List.of(), 0));
        assertThat(stale).succeedsWithin(Duration.ofSeconds(5)).satisfies(r -> {
            assertThat(r.success()).isFalse();
            assertThat(r.term()).isEqualTo(vote.term());
        });
        pipeline.close();
    }

    private static String get(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String readyLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String ready = line.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
        assertThat(ready).as("gopeer's ready line").isNotNull().contains("\"event\":\"ready\"");
        return ready;
    }
}
