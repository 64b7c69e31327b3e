package io.flotilla.raft.codec;

import java.io.IOException;

/**
 * The boundary every public decode entry point passes through: whatever goes wrong inside a decoder leaves
 * it as an {@link IOException} (a {@link CodecException} for bad input), never as an unchecked exception that
 * could take down the thread serving a connection.
 */
final class DecodeGuard {
    /** Starts the message of every guarded failure that is a decoder bug rather than bad input. */
    static final String INTERNAL_ERROR = "internal decoder error";

    private DecodeGuard() {
    }

    /** A decoding step that may fail with I/O or bad input. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    static <T> T run(String what, Step<T> step) throws IOException {
        try {
            return step.run();
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new CodecException(INTERNAL_ERROR + " while decoding " + what + ": " + e, e);
        }
    }
}
