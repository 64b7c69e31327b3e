package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.transport.net.NetTestSupport.Held;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.flotilla.raft.transport.net.NetTestSupport.ID1;
import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.answerTo;
import static io.flotilla.raft.transport.net.NetTestSupport.numbered;
import static io.flotilla.raft.transport.net.NetTestSupport.utf8;
import static io.flotilla.raft.transport.net.NetTestSupport.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Mutual TLS: only peers holding a certificate from a trusted CA get an RPC through, in either direction.
 * Certificates come from a throwaway CA made at test time ({@link TestPki}).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsTransportTest {
    private static TestPki clusterCa;
    private static TestPki otherCa;
    private static TestPki.Node node1;
    private static TestPki.Node node2;
    private static TestPki.Node stranger;

    private final RecordingLogger log = new RecordingLogger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void pki() throws GeneralSecurityException {
        clusterCa = TestPki.newCa("cluster-ca");
        otherCa = TestPki.newCa("other-ca");
        node1 = clusterCa.issue("node1");
        node2 = clusterCa.issue("node2");
        stranger = otherCa.issue("stranger");
    }

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

    private NetworkTransport tls(SSLContext context, Duration timeout, Consumer<javax.net.ssl.SSLParameters> params)
            throws IOException {
        TlsStreamLayer layer = TlsStreamLayer.bind("127.0.0.1:0", Optional.empty(), context, params);
        return closeLater(NetworkTransport.create(layer, NetworkTransportConfig.builder().timeout(timeout)
                .logger(log).requestReadTimeout(Duration.ofMillis(500)).build()));
    }

    private NetworkTransport tls(SSLContext context) throws IOException {
        return tls(context, Duration.ofSeconds(2), p -> { });
    }

    private NetworkTransport answeringServer() throws Exception {
        NetworkTransport server = tls(node1.context());
        server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
        return server;
    }

    @Test
    void peers_with_certificates_from_the_cluster_ca_talk() throws Exception {
        NetworkTransport server = answeringServer();
        NetworkTransport client = tls(node2.context());
        assertThat(client.appendEntries(ID1, server.localAddress(), numbered(3)).lastLog()).isEqualTo(3);
    }

    @Test
    void a_client_with_a_certificate_from_another_ca_delivers_nothing() throws Exception {
        Held held = new Held();
        NetworkTransport server = tls(node1.context());
        server.setHandler(held);
        // The stranger trusts the cluster's CA, so only the server's check can stop it.
        NetworkTransport client = tls(stranger.context(clusterCa));

        assertThatThrownBy(() -> client.appendEntries(ID1, server.localAddress(), numbered(1)))
                .isInstanceOf(IOException.class);
        assertThat(held.poll(100)).isNull();
        await().atMost(PATIENCE).until(() -> log.has("tls handshake failed"));
    }

    @Test
    void a_client_without_a_certificate_delivers_nothing() throws Exception {
        Held held = new Held();
        NetworkTransport server = tls(node1.context());
        server.setHandler(held);
        NetworkTransport client = tls(TestPki.contextWithoutCertificate(clusterCa));

        assertThatThrownBy(() -> client.appendEntries(ID1, server.localAddress(), numbered(1)))
                .isInstanceOf(IOException.class);
        assertThat(held.poll(100)).isNull();
        await().atMost(PATIENCE).until(() -> log.has("tls handshake failed"));
    }

    @Test
    void a_client_refuses_a_server_whose_certificate_it_does_not_trust() throws Exception {
        NetworkTransport server = tls(stranger.context(clusterCa));
        Held held = new Held();
        server.setHandler(held);
        NetworkTransport client = tls(node2.context());

        assertThatThrownBy(() -> client.appendEntries(ID1, server.localAddress(), numbered(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tls handshake with " + server.localAddress() + " failed");
        assertThat(held.poll(100)).isNull();
    }

    @Test
    void plain_tcp_frames_sent_to_a_tls_port_deliver_nothing() throws Exception {
        Held held = new Held();
        NetworkTransport server = tls(node1.context());
        server.setHandler(held);
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), WireBytesTest.port(server))) {
            plain.setSoTimeout((int) PATIENCE.toMillis());
            plain.getOutputStream().write(vector("append_entries_req_two_entries"));
            plain.getOutputStream().flush();
            byte[] buf = new byte[1024];
            try {
                while (plain.getInputStream().read(buf) >= 0) {
                    // a TLS alert, then the end
                }
            } catch (IOException reset) {
                // closed
            }
        }
        assertThat(held.poll(100)).isNull();
        await().atMost(PATIENCE).until(() -> log.has("tls handshake failed"));
    }

    @Test
    void a_client_that_never_starts_its_handshake_is_cut_off() throws Exception {
        NetworkTransport server = tls(node1.context());
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), WireBytesTest.port(server))) {
            silent.setSoTimeout((int) PATIENCE.toMillis());
            byte[] buf = new byte[1024];
            while (silent.getInputStream().read(buf) >= 0) {
                // perhaps a TLS alert, then the end
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("not cut off within " + PATIENCE);
        } catch (IOException reset) {
            // closed by reset
        }
        assertThat(log.has("closing inbound connection", "tls handshake failed", "not completed within 500 ms"))
                .isTrue();
    }

    @Test
    void host_names_can_be_verified_through_the_parameters() throws Exception {
        NetworkTransport server = answeringServer();
        // The test certificates name 127.0.0.1 as subject alternative name.
        NetworkTransport client = tls(node2.context(), Duration.ofSeconds(2),
                p -> p.setEndpointIdentificationAlgorithm("HTTPS"));
        assertThat(client.appendEntries(ID1, server.localAddress(), numbered(5)).lastLog()).isEqualTo(5);
    }

    @Test
    void a_write_the_peer_does_not_read_is_aborted_at_the_deadline_over_tls_too() throws Exception {
        // A TLS peer that completes its handshake and then reads nothing.
        TlsStreamLayer mute = closeLater(TlsStreamLayer.bind("127.0.0.1:0", node1.context()));
        CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                SSLSocket s = (SSLSocket) mute.accept();
                s.setReceiveBufferSize(4096);
                s.startHandshake();
                return s;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        NetworkTransport client = tls(node2.context(), Duration.ofMillis(300), p -> { });
        AppendEntriesRequest huge = new AppendEntriesRequest(RpcHeader.V3, 1, utf8("l"), 0, 0,
                List.of(new LogEntry(1, 1, LogType.COMMAND, new byte[32 << 20])), 0);

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.appendEntries(ID1, mute.address(), huge))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("i/o timeout");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(PATIENCE.toMillis());
        accepted.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).close();
    }

    @Test
    void a_pipeline_and_a_snapshot_over_tls() throws Exception {
        NetworkTransport server = tls(node1.context());
        server.setHandler(rpc -> {
            if (rpc.request() instanceof AppendEntriesRequest a) {
                rpc.respond(answerTo(a), null);
            } else {
                try {
                    byte[] data = rpc.snapshotData().orElseThrow().readAllBytes();
                    rpc.respond(new io.flotilla.raft.InstallSnapshotResponse(RpcHeader.ZERO, data.length, true), null);
                } catch (IOException e) {
                    rpc.respond(null, e.toString());
                }
            }
        });
        NetworkTransport client = tls(node2.context());
        var pipeline = closeLater(client.appendEntriesPipeline(ID1, server.localAddress()));
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(pipeline.appendEntries(numbered(i)));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(futures.get(i)).succeedsWithin(PATIENCE).extracting(AppendEntriesResponse::lastLog)
                    .isEqualTo((long) i);
        }
        byte[] snapshot = new byte[1 << 20];
        var resp = client.installSnapshot(ID1, server.localAddress(), new io.flotilla.raft.InstallSnapshotRequest(
                RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null, 0, snapshot.length),
                new java.io.ByteArrayInputStream(snapshot));
        assertThat(resp.term()).isEqualTo(snapshot.length);
    }

    @Test
    void ssl_contexts_load_from_pkcs12_files() throws Exception {
        Path dir = Files.createTempDirectory("flotilla-tls");
        try {
            char[] pw = "changeit".toCharArray();
            Path keys = dir.resolve("node.p12");
            Path trust = dir.resolve("trust.p12");
            try (var out = Files.newOutputStream(keys)) {
                node1.keyStore().store(out, pw);
            }
            try (var out = Files.newOutputStream(trust)) {
                clusterCa.trustStore().store(out, pw);
            }
            SSLContext fromFiles = TlsStreamLayer.sslContext(keys, pw, trust, pw);
            NetworkTransport server = tls(fromFiles);
            server.setHandler(rpc -> rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null));
            NetworkTransport client = tls(node2.context());
            assertThat(client.appendEntries(ID1, server.localAddress(), numbered(8)).lastLog()).isEqualTo(8);
            assertThatThrownBy(() -> TlsStreamLayer.sslContext(dir.resolve("missing.p12"), pw, trust, pw))
                    .hasMessageContaining("no key store");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * Closing a TLS socket waits for the peer's close_notify for as long as the socket's read timeout (JDK
     * behaviour); an idle pooled connection last read with a deadline of seconds must still close at once.
     */
    @Test
    void closing_idle_tls_connections_is_prompt() throws Exception {
        NetworkTransport server = answeringServer();
        NetworkTransport client = tls(node2.context(), Duration.ofSeconds(20), p -> { });
        client.appendEntries(ID1, server.localAddress(), numbered(1));
        assertThat(client.pooledConnections(server.localAddress())).isOne();

        long start = System.nanoTime();
        client.closeStreams();
        server.closeStreams();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        await().atMost(PATIENCE).until(() -> server.inboundConnections() == 0);
    }

    /**
     * The same from the server side, where it bit: a connection whose reader is busy in the handler, to a peer
     * that sends no close_notify back. Without care, close() waited for the rest of the request read timeout.
     */
    @Test
    void closing_a_tls_server_is_prompt_while_a_handler_is_busy_and_the_peer_silent() throws Exception {
        NetworkTransport server = closeLater(NetworkTransport.create(TlsStreamLayer.bind("127.0.0.1:0",
                node1.context()), NetworkTransportConfig.builder().logger(log).build())); // 30 s read timeout
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server.setHandler(rpc -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rpc.respond(null, "late");
        });
        try (SSLSocket peer = (SSLSocket) node2.context().getSocketFactory().createSocket(
                InetAddress.getLoopbackAddress(), WireBytesTest.port(server))) {
            peer.startHandshake();
            // In two parts, so the server's second read runs under the request deadline (a 30 s socket timeout).
            byte[] frame = vector("append_entries_req_heartbeat");
            peer.getOutputStream().write(frame, 0, 10);
            peer.getOutputStream().flush();
            Thread.sleep(100); // pacing the bytes, not synchronising
            peer.getOutputStream().write(frame, 10, frame.length - 10);
            peer.getOutputStream().flush();
            assertThat(entered.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            long start = System.nanoTime();
            server.close();
            // close() gives threads 2 s to end; the stuck handler's thread will not, but nothing waits 30 s.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        } finally {
            release.countDown();
        }
    }

    @Test
    void close_over_tls_releases_every_thread() throws Exception {
        NetworkTransport server = answeringServer();
        NetworkTransport client = tls(node2.context());
        var pipeline = client.appendEntriesPipeline(ID1, server.localAddress());
        pipeline.appendEntries(numbered(1)).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        client.appendEntries(ID1, server.localAddress(), numbered(2));

        long start = System.nanoTime();
        client.close();
        server.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive()
                && (t.getName().startsWith(client.threadPrefix()) || t.getName().startsWith(server.threadPrefix())));
    }
}
