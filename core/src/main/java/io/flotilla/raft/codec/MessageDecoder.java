package io.flotilla.raft.codec;

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
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.flotilla.raft.codec.RaftStructs.*;

/**
 * Reads the eight RPC messages the way go-msgpack fills the Go structs: from a map with keys in any order
 * (unknown keys skipped, missing ones zero) or from an array in field-declaration order, or nil for an
 * all-zero struct.
 */
final class MessageDecoder {
    /** Headers of the versions that exist, shared so a decoded message costs no header allocation. */
    private static final RpcHeader[] HEADERS = {new RpcHeader(0), new RpcHeader(1), new RpcHeader(2), RpcHeader.V3};

    private MessageDecoder() {
    }

    /** The request struct of an RPC type. */
    static RpcMessage request(RpcType type, GoMsgpackReader r) throws IOException {
        return switch (type) {
            case APPEND_ENTRIES -> appendEntriesRequest(r);
            case REQUEST_VOTE -> requestVoteRequest(r);
            case INSTALL_SNAPSHOT -> installSnapshotRequest(r);
            case TIMEOUT_NOW -> new TimeoutNowRequest(headerOnly(r, TIMEOUT_NOW_REQUEST));
        };
    }

    /** The response struct of an RPC type. */
    static RpcMessage response(RpcType type, GoMsgpackReader r) throws IOException {
        return switch (type) {
            case APPEND_ENTRIES -> appendEntriesResponse(r);
            case REQUEST_VOTE -> requestVoteResponse(r);
            case INSTALL_SNAPSHOT -> installSnapshotResponse(r);
            case TIMEOUT_NOW -> new TimeoutNowResponse(headerOnly(r, TIMEOUT_NOW_RESPONSE));
        };
    }

