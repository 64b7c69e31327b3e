package io.flotilla.raft.transport.net;

import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.codec.WireReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flotilla.raft.transport.net.NetTestSupport.ID1;
import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;
import static io.flotilla.raft.transport.net.NetTestSupport.utf8;
import static io.flotilla.raft.transport.net.NetTestSupport.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN: "Unknown or malformed input closes that connection with a logged reason; it never kills the node or
 * corrupts state." Every test connects to a transport's port with a plain socket and sends bytes no sane peer
 * would. The oracle for what the transport must do is the codec itself run over the same bytes in memory: the
 * requests it decodes before the first error are exactly what reaches the handler; after the error, the
 * connection is closed and the reason logged. Meanwhile a well-behaved client keeps getting answers.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@SuppressWarnings("try") // GoodTraffic runs for the length of a try block without being referenced in it
class HostileConnectionsTest {
    private static final long SEED = Long.getLong("flotilla.hostile.seed", 0x5eed_f10a_711aL);
    private static final List<String> REQUEST_VECTORS = List.of("append_entries_req_heartbeat",
            "append_entries_req_empty", "append_entries_req_two_entries", "append_entries_req_int_widths",
            "request_vote_req", "request_vote_req_transfer", "install_snapshot_req", "timeout_now_req",
            "live_request_vote_req", "live_append_entries_req_first", "live_append_entries_req_command",
            "live_append_entries_req_commit_only", "live_append_entries_req_heartbeat", "live_timeout_now_req");

    private final RecordingLogger log = new RecordingLogger();
    /** Requests the handler received, by the client port of the connection they came on. */
    private final Map<Integer, AtomicInteger> delivered = new ConcurrentHashMap<>();
    private NetworkTransport server;
    private NetworkTransport goodClient;

