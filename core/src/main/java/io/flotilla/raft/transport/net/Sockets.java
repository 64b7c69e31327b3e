package io.flotilla.raft.transport.net;

import java.io.IOException;
import java.net.Socket;

/** Closing sockets without caring why closing failed. */
final class Sockets {
    private Sockets() {
    }

    /** An orderly close: data already written still reaches the peer, then it sees the end of the stream. */
    static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }

    /**
     * An abortive close that never waits: a zero linger time makes close reset the connection instead of
     * draining it, which also wakes a thread blocked writing to a peer that reads nothing. For TLS sockets it
     * matters twice: an orderly close would first wait for the write lock a blocked writer holds.
     */
    static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException | RuntimeException ignored) {
            // already closed, or the option is unsupported; close anyway
        }
        close(socket);
    }
}
