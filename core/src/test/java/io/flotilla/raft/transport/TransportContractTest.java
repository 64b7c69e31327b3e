package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * What every {@link Transport} must do, whatever carries the bytes: hashicorp's {@code transport_test.go}
 * plus the promises of our interfaces. A transport's test extends this class and says how to make a pair of
 * transports that can reach each other.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class TransportContractTest {
    /** A generous bound for things that should happen at once; only reached when a test fails. */
    protected static final Duration PATIENCE = Duration.ofSeconds(5);
    protected static final ServerId PEER_ID = ServerId.of("id1");

    /**
     * Two transports that can reach each other.
     *
     * @param receiver answers the calls made in the tests
     * @param sender   makes the calls
     */
    public record Pair(Transport receiver, Transport sender) {
        /** The receiver's address as the sender reaches it. */
        public ServerAddress target() {
            return receiver.localAddress();
        }
    }

    private final List<AutoCloseable> opened = Collections.synchronizedList(new ArrayList<>());

    /** A new transport with no peers; the test closes it. */
    protected abstract Transport newTransport() throws IOException;

    /**
     * Two new transports, each able to reach the other, with timeouts long enough (a second or more) that no
     * call in these tests times out on a slow machine; the test closes them.
     */
    protected abstract Pair newConnectedPair() throws IOException;

    @AfterEach
    void closeEverything() throws Exception {
        List<AutoCloseable> toClose;
        synchronized (opened) {
            toClose = new ArrayList<>(opened);
        }
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** Closes {@code resource} after the test. */
    protected <T extends AutoCloseable> T closeLater(T resource) {
        opened.add(resource);
        return resource;
    }

    protected Transport transport() throws IOException {
        return closeLater(newTransport());
    }

    protected Pair pair() throws IOException {
        Pair pair = newConnectedPair();
        closeLater(pair.sender());
        closeLater(pair.receiver());
        return pair;
    }

    // ---- fixtures from transport_test.go ----

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static AppendEntriesRequest cartmanAppend() {
        return new AppendEntriesRequest(RpcHeader.V3, 10, utf8("cartman"), 100, 4,
                List.of(new LogEntry(101, 4, LogType.NOOP, null)), 90);
    }

    protected static AppendEntriesResponse cartmanAppendResponse() {
        return new AppendEntriesResponse(RpcHeader.V3, 4, 90, true, false);
    }

    /** A handler that records what it receives and answers with {@code answer}. */
    protected static final class Answering implements RpcHandler {
        private final Function<IncomingRpc, RpcMessage> answer;
        private final BlockingQueue<RpcMessage> received = new LinkedBlockingQueue<>();

        public Answering(Function<IncomingRpc, RpcMessage> answer) {
            this.answer = answer;
        }

        @Override
        public void handle(IncomingRpc rpc) {
            received.add(rpc.request());
            rpc.respond(answer.apply(rpc), null);
        }

        /** The next request received, waiting for it if need be. */
        public RpcMessage next() throws InterruptedException {
            RpcMessage m = received.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail("no request arrived within " + PATIENCE);
            }
            return m;
        }

        public int count() {
            return received.size();
        }
    }

    /** A handler that keeps requests unanswered until the test answers them, from the test's thread. */
    protected static final class Holding implements RpcHandler {
        private final BlockingQueue<IncomingRpc> received = new LinkedBlockingQueue<>();

        @Override
        public void handle(IncomingRpc rpc) {
            received.add(rpc);
        }

        /** The next request received, waiting for it if need be. */
        public IncomingRpc next() throws InterruptedException {
            IncomingRpc rpc = received.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (rpc == null) {
                fail("no request arrived within " + PATIENCE);
            }
            return rpc;
        }

        public int count() {
            return received.size();
        }
    }

    /** Runs a call on another thread, so that the test's thread can play the receiver. */
    protected static <T> CompletableFuture<T> async(IoCall<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> {
            Thread t = new Thread(runnable, "test-caller");
            t.setDaemon(true);
            t.start();
        });
    }

    /** A transport call. */
    @FunctionalInterface
    protected interface IoCall<T> {
        T run() throws IOException;
    }

    /** The exception a future failed with, unwrapped. */
    protected static Throwable failureOf(CompletableFuture<?> future) {
        assertThat(future).failsWithin(PATIENCE);
        try {
            future.join();
            throw new AssertionError("unreachable");
        } catch (Exception e) {
            Throwable t = e;
            while ((t instanceof java.util.concurrent.CompletionException
                    || t instanceof java.util.concurrent.ExecutionException
                    || t instanceof UncheckedIOException) && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        }
    }

    // ---- transport_test.go ----

    @Test
    void start_stop() throws IOException {
        Transport t = newTransport();
        t.close();
        t.close(); // idempotent
    }

    @Test
    void append_entries() throws Exception {
        Pair p = pair();
        Answering handler = new Answering(rpc -> cartmanAppendResponse());
        p.receiver().setHandler(handler);

        AppendEntriesResponse out = p.sender().appendEntries(PEER_ID, p.target(), cartmanAppend());

        assertThat(handler.next()).isEqualTo(cartmanAppend());
        assertThat(out).isEqualTo(cartmanAppendResponse());
    }

    @Test
    void append_entries_pipeline() throws Exception {
        Pair p = pair();
        Answering handler = new Answering(rpc -> cartmanAppendResponse());
        p.receiver().setHandler(handler);

        AppendPipeline pipeline = closeLater(p.sender().appendEntriesPipeline(PEER_ID, p.target()));
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(pipeline.appendEntries(cartmanAppend()));
        }

        for (CompletableFuture<AppendEntriesResponse> f : futures) {
            assertThat(f).succeedsWithin(PATIENCE).isEqualTo(cartmanAppendResponse());
        }
        for (int i = 0; i < 10; i++) {
            assertThat(handler.next()).isEqualTo(cartmanAppend());
        }
        assertThat(handler.count()).isZero();
    }

    @Test
    void request_vote() throws Exception {
        Pair p = pair();
        RequestVoteRequest args = new RequestVoteRequest(RpcHeader.V3, 20, utf8("butters"), 100, 19, false);
        RequestVoteResponse resp = new RequestVoteResponse(RpcHeader.V3, 100, null, false);
        Answering handler = new Answering(rpc -> resp);
        p.receiver().setHandler(handler);

        RequestVoteResponse out = p.sender().requestVote(PEER_ID, p.target(), args);

        assertThat(handler.next()).isEqualTo(args);
        assertThat(out).isEqualTo(resp);
    }

    @Test
    void install_snapshot() throws Exception {
        Pair p = pair();
        InstallSnapshotRequest args = new InstallSnapshotRequest(RpcHeader.V3, 1, 10, utf8("kyle"), 100, 9,
                utf8("blah blah"), null, 0, 10);
        InstallSnapshotResponse resp = new InstallSnapshotResponse(RpcHeader.ZERO, 10, true);
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Answering handler = new Answering(rpc -> {
            InputStream data = rpc.snapshotData().orElseThrow();
            try {
                byte[] bytes = data.readNBytes(10);
                assertThat(data.read()).as("no byte after the announced size").isEqualTo(-1);
                read.complete(bytes);
            } catch (IOException | AssertionError e) {
                read.completeExceptionally(e);
            }
            return resp;
        });
        p.receiver().setHandler(handler);

        InstallSnapshotResponse out = p.sender().installSnapshot(PEER_ID, p.target(), args,
                new ByteArrayInputStream(utf8("0123456789")));

        assertThat(handler.next()).isEqualTo(args);
        assertThat(read).succeedsWithin(PATIENCE).isEqualTo(utf8("0123456789"));
        assertThat(out).isEqualTo(resp);
    }

    @Test
    void encode_decode() throws IOException {
        Transport t = transport();
        ServerAddress local = t.localAddress();
        assertThat(t.decodePeer(t.encodePeer(ServerId.of("aaaa"), local))).isEqualTo(local);
    }

    // ---- promises of our interfaces ----

    @Test
    void timeout_now() throws Exception {
        Pair p = pair();
        Answering handler = new Answering(rpc -> new TimeoutNowResponse(RpcHeader.ZERO));
        p.receiver().setHandler(handler);

        TimeoutNowResponse out = p.sender().timeoutNow(PEER_ID, p.target(), new TimeoutNowRequest(RpcHeader.V3));

        assertThat(handler.next()).isEqualTo(new TimeoutNowRequest(RpcHeader.V3));
        assertThat(out).isEqualTo(new TimeoutNowResponse(RpcHeader.ZERO));
    }

    @Test
    void a_heartbeat_reaches_the_handler_and_is_recognised() throws Exception {
        Pair p = pair();
        CompletableFuture<Boolean> sawHeartbeat = new CompletableFuture<>();
        p.receiver().setHandler(rpc -> {
            sawHeartbeat.complete(rpc.isHeartbeat());
            rpc.respond(new AppendEntriesResponse(RpcHeader.V3, 3, 0, true, false), null);
        });

        AppendEntriesResponse out = p.sender().appendEntries(PEER_ID, p.target(),
                AppendEntriesRequest.heartbeat(RpcHeader.V3, 3, utf8("leader")));

        assertThat(sawHeartbeat).succeedsWithin(PATIENCE).isEqualTo(true);
        assertThat(out.success()).isTrue();
    }

    @Test
    void the_handler_may_answer_later_from_another_thread() throws Exception {
        Pair p = pair();
        Holding handler = new Holding();
        p.receiver().setHandler(handler);

        CompletableFuture<AppendEntriesResponse> call =
                async(() -> p.sender().appendEntries(PEER_ID, p.target(), cartmanAppend()));
        IncomingRpc rpc = handler.next();
        assertThat(call).isNotDone();
        rpc.respond(cartmanAppendResponse(), null);

        assertThat(call).succeedsWithin(PATIENCE).isEqualTo(cartmanAppendResponse());
    }

    @Test
    void an_error_answer_reaches_the_caller_as_its_text() throws Exception {
        Pair p = pair();
        p.receiver().setHandler(rpc -> rpc.respond(new RequestVoteResponse(RpcHeader.V3, 1, null, false),
                "operation not supported with current protocol version"));

        assertThatThrownBy(() -> p.sender().requestVote(PEER_ID, p.target(),
                new RequestVoteRequest(RpcHeader.V3, 2, utf8("c"), 0, 0, false)))
                .isInstanceOf(RemoteRpcException.class)
                .hasMessage("operation not supported with current protocol version");
    }

    @Test
    void an_error_answer_without_a_response_reaches_the_caller() throws Exception {
        // hashicorp's inmem pipeline panics on this (inventory §8.1 #12).
        Pair p = pair();
        p.receiver().setHandler(rpc -> rpc.respond(null, "unsupported"));

        assertThatThrownBy(() -> p.sender().appendEntries(PEER_ID, p.target(), cartmanAppend()))
                .isInstanceOf(RemoteRpcException.class)
                .hasMessage("unsupported");
        AppendPipeline pipeline = closeLater(p.sender().appendEntriesPipeline(PEER_ID, p.target()));
        assertThat(failureOf(pipeline.appendEntries(cartmanAppend())))
                .isInstanceOf(RemoteRpcException.class)
                .hasMessage("unsupported");
    }

    @Test
    void pipelined_answers_complete_in_sending_order_even_when_given_in_reverse() throws Exception {
        Pair p = pair();
        Holding handler = new Holding();
        p.receiver().setHandler(handler);
        AppendPipeline pipeline = closeLater(p.sender().appendEntriesPipeline(PEER_ID, p.target()));

        List<Integer> completionOrder = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            CompletableFuture<AppendEntriesResponse> f = pipeline.appendEntries(
                    new AppendEntriesRequest(RpcHeader.V3, 1, utf8("l"), i, 1, List.of(), 0));
            f.whenComplete((r, e) -> completionOrder.add(n));
            futures.add(f);
        }
        List<IncomingRpc> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(handler.next());
        }
        assertThat(requests).extracting(r -> ((AppendEntriesRequest) r.request()).prevLogEntry())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        for (int i = 9; i >= 0; i--) {
            AppendEntriesRequest req = (AppendEntriesRequest) requests.get(i).request();
            requests.get(i).respond(new AppendEntriesResponse(RpcHeader.V3, 1, req.prevLogEntry() + 1, true, false),
                    null);
        }

        for (int i = 0; i < 10; i++) {
            assertThat(futures.get(i)).succeedsWithin(PATIENCE)
                    .extracting(AppendEntriesResponse::lastLog).isEqualTo(i + 1L);
        }
        assertThat(completionOrder).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void closing_a_pipeline_fails_what_is_in_flight_and_refuses_more() throws Exception {
        Pair p = pair();
        Holding handler = new Holding();
        p.receiver().setHandler(handler);
        AppendPipeline pipeline = p.sender().appendEntriesPipeline(PEER_ID, p.target());
        List<CompletableFuture<AppendEntriesResponse>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            futures.add(pipeline.appendEntries(cartmanAppend()));
        }
        for (int i = 0; i < 3; i++) {
            handler.next();
        }

        pipeline.close();
        pipeline.close(); // idempotent

        for (CompletableFuture<AppendEntriesResponse> f : futures) {
            assertThat(failureOf(f)).isInstanceOf(PipelineShutdownException.class);
        }
        assertThatThrownBy(() -> pipeline.appendEntries(cartmanAppend()))
                .isInstanceOf(PipelineShutdownException.class)
                .hasMessage("append pipeline closed");
    }

    @Test
    void a_closed_transport_refuses_every_call() throws Exception {
        Pair p = pair();
        p.receiver().setHandler(new Answering(rpc -> cartmanAppendResponse()));
        p.sender().close();

        assertThatThrownBy(() -> p.sender().appendEntries(PEER_ID, p.target(), cartmanAppend()))
                .isInstanceOf(TransportShutdownException.class).hasMessage("transport shutdown");
        assertThatThrownBy(() -> p.sender().requestVote(PEER_ID, p.target(),
                new RequestVoteRequest(RpcHeader.V3, 2, utf8("c"), 0, 0, false)))
                .isInstanceOf(TransportShutdownException.class);
        assertThatThrownBy(() -> p.sender().timeoutNow(PEER_ID, p.target(), new TimeoutNowRequest(RpcHeader.V3)))
                .isInstanceOf(TransportShutdownException.class);
        assertThatThrownBy(() -> p.sender().installSnapshot(PEER_ID, p.target(),
                new InstallSnapshotRequest(RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null, 0, 0),
                new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(TransportShutdownException.class);
        assertThatThrownBy(() -> p.sender().appendEntriesPipeline(PEER_ID, p.target()))
                .isInstanceOf(TransportShutdownException.class);
    }

    @Test
    void closing_a_transport_closes_its_pipelines() throws Exception {
        Pair p = pair();
        Holding handler = new Holding();
        p.receiver().setHandler(handler);
        AppendPipeline pipeline = p.sender().appendEntriesPipeline(PEER_ID, p.target());
        CompletableFuture<AppendEntriesResponse> inFlight = pipeline.appendEntries(cartmanAppend());
        handler.next();

        p.sender().close();

        assertThat(failureOf(inFlight)).isInstanceOf(PipelineShutdownException.class);
        assertThatThrownBy(() -> pipeline.appendEntries(cartmanAppend()))
                .isInstanceOf(PipelineShutdownException.class);
    }
}
