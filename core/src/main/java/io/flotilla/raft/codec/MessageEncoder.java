package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;

import java.io.IOException;
import java.util.List;

import static io.flotilla.raft.codec.RaftStructs.*;

/**
 * Writes the eight RPC messages as go-msgpack writes the Go structs: a map with every field, keys in byte
 * order of the Go field names. Each method lists its keys in that sorted order, which the golden vectors check.
 */
final class MessageEncoder {
    private static final byte[][] TYPE_BYTES = {{0}, {1}, {2}, {3}};

    private MessageEncoder() {
    }

    /**
     * A request frame: the raw type byte, then the request.
     *
     * @throws IllegalArgumentException if the message is a response
     */
    static void requestFrame(GoMsgpackWriter w, RpcMessage request) throws IOException {
        RpcType type = RpcType.of(request);
        if (!type.requestType().isInstance(request)) {
            throw new IllegalArgumentException("not a request: " + request);
        }
        w.raw(TYPE_BYTES[type.code()], 0, 1);
        encode(w, request);
    }

    /** A response frame: the error string ({@code a0} when none), then the response or nil. */
    static void responseFrame(GoMsgpackWriter w, WireResponse response) throws IOException {
        w.string(response.error());
        if (response.response().isPresent()) {
            encode(w, response.response().get());
        } else {
            w.nil();
        }
    }

    static void encode(GoMsgpackWriter w, RpcMessage message) throws IOException {
        if (message instanceof AppendEntriesRequest m) {
            appendEntriesRequest(w, m);
        } else if (message instanceof AppendEntriesResponse m) {
            appendEntriesResponse(w, m);
        } else if (message instanceof RequestVoteRequest m) {
            requestVoteRequest(w, m);
        } else if (message instanceof RequestVoteResponse m) {
            requestVoteResponse(w, m);
        } else if (message instanceof InstallSnapshotRequest m) {
            installSnapshotRequest(w, m);
        } else if (message instanceof InstallSnapshotResponse m) {
            installSnapshotResponse(w, m);
        } else if (message instanceof TimeoutNowRequest m) {
            headerOnly(w, TIMEOUT_NOW_REQUEST, m);
        } else if (message instanceof TimeoutNowResponse m) {
            headerOnly(w, TIMEOUT_NOW_RESPONSE, m);
        } else {
            throw new IllegalArgumentException("not an RPC message: " + message);
        }
    }

    private static void appendEntriesRequest(GoMsgpackWriter w, AppendEntriesRequest m) throws IOException {
        StructSchema s = APPEND_ENTRIES_REQUEST;
        w.mapHeader(7);
        w.key(s, AER_ENTRIES);
        List<LogEntry> entries = m.entries();
        if (entries == null) {
            w.nil();
        } else {
            w.arrayHeader(entries.size());
            for (int i = 0, n = entries.size(); i < n; i++) {
                logEntry(w, entries.get(i));
            }
        }
        w.key(s, AER_LEADER);
        w.bytes(m.leader());
        w.key(s, AER_LEADER_COMMIT_INDEX);
        w.uint64(m.leaderCommitIndex());
        w.key(s, AER_PREV_LOG_ENTRY);
        w.uint64(m.prevLogEntry());
        w.key(s, AER_PREV_LOG_TERM);
        w.uint64(m.prevLogTerm());
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, AER_TERM);
        w.uint64(m.term());
    }

    private static void logEntry(GoMsgpackWriter w, LogEntry e) throws IOException {
        w.mapHeader(5);
        w.key(LOG, LOG_DATA);
        w.bytes(e.data());
        w.key(LOG, LOG_EXTENSIONS);
        w.bytes(e.extensions());
        w.key(LOG, LOG_INDEX);
        w.uint64(e.index());
        w.key(LOG, LOG_TERM);
        w.uint64(e.term());
        w.key(LOG, LOG_TYPE);
        w.uint64(e.type().code());
    }

    private static void appendEntriesResponse(GoMsgpackWriter w, AppendEntriesResponse m) throws IOException {
        StructSchema s = APPEND_ENTRIES_RESPONSE;
        w.mapHeader(5);
        w.key(s, AERESP_LAST_LOG);
        w.uint64(m.lastLog());
        w.key(s, AERESP_NO_RETRY_BACKOFF);
        w.bool(m.noRetryBackoff());
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, AERESP_SUCCESS);
        w.bool(m.success());
        w.key(s, AERESP_TERM);
        w.uint64(m.term());
    }

    private static void requestVoteRequest(GoMsgpackWriter w, RequestVoteRequest m) throws IOException {
        StructSchema s = REQUEST_VOTE_REQUEST;
        w.mapHeader(6);
        w.key(s, RVR_CANDIDATE);
        w.bytes(m.candidate());
        w.key(s, RVR_LAST_LOG_INDEX);
        w.uint64(m.lastLogIndex());
        w.key(s, RVR_LAST_LOG_TERM);
        w.uint64(m.lastLogTerm());
        w.key(s, RVR_LEADERSHIP_TRANSFER);
        w.bool(m.leadershipTransfer());
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, RVR_TERM);
        w.uint64(m.term());
    }

    private static void requestVoteResponse(GoMsgpackWriter w, RequestVoteResponse m) throws IOException {
        StructSchema s = REQUEST_VOTE_RESPONSE;
        w.mapHeader(4);
        w.key(s, RVRESP_GRANTED);
        w.bool(m.granted());
        w.key(s, RVRESP_PEERS);
        w.bytes(m.peers());
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, RVRESP_TERM);
        w.uint64(m.term());
    }

    private static void installSnapshotRequest(GoMsgpackWriter w, InstallSnapshotRequest m) throws IOException {
        if (m.size() < 0) {
            // Go's Size is int64, but a negative size is meaningless and every decoder here rejects it.
            throw new IllegalArgumentException("negative snapshot size " + m.size());
        }
        StructSchema s = INSTALL_SNAPSHOT_REQUEST;
        w.mapHeader(10);
        w.key(s, ISR_CONFIGURATION);
        w.bytes(m.configuration());
        w.key(s, ISR_CONFIGURATION_INDEX);
        w.uint64(m.configurationIndex());
        w.key(s, ISR_LAST_LOG_INDEX);
        w.uint64(m.lastLogIndex());
        w.key(s, ISR_LAST_LOG_TERM);
        w.uint64(m.lastLogTerm());
        w.key(s, ISR_LEADER);
        w.bytes(m.leader());
        w.key(s, ISR_PEERS);
        w.bytes(m.peers());
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, ISR_SIZE);
        w.int64(m.size());
        w.key(s, ISR_SNAPSHOT_VERSION);
        w.int64(m.snapshotVersion());
        w.key(s, ISR_TERM);
        w.uint64(m.term());
    }

    private static void installSnapshotResponse(GoMsgpackWriter w, InstallSnapshotResponse m) throws IOException {
        StructSchema s = INSTALL_SNAPSHOT_RESPONSE;
        w.mapHeader(3);
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
        w.key(s, ISRESP_SUCCESS);
        w.bool(m.success());
        w.key(s, ISRESP_TERM);
        w.uint64(m.term());
    }

    private static void headerOnly(GoMsgpackWriter w, StructSchema s, RpcMessage m) throws IOException {
        w.mapHeader(1);
        w.key(s, PROTOCOL_VERSION);
        w.int64(m.header().protocolVersion());
    }
}
