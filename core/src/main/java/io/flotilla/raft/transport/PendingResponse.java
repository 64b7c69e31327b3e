package io.flotilla.raft.transport;

import io.flotilla.raft.RpcMessage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The caller's side of one in-memory RPC: the peer's answer lands here, and the caller turns it into a
 * response or an exception. The answer is stored as data rather than as an exception so that exceptions are
 * created on the caller's thread, with the caller's stack.
 */
final class PendingResponse {
    /** What the peer's responder said. */
    private record Answer(RpcMessage response, String error) {
    }

    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    /** The peer's responder; only the first answer counts. */
    void answer(RpcMessage response, String error) {
        answer.complete(new Answer(response, error));
    }

    /**
     * Stops waiting for the peer because this side shut down.
     *
     * @param reason a {@link TransportShutdownException} or {@link PipelineShutdownException}
     */
    void abandon(IOException reason) {
        answer.completeExceptionally(reason);
    }

    /**
     * Waits for the answer.
     *
     * @throws RemoteRpcException        if the peer answered with an error text
     * @throws TransportShutdownException or {@link PipelineShutdownException} if {@link #abandon} came first
     * @throws IOException               {@code command timed out} if nothing came within {@code timeout}, or
     *                                   if the answer was empty or of the wrong type
     */
    <T extends RpcMessage> T await(Duration timeout, Class<T> responseType) throws IOException {
        Answer a;
        try {
            a = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("command timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a response");
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
        if (a.error() != null) {
            // The response, if any, is ignored: hashicorp's callers see only the error.
            throw new RemoteRpcException(a.error());
        }
        if (a.response() == null) {
            // hashicorp's inmem transport panics here (inventory §8.1 #12); a caller gets an error instead.
            throw new IOException("peer answered without a response");
        }
        if (!responseType.isInstance(a.response())) {
            throw new IOException("peer answered with " + a.response().getClass().getSimpleName() + " instead of "
                    + responseType.getSimpleName());
        }
        return responseType.cast(a.response());
    }

    private static IOException rethrown(Throwable cause) {
        if (cause instanceof TransportShutdownException) {
            return new TransportShutdownException();
        }
        if (cause instanceof PipelineShutdownException) {
            return new PipelineShutdownException();
        }
        return new IOException(String.valueOf(cause.getMessage()), cause);
    }
}
