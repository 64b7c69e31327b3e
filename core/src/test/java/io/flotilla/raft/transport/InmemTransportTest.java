package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import io.flotilla.raft.transport.TransportContractTest.Answering;
import io.flotilla.raft.transport.TransportContractTest.Holding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.flotilla.raft.transport.TransportContractTest.PATIENCE;
import static io.flotilla.raft.transport.TransportContractTest.async;
import static io.flotilla.raft.transport.TransportContractTest.cartmanAppend;
import static io.flotilla.raft.transport.TransportContractTest.cartmanAppendResponse;
import static io.flotilla.raft.transport.TransportContractTest.failureOf;
import static io.flotilla.raft.transport.TransportContractTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The in-memory transport's own behaviour: hashicorp's {@code inmem_transport_test.go}, its timeouts and
 * bounds, routing, failure handling and threads. The transport-independent part is in
 * {@link InmemTransportContractTest}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class InmemTransportTest {
    private static final ServerId ID = ServerId.of("server1");
    /** Long enough that nothing times out unless the test wants it to. */
    private static final Duration LONG = Duration.ofSeconds(30);

    private final List<InmemTransport> transports = Collections.synchronizedList(new ArrayList<>());
    private final List<Stalling> stalled = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void cleanUp() {
        stalled.forEach(s -> s.release.countDown());
        new ArrayList<>(transports).forEach(InmemTransport::close);
        scheduler.shutdownNow();
    }

    private InmemTransport transport(Duration timeout) {
        return track(new InmemTransport(ServerAddress.NONE, timeout));
    }

    private InmemTransport track(InmemTransport t) {
        transports.add(t);
        return t;
    }

    /** A sender connected to a receiver (one way). */
    private static InmemTransport connectTo(InmemTransport sender, InmemTransport receiver) {
        sender.connect(receiver.localAddress(), receiver);
        return sender;
    }

    private static AppendEntriesRequest append(long prevLogEntry) {
        return new AppendEntriesRequest(RpcHeader.V3, 1, utf8("leader"), prevLogEntry, 1, List.of(), 0);
    }

    private static AppendEntriesResponse answerTo(AppendEntriesRequest req) {
        return new AppendEntriesResponse(RpcHeader.V3, req.term(), req.prevLogEntry() + 1, true, false);
    }

    /** A plausible answer to any request, echoing its term (and for AppendEntries, its position). */
    private static RpcMessage answerTo(RpcMessage request) {
        if (request instanceof AppendEntriesRequest a) {
            return answerTo(a);
        }
        if (request instanceof RequestVoteRequest v) {
            return new RequestVoteResponse(RpcHeader.V3, v.term(), null, true);
        }
        if (request instanceof InstallSnapshotRequest s) {
            return new InstallSnapshotResponse(RpcHeader.ZERO, s.term(), true);
        }
        return new TimeoutNowResponse(RpcHeader.ZERO);
    }

    /** A handler whose node stops taking requests: it keeps the first one and does not return until released. */
    private static final class Stalling implements RpcHandler {
        final CountDownLatch stalled = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void handle(IncomingRpc rpc) {
            stalled.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            rpc.respond(null, "released");
        }
    }

    /** Makes {@code receiver} stop taking requests, through a request from a patient third node. */
    private void stall(InmemTransport receiver) throws InterruptedException {
        Stalling handler = new Stalling();
        stalled.add(handler);
        receiver.setHandler(handler);
        InmemTransport blocker = connectTo(transport(LONG), receiver);
        async(() -> blocker.appendEntries(ID, receiver.localAddress(), append(0)));
        assertThat(handler.stalled.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    // ---- inmem_transport_test.go ----

    @Test
    void implements_the_transport_interfaces() {
        InmemTransport t = track(new InmemTransport());

        assertThat(t).isInstanceOf(Transport.class).isInstanceOf(LoopbackTransport.class)
                .isInstanceOf(PeerCodec.class).isInstanceOf(AutoCloseable.class);
        assertThat(t.localAddress().value()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(track(new InmemTransport()).localAddress()).isNotEqualTo(t.localAddress());
        assertThat(track(new InmemTransport(ServerAddress.of("node1"))).localAddress())
                .isEqualTo(ServerAddress.of("node1"));
        assertThat(t.timeout()).isEqualTo(Duration.ofMillis(50)).isEqualTo(InmemTransport.DEFAULT_TIMEOUT);
        assertThat(InmemTransport.newInmemAddress()).isNotEqualTo(InmemTransport.newInmemAddress());
        assertThat(t.encodePeer(ID, ServerAddress.of("addr"))).isEqualTo(utf8("addr"))
                .isEqualTo(PeerCodec.ADDRESS.encodePeer(ID, ServerAddress.of("addr")));
        assertThat(t.decodePeer(utf8("addr"))).isEqualTo(ServerAddress.of("addr"));
    }

    @Test
    void write_timeout_when_the_peer_stops_taking_requests() throws Exception {
        // hashicorp uses unbuffered consumer channels so that the write fails without filling a buffer first,
        // and a 10 ms timeout; we keep the unbuffered inbox and use the default 50 ms so that the first,
        // successful call cannot time out on a busy machine.
        InmemTransport t1 = track(new InmemTransport(ServerAddress.NONE, InmemTransport.DEFAULT_TIMEOUT, 0));
        InmemTransport t2 = track(new InmemTransport(ServerAddress.NONE, InmemTransport.DEFAULT_TIMEOUT, 0));
        connectTo(t1, t2);
        AtomicLong answered = new AtomicLong();
        t2.setHandler(rpc -> rpc.respond(
                new AppendEntriesResponse(RpcHeader.V3, 0, answered.incrementAndGet(), true, false), null));

        // Sanity check that sending works before the responder stops.
        AppendEntriesResponse resp = t1.appendEntries(ID, t2.localAddress(), append(0));
        assertThat(resp.lastLog()).isEqualTo(1);

        stall(t2);

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isInstanceOf(IOException.class)
                .hasMessage("send timed out");
    }

    // ---- timeouts and bounds ----

    @Test
    void send_times_out_once_the_inbox_holds_sixteen_requests_its_handler_has_not_taken() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(Duration.ofMillis(100)), t2);
        stall(t2);

        List<CompletableFuture<AppendEntriesResponse>> queued = new ArrayList<>();
        for (int i = 0; i < InmemTransport.INBOX_CAPACITY; i++) {
            queued.add(async(() -> t1.appendEntries(ID, t2.localAddress(), append(0))));
        }
        // Callers that gave up leave their requests behind, as in hashicorp's channel, so the inbox stays full.
        await().atMost(PATIENCE).until(() -> t2.queuedInbound() == InmemTransport.INBOX_CAPACITY);

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isInstanceOf(IOException.class)
                .hasMessage("send timed out");
        for (CompletableFuture<AppendEntriesResponse> f : queued) {
            assertThat(failureOf(f)).isInstanceOf(IOException.class).hasMessage("command timed out");
        }
    }

    @Test
    void a_call_times_out_when_the_handler_never_answers() {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(Duration.ofMillis(50)), t2);
        t2.setHandler(new Holding());

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isInstanceOf(IOException.class)
                .hasMessage("command timed out");
        assertThatThrownBy(() -> t1.requestVote(ID, t2.localAddress(),
                new RequestVoteRequest(RpcHeader.V3, 1, utf8("c"), 0, 0, false)))
                .hasMessage("command timed out");
    }

    @Test
    void install_snapshot_and_timeout_now_wait_ten_times_as_long() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(Duration.ofMillis(100)), t2);
        // Every answer comes after three timeouts: too late for AppendEntries, in time for the slow RPCs (ten).
        t2.setHandler(rpc -> scheduler.schedule(() -> rpc.respond(answerTo(rpc.request()), null),
                300, TimeUnit.MILLISECONDS));

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .hasMessage("command timed out");
        assertThat(t1.installSnapshot(ID, t2.localAddress(),
                new InstallSnapshotRequest(RpcHeader.V3, 1, 7, utf8("l"), 1, 1, null, null, 0, 0),
                new ByteArrayInputStream(new byte[0])).success()).isTrue();
        assertThat(t1.timeoutNow(ID, t2.localAddress(), new TimeoutNowRequest(RpcHeader.V3)))
                .isEqualTo(new TimeoutNowResponse(RpcHeader.ZERO));
    }

    // ---- routing ----

    @Test
    void every_call_to_an_unconnected_peer_fails_to_connect() {
        InmemTransport t1 = transport(LONG);
        ServerAddress nowhere = ServerAddress.of("nowhere");
        String message = "failed to connect to peer: nowhere";

        assertThatThrownBy(() -> t1.appendEntries(ID, nowhere, append(0))).hasMessage(message);
        assertThatThrownBy(() -> t1.requestVote(ID, nowhere,
                new RequestVoteRequest(RpcHeader.V3, 1, utf8("c"), 0, 0, false))).hasMessage(message);
        assertThatThrownBy(() -> t1.installSnapshot(ID, nowhere,
                new InstallSnapshotRequest(RpcHeader.V3, 1, 7, utf8("l"), 1, 1, null, null, 0, 0),
                new ByteArrayInputStream(new byte[0]))).hasMessage(message);
        assertThatThrownBy(() -> t1.timeoutNow(ID, nowhere, new TimeoutNowRequest(RpcHeader.V3)))
                .hasMessage(message);
        assertThatThrownBy(() -> t1.appendEntriesPipeline(ID, nowhere)).hasMessage(message);
    }

    @Test
    void disconnect_cuts_the_route_and_connect_restores_it() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        t2.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));
        assertThat(t1.appendEntries(ID, t2.localAddress(), append(4)).lastLog()).isEqualTo(5);

        t1.disconnect(t2.localAddress());
        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(4)))
                .hasMessage("failed to connect to peer: " + t2.localAddress());

        connectTo(t1, t2);
        assertThat(t1.appendEntries(ID, t2.localAddress(), append(4)).lastLog()).isEqualTo(5);
    }

    @Test
    void disconnect_closes_the_pipelines_to_that_peer_only_and_disconnect_all_closes_the_rest() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t3 = transport(LONG);
        InmemTransport t1 = connectTo(connectTo(transport(LONG), t2), t3);
        Holding held = new Holding();
        t2.setHandler(held);
        t3.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));
        AppendPipeline toT2 = t1.appendEntriesPipeline(ID, t2.localAddress());
        AppendPipeline toT3 = t1.appendEntriesPipeline(ID, t3.localAddress());
        CompletableFuture<AppendEntriesResponse> inFlight = toT2.appendEntries(append(1));
        held.next();

        t1.disconnect(t2.localAddress());

        assertThat(failureOf(inFlight)).isInstanceOf(PipelineShutdownException.class);
        assertThatThrownBy(() -> toT2.appendEntries(append(2))).isInstanceOf(PipelineShutdownException.class);
        assertThat(toT3.appendEntries(append(2))).succeedsWithin(PATIENCE)
                .extracting(AppendEntriesResponse::lastLog).isEqualTo(3L);
        assertThat(t1.openPipelines()).hasSize(1);

        t1.disconnectAll();

        assertThatThrownBy(() -> toT3.appendEntries(append(3))).isInstanceOf(PipelineShutdownException.class);
        assertThat(t1.openPipelines()).isEmpty();
        assertThatThrownBy(() -> t1.appendEntries(ID, t3.localAddress(), append(3)))
                .hasMessage("failed to connect to peer: " + t3.localAddress());
    }

    @Test
    void a_peer_without_a_handler_or_closed_cannot_be_reached() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        String message = "failed to connect to peer: " + t2.localAddress();

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0))).hasMessage(message);

        t2.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        t2.close();

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0))).hasMessage(message);
        assertThatThrownBy(() -> pipeline.appendEntries(append(0))).hasMessage(message);
        // The failure breaks the pipeline: later requests fail without being sent.
        assertThat(failureOf(pipeline.appendEntries(append(1)))).hasMessage(message);
    }

    @Test
    void a_transport_can_call_itself() throws Exception {
        InmemTransport t = transport(LONG);
        connectTo(t, t);
        t.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));

        assertThat(t.appendEntries(ID, t.localAddress(), append(1)).lastLog()).isEqualTo(2);
        assertThat(t.appendEntriesPipeline(ID, t.localAddress()).appendEntries(append(2)))
                .succeedsWithin(PATIENCE).extracting(AppendEntriesResponse::lastLog).isEqualTo(3L);
    }

    // ---- delivery ----

    @Test
    void the_request_object_itself_is_delivered_on_the_receivers_thread() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        AtomicReference<RpcMessage> seen = new AtomicReference<>();
        AtomicReference<Thread> on = new AtomicReference<>();
        t2.setHandler(rpc -> {
            seen.set(rpc.request());
            on.set(Thread.currentThread());
            rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
        });
        AppendEntriesRequest request = append(3);

        t1.appendEntries(ID, t2.localAddress(), request);

        assertThat(seen.get()).isSameAs(request);
        assertThat(on.get()).isNotSameAs(Thread.currentThread());
        assertThat(on.get().getName()).isEqualTo("flotilla-inmem-rpc-" + t2.localAddress());
        assertThat(on.get().isDaemon()).isTrue();
    }

    @Test
    void the_receiver_sees_exactly_size_bytes_of_snapshot_data_and_cannot_close_the_senders_stream()
            throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        t2.setHandler(rpc -> {
            try (InputStream in = rpc.snapshotData().orElseThrow()) {
                read.complete(in.readAllBytes());
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
            rpc.respond(new InstallSnapshotResponse(RpcHeader.ZERO, 1, true), null);
        });
        boolean[] closed = {false};
        InputStream data = new FilterInputStream(new ByteArrayInputStream(utf8("0123456789ABC"))) {
            @Override
            public void close() throws IOException {
                closed[0] = true;
                super.close();
            }
        };

        t1.installSnapshot(ID, t2.localAddress(),
                new InstallSnapshotRequest(RpcHeader.V3, 1, 1, utf8("l"), 1, 1, null, null, 0, 10), data);

        assertThat(read).succeedsWithin(PATIENCE).isEqualTo(utf8("0123456789"));
        assertThat(closed[0]).isFalse();
        assertThat(data.readAllBytes()).isEqualTo(utf8("ABC"));
    }

    // ---- failures ----

    @Test
    void a_handler_that_throws_answers_with_an_error_and_the_receiver_goes_on() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        AtomicLong calls = new AtomicLong();
        t2.setHandler(rpc -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            rpc.respond(answerTo((AppendEntriesRequest) rpc.request()), null);
        });

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isInstanceOf(RemoteRpcException.class)
                .hasMessageStartingWith("rpc handler failed: ")
                .hasMessageContaining("boom");
        assertThat(t1.appendEntries(ID, t2.localAddress(), append(0)).lastLog()).isEqualTo(1);
    }

    @Test
    void an_empty_answer_or_one_of_the_wrong_type_is_an_error_not_a_crash() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        t2.setHandler(rpc -> rpc.respond(((AppendEntriesRequest) rpc.request()).prevLogEntry() == 0
                ? null : new RequestVoteResponse(RpcHeader.V3, 1, null, true), null));

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isNotInstanceOf(RemoteRpcException.class)
                .hasMessage("peer answered without a response");
        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(1)))
                .hasMessage("peer answered with RequestVoteResponse instead of AppendEntriesResponse");
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        assertThat(failureOf(pipeline.appendEntries(append(0)))).hasMessage("peer answered without a response");
    }

    @Test
    void closing_fails_a_call_waiting_for_its_answer_at_once() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        Holding held = new Holding();
        t2.setHandler(held);
        CompletableFuture<AppendEntriesResponse> call = async(() -> t1.appendEntries(ID, t2.localAddress(), append(0)));
        held.next();

        t1.close();

        assertThat(failureOf(call)).isInstanceOf(TransportShutdownException.class);
    }

    @Test
    void closing_the_receiver_refuses_the_requests_waiting_in_its_inbox() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        stall(t2);
        CompletableFuture<AppendEntriesResponse> first = async(() -> t1.appendEntries(ID, t2.localAddress(), append(1)));
        CompletableFuture<AppendEntriesResponse> second = async(() -> t1.appendEntries(ID, t2.localAddress(), append(2)));
        await().atMost(PATIENCE).until(() -> t2.queuedInbound() == 2);

        t2.close();

        assertThat(failureOf(first)).isInstanceOf(RemoteRpcException.class).hasMessage("transport shutdown");
        assertThat(failureOf(second)).isInstanceOf(RemoteRpcException.class).hasMessage("transport shutdown");
    }

    // ---- pipeline ----

    @Test
    void a_pipelined_answer_that_times_out_fails_every_later_request() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(Duration.ofMillis(100)), t2);
        Holding seen = new Holding();
        t2.setHandler(rpc -> {
            seen.handle(rpc);
            AppendEntriesRequest req = (AppendEntriesRequest) rpc.request();
            if (req.prevLogEntry() != 2) {
                rpc.respond(answerTo(req), null);
            }
        });
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());

        CompletableFuture<AppendEntriesResponse> f1 = pipeline.appendEntries(append(1));
        CompletableFuture<AppendEntriesResponse> f2 = pipeline.appendEntries(append(2));
        CompletableFuture<AppendEntriesResponse> f3 = pipeline.appendEntries(append(3));

        assertThat(f1).succeedsWithin(PATIENCE).extracting(AppendEntriesResponse::lastLog).isEqualTo(2L);
        assertThat(failureOf(f2)).isInstanceOf(IOException.class).hasMessage("command timed out");
        assertThat(failureOf(f3)).as("answered, but after a failure").hasMessage("command timed out");
        assertThat(failureOf(pipeline.appendEntries(append(4)))).hasMessage("command timed out");
        for (int i = 0; i < 3; i++) {
            seen.next();
        }
        assertThat(seen.count()).as("nothing is sent after the failure").isZero();
    }

    @Test
    void a_pipelined_request_the_peer_does_not_take_in_time_fails_with_enqueue_timeout() throws Exception {
        InmemTransport t2 = track(new InmemTransport(ServerAddress.NONE, LONG, 0));
        InmemTransport t1 = connectTo(transport(Duration.ofMillis(50)), t2);
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        stall(t2);

        assertThatThrownBy(() -> pipeline.appendEntries(append(1)))
                .isInstanceOf(IOException.class)
                .hasMessage("command enqueue timeout");
        assertThat(failureOf(pipeline.appendEntries(append(2)))).hasMessage("command enqueue timeout");
    }

    @Test
    void a_full_pipeline_blocks_the_sender_until_an_answer_frees_room() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        Holding held = new Holding();
        t2.setHandler(held);
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        for (int i = 0; i < InmemTransport.PIPELINE_MAX_IN_FLIGHT; i++) {
            assertThat(pipeline.appendEntries(append(i))).isNotDone();
        }
        await().atMost(PATIENCE).until(() -> held.count() == InmemTransport.PIPELINE_MAX_IN_FLIGHT);

        CompletableFuture<CompletableFuture<AppendEntriesResponse>> sent = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            try {
                sent.complete(pipeline.appendEntries(append(InmemTransport.PIPELINE_MAX_IN_FLIGHT)));
            } catch (IOException e) {
                sent.completeExceptionally(e);
            }
        }, "test-pipeline-sender");
        sender.setDaemon(true);
        sender.start();
        await().atMost(PATIENCE).until(() -> sender.getState() == Thread.State.WAITING);
        assertThat(sent).isNotDone();
        assertThat(held.count()).isEqualTo(InmemTransport.PIPELINE_MAX_IN_FLIGHT);

        IncomingRpc first = held.next();
        first.respond(answerTo((AppendEntriesRequest) first.request()), null);

        assertThat(sent).succeedsWithin(PATIENCE);
        await().atMost(PATIENCE).until(() -> held.count() == InmemTransport.PIPELINE_MAX_IN_FLIGHT);
    }

    @Test
    void a_completion_callback_may_send_more_even_when_the_pipeline_is_full() throws Exception {
        // Callbacks run on the pipeline's own thread, the only one that frees room; blocking it there would
        // deadlock, so it is never made to wait.
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        Holding held = new Holding();
        t2.setHandler(held);
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        CompletableFuture<List<String>> fromCallback = new CompletableFuture<>();
        pipeline.appendEntries(append(0)).thenRun(() -> {
            try {
                pipeline.appendEntries(append(1000));
                pipeline.appendEntries(append(1001));
                fromCallback.complete(List.of(Thread.currentThread().getName()));
            } catch (IOException e) {
                fromCallback.completeExceptionally(e);
            }
        });
        for (int i = 1; i < InmemTransport.PIPELINE_MAX_IN_FLIGHT; i++) {
            pipeline.appendEntries(append(i));
        }
        IncomingRpc first = held.next();

        first.respond(answerTo((AppendEntriesRequest) first.request()), null);

        assertThat(fromCallback).succeedsWithin(PATIENCE).asList().singleElement().asString()
                .startsWith("flotilla-inmem-pipeline-");
        await().atMost(PATIENCE).until(() -> held.count() == InmemTransport.PIPELINE_MAX_IN_FLIGHT - 1 + 2);
    }

    @Test
    void requests_sent_from_completion_callbacks_stream_through_the_pipeline() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        t2.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));
        AppendPipeline pipeline = t1.appendEntriesPipeline(ID, t2.localAddress());
        CompletableFuture<Long> last = new CompletableFuture<>();

        sendChain(pipeline, 0, 500, last);

        assertThat(last).succeedsWithin(PATIENCE).isEqualTo(500L);
    }

    private static void sendChain(AppendPipeline pipeline, long n, long until, CompletableFuture<Long> last) {
        try {
            pipeline.appendEntries(append(n)).whenComplete((resp, err) -> {
                if (err != null) {
                    last.completeExceptionally(err);
                } else if (resp.lastLog() == until) {
                    last.complete(resp.lastLog());
                } else {
                    sendChain(pipeline, resp.lastLog(), until, last);
                }
            });
        } catch (IOException e) {
            last.completeExceptionally(e);
        }
    }

    // ---- concurrency and threads ----

    @Test
    void many_threads_may_call_at_once() throws Exception {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = connectTo(transport(LONG), t2);
        t2.setHandler(rpc -> rpc.respond(answerTo(rpc.request()), null));
        int threads = 8;
        int callsPerThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Void>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1_000_000L;
                work.add(() -> {
                    for (long i = base; i < base + callsPerThread; i++) {
                        assertThat(t1.appendEntries(ID, t2.localAddress(), append(i)).lastLog()).isEqualTo(i + 1);
                        assertThat(t1.requestVote(ID, t2.localAddress(),
                                new RequestVoteRequest(RpcHeader.V3, i + 1, utf8("c"), 0, 0, false)).term())
                                .isEqualTo(i + 1);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(work)) {
                f.get(PATIENCE.toSeconds() * 6, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closed_transports_leave_no_thread_behind() throws Exception {
        int baseline = Thread.activeCount();
        for (int i = 0; i < 50; i++) {
            InmemTransport a = new InmemTransport(ServerAddress.of("leak-a-" + i), LONG);
            InmemTransport b = new InmemTransport(ServerAddress.of("leak-b-" + i), LONG);
            a.connect(b.localAddress(), b);
            b.connect(a.localAddress(), a);
            a.setHandler(new Answering(rpc -> new RequestVoteResponse(RpcHeader.V3, 1, null, true)));
            b.setHandler(new Answering(rpc -> answerTo((AppendEntriesRequest) rpc.request())));
            a.appendEntries(ID, b.localAddress(), append(0));
            b.requestVote(ID, a.localAddress(), new RequestVoteRequest(RpcHeader.V3, 1, utf8("c"), 0, 0, false));
            AppendPipeline open = a.appendEntriesPipeline(ID, b.localAddress());
            assertThat(open.appendEntries(append(1))).succeedsWithin(PATIENCE);
            assertThat(a.receiving()).isTrue();
            a.close();
            b.close();
        }

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> t.isAlive() && t.getName().contains("leak-")).isEmpty());
        await().atMost(PATIENCE).until(() -> Thread.activeCount() <= baseline + 2);
    }

    @Test
    void only_a_transport_with_a_handler_runs_a_thread() {
        InmemTransport sender = track(new InmemTransport());
        assertThat(sender.receiving()).isFalse();

        sender.close();
        sender.setHandler(new Holding());

        assertThat(sender.receiving()).isFalse();
    }

    @Test
    void bad_arguments_are_rejected() {
        assertThatThrownBy(() -> new InmemTransport(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new InmemTransport(ServerAddress.NONE, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InmemTransport(ServerAddress.NONE, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        InmemTransport t = track(new InmemTransport());
        assertThatThrownBy(() -> t.setHandler(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void connecting_a_closed_transport_has_no_effect() {
        InmemTransport t2 = transport(LONG);
        InmemTransport t1 = transport(LONG);
        t1.close();

        t1.connect(t2.localAddress(), t2);

        assertThatThrownBy(() -> t1.appendEntries(ID, t2.localAddress(), append(0)))
                .isInstanceOf(TransportShutdownException.class);
    }
}
