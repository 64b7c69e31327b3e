package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A stream of AppendEntries to one peer whose answers come back in order (hashicorp's {@code AppendPipeline}).
 * Futures complete in the order the requests were sent; once one fails, every later one fails too.
 */
public interface AppendPipeline extends AutoCloseable {
    /**
     * Sends a request without waiting for its answer. Blocks while the pipeline's in-flight limit is reached
     * (back-pressure).
     *
     * @return completes with the answer, or exceptionally if the pipeline broke
     * @throws IOException if the request could not be sent; the pipeline is then unusable
     */
    CompletableFuture<AppendEntriesResponse> appendEntries(AppendEntriesRequest request) throws IOException;

    /** Stops the pipeline; requests still in flight fail with {@link PipelineShutdownException}. Idempotent. */
    @Override
    void close();
}