    static AppendEntriesRequest appendEntriesRequest(GoMsgpackReader r) throws IOException {
        StructSchema s = APPEND_ENTRIES_REQUEST;
        int protocolVersion = 0;
        long term = 0;
        byte[] leader = null;
        long prevLogEntry = 0;
        long prevLogTerm = 0;
        List<LogEntry> entries = null;
        long leaderCommitIndex = 0;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case AER_TERM -> term = r.readUint64(s.field(AER_TERM));
                case AER_LEADER -> leader = r.readBytes(s.field(AER_LEADER));
                case AER_PREV_LOG_ENTRY -> prevLogEntry = r.readUint64(s.field(AER_PREV_LOG_ENTRY));
                case AER_PREV_LOG_TERM -> prevLogTerm = r.readUint64(s.field(AER_PREV_LOG_TERM));
                case AER_ENTRIES -> entries = entries(r);
                case AER_LEADER_COMMIT_INDEX -> leaderCommitIndex = r.readUint64(s.field(AER_LEADER_COMMIT_INDEX));
                default -> r.skipValue(s.name());
            }
        }
        return new AppendEntriesRequest(header(protocolVersion), term, leader, prevLogEntry, prevLogTerm, entries,
                leaderCommitIndex);
    }

    /** Go's {@code []*Log}: nil stays {@code null}, an empty array stays an empty list. */
    private static List<LogEntry> entries(GoMsgpackReader r) throws IOException {
        String what = APPEND_ENTRIES_REQUEST.field(AER_ENTRIES);
        int count = r.readArrayHeaderOrNil(what, r.limits().maxEntries());
        if (count < 0) {
            return null;
        }
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (r.tryReadNil()) {
                // Go would hold a nil *Log here and crash when raft dereferences it.
                throw GoMsgpackReader.error(what + "[" + i + "]", "nil log entry", r.source().offset() - 1);
            }
            entries.add(logEntry(r));
        }
        return entries;
    }

    private static LogEntry logEntry(GoMsgpackReader r) throws IOException {
        StructSchema s = LOG;
        long index = 0;
        long term = 0;
        int type = 0;
        long typeOffset = 0;
        byte[] data = null;
        byte[] extensions = null;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case LOG_INDEX -> index = r.readUint64(s.field(LOG_INDEX));
                case LOG_TERM -> term = r.readUint64(s.field(LOG_TERM));
                case LOG_TYPE -> {
                    typeOffset = r.source().offset();
                    type = r.readUint8(s.field(LOG_TYPE));
                }
                case LOG_DATA -> data = r.readBytes(s.field(LOG_DATA));
                case LOG_EXTENSIONS -> extensions = r.readBytes(s.field(LOG_EXTENSIONS));
                default -> r.skipValue(s.name());
            }
        }
        LogType logType;
        try {
            logType = LogType.fromCode(type);
        } catch (IllegalArgumentException e) {
            throw GoMsgpackReader.error(s.field(LOG_TYPE), "unknown log type " + type, typeOffset);
        }
        return new LogEntry(index, term, logType, data, extensions);
    }

    static AppendEntriesResponse appendEntriesResponse(GoMsgpackReader r) throws IOException {
        StructSchema s = APPEND_ENTRIES_RESPONSE;
        int protocolVersion = 0;
        long term = 0;
        long lastLog = 0;
        boolean success = false;
        boolean noRetryBackoff = false;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case AERESP_TERM -> term = r.readUint64(s.field(AERESP_TERM));
                case AERESP_LAST_LOG -> lastLog = r.readUint64(s.field(AERESP_LAST_LOG));
                case AERESP_SUCCESS -> success = r.readBool(s.field(AERESP_SUCCESS));
                case AERESP_NO_RETRY_BACKOFF -> noRetryBackoff = r.readBool(s.field(AERESP_NO_RETRY_BACKOFF));
                default -> r.skipValue(s.name());
            }
        }
        return new AppendEntriesResponse(header(protocolVersion), term, lastLog, success, noRetryBackoff);
    }

    static RequestVoteRequest requestVoteRequest(GoMsgpackReader r) throws IOException {
        StructSchema s = REQUEST_VOTE_REQUEST;
        int protocolVersion = 0;
        long term = 0;
        byte[] candidate = null;
        long lastLogIndex = 0;
        long lastLogTerm = 0;
        boolean leadershipTransfer = false;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case RVR_TERM -> term = r.readUint64(s.field(RVR_TERM));
                case RVR_CANDIDATE -> candidate = r.readBytes(s.field(RVR_CANDIDATE));
                case RVR_LAST_LOG_INDEX -> lastLogIndex = r.readUint64(s.field(RVR_LAST_LOG_INDEX));
                case RVR_LAST_LOG_TERM -> lastLogTerm = r.readUint64(s.field(RVR_LAST_LOG_TERM));
                case RVR_LEADERSHIP_TRANSFER -> leadershipTransfer = r.readBool(s.field(RVR_LEADERSHIP_TRANSFER));
                default -> r.skipValue(s.name());
            }
        }
        return new RequestVoteRequest(header(protocolVersion), term, candidate, lastLogIndex, lastLogTerm,
                leadershipTransfer);
    }

    static RequestVoteResponse requestVoteResponse(GoMsgpackReader r) throws IOException {
        StructSchema s = REQUEST_VOTE_RESPONSE;
        int protocolVersion = 0;
        long term = 0;
        byte[] peers = null;
        boolean granted = false;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case RVRESP_TERM -> term = r.readUint64(s.field(RVRESP_TERM));
                case RVRESP_PEERS -> peers = r.readBytes(s.field(RVRESP_PEERS));
                case RVRESP_GRANTED -> granted = r.readBool(s.field(RVRESP_GRANTED));
                default -> r.skipValue(s.name());
            }
        }
        return new RequestVoteResponse(header(protocolVersion), term, peers, granted);
    }

    static InstallSnapshotRequest installSnapshotRequest(GoMsgpackReader r) throws IOException {
        StructSchema s = INSTALL_SNAPSHOT_REQUEST;
        int protocolVersion = 0;
        int snapshotVersion = 0;
        long term = 0;
        byte[] leader = null;
        long lastLogIndex = 0;
        long lastLogTerm = 0;
        byte[] peers = null;
        byte[] configuration = null;
        long configurationIndex = 0;
        long size = 0;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case ISR_SNAPSHOT_VERSION -> snapshotVersion = r.readInt(s.field(ISR_SNAPSHOT_VERSION));
                case ISR_TERM -> term = r.readUint64(s.field(ISR_TERM));
                case ISR_LEADER -> leader = r.readBytes(s.field(ISR_LEADER));
                case ISR_LAST_LOG_INDEX -> lastLogIndex = r.readUint64(s.field(ISR_LAST_LOG_INDEX));
                case ISR_LAST_LOG_TERM -> lastLogTerm = r.readUint64(s.field(ISR_LAST_LOG_TERM));
                case ISR_PEERS -> peers = r.readBytes(s.field(ISR_PEERS));
                case ISR_CONFIGURATION -> configuration = r.readBytes(s.field(ISR_CONFIGURATION));
                case ISR_CONFIGURATION_INDEX -> configurationIndex = r.readUint64(s.field(ISR_CONFIGURATION_INDEX));
                case ISR_SIZE -> {
                    long offset = r.source().offset();
                    size = r.readInt64(s.field(ISR_SIZE));
                    if (size < 0) {
                        throw GoMsgpackReader.error(s.field(ISR_SIZE), "negative snapshot size " + size, offset);
                    }
                }
                default -> r.skipValue(s.name());
            }
        }
        return new InstallSnapshotRequest(header(protocolVersion), snapshotVersion, term, leader, lastLogIndex,
                lastLogTerm, peers, configuration, configurationIndex, size);
    }

    static InstallSnapshotResponse installSnapshotResponse(GoMsgpackReader r) throws IOException {
        StructSchema s = INSTALL_SNAPSHOT_RESPONSE;
        int protocolVersion = 0;
        long term = 0;
        boolean success = false;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            switch (r.nextField(s, asArray, i)) {
                case PROTOCOL_VERSION -> protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
                case ISRESP_TERM -> term = r.readUint64(s.field(ISRESP_TERM));
                case ISRESP_SUCCESS -> success = r.readBool(s.field(ISRESP_SUCCESS));
                default -> r.skipValue(s.name());
            }
        }
        return new InstallSnapshotResponse(header(protocolVersion), term, success);
    }

    private static RpcHeader headerOnly(GoMsgpackReader r, StructSchema s) throws IOException {
        int protocolVersion = 0;
        boolean asArray = r.nextIsArray();
        int fields = r.readStructHeader(s.name());
        for (int i = 0; i < fields; i++) {
            if (r.nextField(s, asArray, i) == PROTOCOL_VERSION) {
                protocolVersion = r.readInt(s.field(PROTOCOL_VERSION));
            } else {
                r.skipValue(s.name());
            }
        }
        return header(protocolVersion);
    }

    private static RpcHeader header(int protocolVersion) {
        return protocolVersion >= 0 && protocolVersion < HEADERS.length
                ? HEADERS[protocolVersion] : new RpcHeader(protocolVersion);
    }
}
