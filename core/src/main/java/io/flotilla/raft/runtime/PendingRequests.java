package io.flotilla.raft.runtime;

import io.flotilla.raft.RaftException;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client futures waiting on the node, by the request id the engine knows them by. Completed from the event
 * loop (most requests) or the FSM thread (applies, barriers, membership changes, which finish once applied).
 */
final class PendingRequests {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<Object>> futures = new ConcurrentHashMap<>();

    /** Registers a future and returns its request id. */
    long register(CompletableFuture<Object> future) {
        long id = nextId.getAndIncrement();
        futures.put(id, future);
        return id;
    }

    void complete(long id, Object value) {
        CompletableFuture<Object> f = futures.remove(id);
        if (f != null) {
            f.complete(value);
        }
    }

    void fail(long id, Throwable error) {
        CompletableFuture<Object> f = futures.remove(id);
        if (f != null) {
            f.completeExceptionally(error);
        }
    }

    /** Fails every request still waiting (at shutdown): nothing is left hanging. */
    void failAll(RaftException error) {
        for (Long id : futures.keySet()) {
            fail(id, error);
        }
    }

    int size() {
        return futures.size();
    }
}