    @BeforeEach
    void start() throws IOException {
        server = NetworkTransport.tcp("127.0.0.1:0", java.util.Optional.empty(), NetworkTransportConfig.builder()
                .timeout(Duration.ofSeconds(2)).logger(log).requestReadTimeout(Duration.ofSeconds(2)).build());
        server.setHandler(rpc -> {
            String thread = Thread.currentThread().getName();
            int port = Integer.parseInt(thread.replaceAll(".*:(\\d+)-reader$", "$1"));
            delivered.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
            if (rpc.request() instanceof RequestVoteRequest) {
                rpc.respond(new RequestVoteResponse(RpcHeader.V3, 1, null, true), null);
            } else {
                rpc.respond(null, "ok");
            }
        });
        goodClient = NetworkTransport.tcp("127.0.0.1:0", 2, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        goodClient.close();
        server.close();
    }

    // ---- the oracle ----

    /** What the codec makes of a byte sequence: how many requests it decodes, and whether it then fails. */
    record Verdict(int requests, boolean malformed, String reason) {
    }

    static Verdict oracle(byte[] input) {
        WireReader reader = new WireReader(new ByteArrayInputStream(input));
        int n = 0;
        try {
            while (reader.readRequest().isPresent()) {
                n++;
            }
            return new Verdict(n, false, "");
        } catch (IOException e) {
            return new Verdict(n, true, e.getMessage());
        }
    }

    // ---- a hostile client ----

    /** What the log said about connections from a client port, before the current connection from it. */
    private final Map<Integer, Long> closeLinesBefore = new ConcurrentHashMap<>();

    private long closeLines(int port) {
        return log.count("closing inbound connection remote=127.0.0.1:" + port + " ");
    }

    /** Sends the bytes, half-closes, reads until the server closes; returns the client's local port. */
    private int sendAndAwaitClose(byte[] bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), WireBytesTest.port(server))) {
            s.setSoTimeout((int) PATIENCE.toMillis());
            int port = s.getLocalPort();
            // A port freed by an earlier connection (closed by the server, so not in TIME_WAIT) can come back:
            // forget what that one left. It is over: the server closed it after its last dispatch.
            delivered.remove(port);
            closeLinesBefore.put(port, closeLines(port));
            try {
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                s.shutdownOutput();
            } catch (IOException e) {
                return port; // the server already reset the connection
            }
            InputStream in = s.getInputStream();
            try {
                byte[] buf = new byte[4096];
                while (in.read(buf) >= 0) {
                    // answers to the well-formed requests before the garbage
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server did not close the connection within " + PATIENCE
                        + " after: " + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 64)));
            } catch (IOException e) {
                // reset: closed too
            }
            return port;
        }
    }

    /** Runs the input against the transport and checks the oracle's verdict held. */
    private Verdict check(byte[] input) throws IOException {
        Verdict verdict = oracle(input);
        int port = sendAndAwaitClose(input);
        AtomicInteger got = delivered.get(port);
        assertThat(got == null ? 0 : got.get())
                .as("requests delivered for %s (oracle: %s)", HexFormat.of().formatHex(input, 0,
                        Math.min(input.length, 64)), verdict)
                .isEqualTo(verdict.requests());
        if (verdict.malformed()) {
            assertThat(closeLines(port) > closeLinesBefore.get(port))
                    .as("a logged reason for closing the connection from port %d (oracle: %s)", port, verdict)
                    .isTrue();
        }
        return verdict;
    }

    /** A well-behaved client hammering the server while the test runs; returns its count of good answers. */
    private final class GoodTraffic implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger answered = new AtomicInteger();
        final Future<?> loop;
        final ExecutorService executor = Executors.newSingleThreadExecutor();

        GoodTraffic() {
            loop = executor.submit(() -> {
                RequestVoteRequest vote = new RequestVoteRequest(RpcHeader.V3, 2, utf8("good"), 1, 1, false);
                while (!stop.get()) {
                    RequestVoteResponse r = goodClient.requestVote(ID1, server.localAddress(), vote);
                    assertThat(r.granted()).isTrue();
                    answered.incrementAndGet();
                }
                return null;
            });
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            loop.get(); // rethrows a failed call
            executor.shutdown();
            assertThat(answered.get()).as("good calls answered meanwhile").isPositive();
        }
    }

    private void assertNothingLeftOpen() {
        await().atMost(PATIENCE).until(() -> server.inboundConnections() <= 1); // the good client's pooled one
    }

    // ---- tests ----

    @Test
    void unknown_type_bytes_close_the_connection_with_the_go_log_line() throws Exception {
        try (GoodTraffic good = new GoodTraffic()) {
            for (int type : new int[] {4, 5, 9, 127, 128, 255}) {
                Verdict v = check(new byte[] {(byte) type, (byte) 0x80});
                assertThat(v.malformed()).isTrue();
                assertThat(log.has("unknown rpc type " + type)).as("logged unknown rpc type %d", type).isTrue();
            }
            // after a valid request, too
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(vector("request_vote_req"));
            both.write(7);
            assertThat(check(both.toByteArray()).requests()).isOne();
        }
        assertNothingLeftOpen();
    }

    @Test
    void random_bytes() throws Exception {
        Random random = new Random(SEED);
        try (GoodTraffic good = new GoodTraffic()) {
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[1 + random.nextInt(i < 200 ? 64 : 4096)];
                random.nextBytes(junk);
                if (i % 4 == 0) {
                    junk[0] = (byte) random.nextInt(4); // a valid type byte, then junk
                }
                check(junk);
            }
        }
        assertNothingLeftOpen();
    }

    @Test
    void every_truncation_of_every_golden_request() throws Exception {
        int malformed = 0;
        try (GoodTraffic good = new GoodTraffic()) {
            for (String name : REQUEST_VECTORS) {
                byte[] frame = vector(name);
                for (int cut = 1; cut < frame.length; cut += (frame.length > 120 ? 7 : 1)) {
                    Verdict v = check(Arrays.copyOf(frame, cut));
                    if (v.malformed()) {
                        malformed++;
                    }
                }
                assertThat(check(frame).requests()).as("the whole frame is fine").isOne();
            }
        }
        assertThat(malformed).isGreaterThan(300);
        assertThat(log.has("unexpected end of input")).isTrue();
        assertNothingLeftOpen();
    }

    @Test
    void thousands_of_mutated_golden_frames() throws Exception {
        Random random = new Random(SEED + 1);
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 2400; i++) {
            byte[] frame = vector(REQUEST_VECTORS.get(random.nextInt(REQUEST_VECTORS.size())));
            inputs.add(mutate(frame, random));
        }
        AtomicInteger malformed = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (GoodTraffic good = new GoodTraffic()) {
            List<Future<?>> done = new ArrayList<>();
            for (byte[] input : inputs) {
                done.add(clients.submit(() -> {
                    Verdict v = check(input);
                    if (v.malformed()) {
                        malformed.incrementAndGet();
                    }
                    delivered.addAndGet(v.requests());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            clients.shutdown();
        }
        assertThat(malformed.get()).as("most mutations break the frame").isGreaterThan(1000);
        assertThat(delivered.get()).as("some survive as valid requests, and are delivered").isPositive();
        assertNothingLeftOpen();
    }

    /** Flips, overwrites, inserts, deletes, truncates or appends; sometimes several at once. */
    private static byte[] mutate(byte[] frame, Random random) {
        byte[] out = frame.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(7)) {
                case 0 -> out[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> out[at] = (byte) random.nextInt(256);
                case 2 -> out[at] = new byte[] {(byte) 0xc0, (byte) 0xdb, (byte) 0xdd, (byte) 0xdf, (byte) 0xcf,
                        (byte) 0xd3, (byte) 0xc4, (byte) 0xff, 0x7f}[random.nextInt(9)];
                case 3 -> {
                    byte[] insert = new byte[1 + random.nextInt(8)];
                    random.nextBytes(insert);
                    byte[] grown = new byte[out.length + insert.length];
                    System.arraycopy(out, 0, grown, 0, at);
                    System.arraycopy(insert, 0, grown, at, insert.length);
                    System.arraycopy(out, at, grown, at + insert.length, out.length - at);
                    out = grown;
                }
                case 4 -> {
                    if (out.length > 2) {
                        byte[] shrunk = new byte[out.length - 1];
                        System.arraycopy(out, 0, shrunk, 0, at);
                        System.arraycopy(out, at + 1, shrunk, at, out.length - at - 1);
                        out = shrunk;
                    }
                }
                case 5 -> out = Arrays.copyOf(out, Math.max(1, at));
                default -> {
                    // a valid frame followed by a mutated copy of itself
                    byte[] twice = Arrays.copyOf(out, out.length * 2);
                    System.arraycopy(out, 0, twice, out.length, out.length);
                    twice[out.length + random.nextInt(out.length)] ^= (byte) 0xff;
                    out = twice;
                }
            }
        }
        return out;
    }

    @Test
    void huge_declared_lengths_are_refused_without_allocating() throws Exception {
        List<byte[]> lies = List.of(
                hex("00 81 a6 4c6561646572 db 80000000"),                  // Leader: a 2 GiB string
                hex("00 81 a6 4c6561646572 db ffffffff 41"),               // a 4 GiB string
                hex("00 81 a7 456e7472696573 dd 7fffffff 80"),              // 2^31-1 entries
                hex("00 df ffffffff"),                                     // a map of 4 billion fields
                hex("01 81 a9 43616e646964617465 c6 7fffffff"),            // bin32 of 2 GiB
                hex("00 81 a1 58 dd ffffffff"));                            // an unknown field with a 4G array
        long before = usedHeap();
        try (GoodTraffic good = new GoodTraffic()) {
            for (byte[] lie : lies) {
                Verdict v = check(lie);
                assertThat(v.malformed()).isTrue();
            }
        }
        assertThat(log.has("exceeds")).isTrue();
        assertThat(usedHeap() - before).as("heap growth").isLessThan(64L << 20);
        assertNothingLeftOpen();
    }

    @Test
    void a_large_declared_string_that_never_arrives_costs_only_what_was_sent() throws Exception {
        // 40 connections each announce a 60 MiB Data field (under the 64 MiB limit), send 1 KiB of it, and stall.
        long before = usedHeap();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), WireBytesTest.port(server));
                stalled.add(s);
                s.getOutputStream().write(hex("00 81 a7 456e7472696573 91 81 a4 44617461 db 03c00000"));
                s.getOutputStream().write(new byte[1024]);
                s.getOutputStream().flush();
            }
            await().atMost(PATIENCE).until(() -> server.inboundConnections() >= 40);
            assertThat(usedHeap() - before).as("heap growth with 40 x 60 MiB announced").isLessThan(128L << 20);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        assertNothingLeftOpen();
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }
}
