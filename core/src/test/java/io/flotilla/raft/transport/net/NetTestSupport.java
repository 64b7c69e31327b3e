package io.flotilla.raft.transport.net;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.transport.IncomingRpc;
import io.flotilla.raft.transport.RpcHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.fail;

/** Fixtures and helpers shared by the network transport tests. */
final class NetTestSupport {
    /** A generous bound for what should happen at once; only reached when a test fails. */
    static final Duration PATIENCE = Duration.ofSeconds(5);
    static final ServerId ID1 = ServerId.of("id1");

    private NetTestSupport() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The AppendEntries of hashicorp's tests (header zero, as the Go tests leave it). */
    static AppendEntriesRequest cartman() {
        return new AppendEntriesRequest(RpcHeader.ZERO, 10, utf8("cartman"), 100, 4,
                List.of(new LogEntry(101, 4, LogType.NOOP, null)), 90);
    }

    static AppendEntriesResponse cartmanResponse() {
        return new AppendEntriesResponse(RpcHeader.ZERO, 4, 90, true, false);
    }

    /** An AppendEntries told apart by its {@code prevLogEntry}. */
    static AppendEntriesRequest numbered(long n) {
        return new AppendEntriesRequest(RpcHeader.V3, 1, utf8("leader"), n, 1, List.of(), 0);
    }

    static AppendEntriesResponse answerTo(AppendEntriesRequest request) {
        return new AppendEntriesResponse(RpcHeader.V3, 1, request.prevLogEntry(), true, false);
    }

    /** A handler that keeps requests until the test answers them. */
    static final class Held implements RpcHandler {
        private final BlockingQueue<IncomingRpc> received = new LinkedBlockingQueue<>();

        @Override
        public void handle(IncomingRpc rpc) {
            received.add(rpc);
        }

        IncomingRpc next() throws InterruptedException {
            IncomingRpc rpc = received.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (rpc == null) {
                fail("no request arrived within " + PATIENCE);
            }
            return rpc;
        }

        /** The next request if one arrives within {@code millis}. */
        IncomingRpc poll(long millis) throws InterruptedException {
            return received.poll(millis, TimeUnit.MILLISECONDS);
        }

        int count() {
            return received.size();
        }
    }

    /** A call that may throw {@link IOException}. */
    @FunctionalInterface
    interface IoCall<T> {
        T run() throws IOException;
    }

    /** Runs a call on its own daemon thread. */
    static <T> CompletableFuture<T> async(IoCall<T> call) {
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

    /** What a future failed with (unwrapped), or null if it succeeded; fails the test if it takes too long. */
    static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future not done within " + PATIENCE);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- golden vectors ----

    /** The shared wire vectors' directory, from the {@code flotilla.shared.dir} system property. */
    static Path wireDir() {
        String shared = System.getProperty("flotilla.shared.dir");
        if (shared == null) {
            throw new IllegalStateException("system property flotilla.shared.dir is not set (run through Maven)");
        }
        Path dir = Path.of(shared).resolve("wire").normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no wire vectors at " + dir);
        }
        return dir;
    }

    /** The bytes of the golden vector {@code <name>.hex}. */
    static byte[] vector(String name) {
        try {
            return HexFormat.of().parseHex(Files.readString(wireDir().resolve(name + ".hex")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
