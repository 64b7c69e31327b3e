package io.flotilla.raft.transport;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.RpcMessage;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One RPC request received by a transport, with the means to answer it (hashicorp's {@code RPC}). Only the
 * first answer counts.
 */
public final class IncomingRpc {
    /** Sends an answer back to the caller. */
    @FunctionalInterface
    public interface Responder {
        /**
         * Delivers the answer.
         *
         * @param response the response, or {@code null} (hashicorp sends nil with some errors)
         * @param error    an error text for the caller, or {@code null}
         */
        void respond(RpcMessage response, String error);
    }

    private final RpcMessage request;
    private final InputStream snapshotData;
    private final Responder responder;
    private final AtomicBoolean answered = new AtomicBoolean();

    /**
     * @param request      the request
     * @param snapshotData for InstallSnapshot, the snapshot bytes that follow the request; else {@code null}
     * @param responder    where the answer goes
     */
    public IncomingRpc(RpcMessage request, InputStream snapshotData, Responder responder) {
        this.request = Objects.requireNonNull(request, "request");
        this.snapshotData = snapshotData;
        this.responder = Objects.requireNonNull(responder, "responder");
    }

    /** The request. */
    public RpcMessage request() {
        return request;
    }

    /** For InstallSnapshot: exactly {@code size} bytes of snapshot data. */
    public Optional<InputStream> snapshotData() {
        return Optional.ofNullable(snapshotData);
    }

    /** Whether this is a heartbeat by hashicorp's definition (eligible for the fast path). */
    public boolean isHeartbeat() {
        return request instanceof AppendEntriesRequest a && a.isHeartbeat();
    }

    /** Answers the request; later answers are ignored. */
    public void respond(RpcMessage response, String error) {
        if (answered.compareAndSet(false, true)) {
            responder.respond(response, error);
        }
    }

    /** Whether the request has been answered. */
    public boolean isAnswered() {
        return answered.get();
    }
}
