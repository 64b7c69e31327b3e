package io.flotilla.raft;

/**
 * The kind of a log entry. The numeric codes are written into logs and onto the wire, so they match
 * hashicorp/raft's {@code LogType} values and must never be renumbered.
 */
public enum LogType {
    /** A user command, applied to the FSM. */
    COMMAND(0),
    /** A no-op the leader appends when it takes office; never reaches the FSM. */
    NOOP(1),
    /** Protocol 0 peer addition (deprecated); data is the encoded voter addresses. */
    ADD_PEER_DEPRECATED(2),
    /** Protocol 0/1 configuration entry (deprecated); data is the encoded voter addresses. */
    REMOVE_PEER_DEPRECATED(3),
    /** A barrier: resolves only after the FSM has applied every earlier entry. */
    BARRIER(4),
    /** A cluster configuration; data is {@code EncodeConfiguration} msgpack. */
    CONFIGURATION(5);

    private static final LogType[] BY_CODE = values();

    private final int code;

    LogType(int code) {
        this.code = code;
    }

    /** The numeric value used on the wire and in stores. */
    public int code() {
        return code;
    }

    /**
     * The type for a numeric code.
     *
     * @throws IllegalArgumentException if the code is not a known log type
     */
    public static LogType fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown log type " + code);
        }
        return BY_CODE[code];
    }
}
