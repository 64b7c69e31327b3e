package io.flotilla.raft.codec;

import java.io.IOException;

/**
 * Input that the codec cannot accept: malformed or truncated msgpack, a value of the wrong type for a field,
 * an unknown RPC type, or a declared size over the {@link CodecLimits}. A transport treats it as a reason to
 * close the connection, never as a reason to stop the node.
 */
public class CodecException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message naming what was wrong and, where known, where. */
    public CodecException(String message) {
        super(message);
    }

    /** An exception wrapping an unexpected failure while decoding. */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
