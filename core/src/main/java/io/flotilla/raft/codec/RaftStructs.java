package io.flotilla.raft.codec;

/**
 * The hashicorp/raft 1.1.2 structs that travel on the wire, as go-msgpack sees them. Fields are listed in Go
 * declaration order, the embedded {@code RPCHeader}'s {@code ProtocolVersion} flattened first, because that is
 * the order of a struct sent as an array; each index constant names a position in that order.
 */
final class RaftStructs {
    /** Every RPC struct embeds RPCHeader first, so its one field is always at index 0. */
    static final int PROTOCOL_VERSION = 0;

    static final StructSchema APPEND_ENTRIES_REQUEST = new StructSchema("AppendEntriesRequest",
            "ProtocolVersion", "Term", "Leader", "PrevLogEntry", "PrevLogTerm", "Entries", "LeaderCommitIndex");
    static final int AER_TERM = 1;
    static final int AER_LEADER = 2;
    static final int AER_PREV_LOG_ENTRY = 3;
    static final int AER_PREV_LOG_TERM = 4;
    static final int AER_ENTRIES = 5;
    static final int AER_LEADER_COMMIT_INDEX = 6;

    static final StructSchema LOG = new StructSchema("Log", "Index", "Term", "Type", "Data", "Extensions");
    static final int LOG_INDEX = 0;
    static final int LOG_TERM = 1;
    static final int LOG_TYPE = 2;
    static final int LOG_DATA = 3;
    static final int LOG_EXTENSIONS = 4;

    static final StructSchema APPEND_ENTRIES_RESPONSE = new StructSchema("AppendEntriesResponse",
            "ProtocolVersion", "Term", "LastLog", "Success", "NoRetryBackoff");
    static final int AERESP_TERM = 1;
    static final int AERESP_LAST_LOG = 2;
    static final int AERESP_SUCCESS = 3;
    static final int AERESP_NO_RETRY_BACKOFF = 4;

    static final StructSchema REQUEST_VOTE_REQUEST = new StructSchema("RequestVoteRequest",
            "ProtocolVersion", "Term", "Candidate", "LastLogIndex", "LastLogTerm", "LeadershipTransfer");
    static final int RVR_TERM = 1;
    static final int RVR_CANDIDATE = 2;
    static final int RVR_LAST_LOG_INDEX = 3;
    static final int RVR_LAST_LOG_TERM = 4;
    static final int RVR_LEADERSHIP_TRANSFER = 5;

    static final StructSchema REQUEST_VOTE_RESPONSE = new StructSchema("RequestVoteResponse",
            "ProtocolVersion", "Term", "Peers", "Granted");
    static final int RVRESP_TERM = 1;
    static final int RVRESP_PEERS = 2;
    static final int RVRESP_GRANTED = 3;

    static final StructSchema INSTALL_SNAPSHOT_REQUEST = new StructSchema("InstallSnapshotRequest",
            "ProtocolVersion", "SnapshotVersion", "Term", "Leader", "LastLogIndex", "LastLogTerm", "Peers",
            "Configuration", "ConfigurationIndex", "Size");
    static final int ISR_SNAPSHOT_VERSION = 1;
    static final int ISR_TERM = 2;
    static final int ISR_LEADER = 3;
    static final int ISR_LAST_LOG_INDEX = 4;
    static final int ISR_LAST_LOG_TERM = 5;
    static final int ISR_PEERS = 6;
    static final int ISR_CONFIGURATION = 7;
    static final int ISR_CONFIGURATION_INDEX = 8;
    static final int ISR_SIZE = 9;

    static final StructSchema INSTALL_SNAPSHOT_RESPONSE = new StructSchema("InstallSnapshotResponse",
            "ProtocolVersion", "Term", "Success");
    static final int ISRESP_TERM = 1;
    static final int ISRESP_SUCCESS = 2;

    static final StructSchema TIMEOUT_NOW_REQUEST = new StructSchema("TimeoutNowRequest", "ProtocolVersion");
    static final StructSchema TIMEOUT_NOW_RESPONSE = new StructSchema("TimeoutNowResponse", "ProtocolVersion");

    private RaftStructs() {
    }
}
