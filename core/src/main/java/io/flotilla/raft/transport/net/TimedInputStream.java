package io.flotilla.raft.transport.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * A socket's input with Go-style deadlines: either an absolute deadline for everything read until it is
 * cleared (each underlying read gets the time left as its socket timeout), or a plain per-read timeout.
 * Java sockets only know the latter; the former is what bounds a whole request or response, however slowly
 * its bytes trickle in.
 *
 * <p>It can also report the first bytes that arrive after {@link #onNextData}, which is how the server tells
 * an idle connection from one in the middle of a request. Used by one reading thread at a time.
 */
final class TimedInputStream extends InputStream {
    private final Socket socket;
    private final InputStream in;
    private long deadlineNanos; // meaningful when hasDeadline
    private boolean hasDeadline;
    private int perReadMillis;
    private volatile int appliedMillis = -1;
    private Runnable onData;
    private final Object timeoutLock = new Object();
    private boolean closing; // guarded by timeoutLock

    TimedInputStream(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Every read from now until {@link #clearDeadline()} must finish by {@code deadlineNanos} (nanoTime). */
    void setDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = true;
    }

    /** Back to the per-read timeout. */
    void clearDeadline() {
        hasDeadline = false;
    }

    /** Without a deadline, each read may wait this long (0 = forever). */
    void setPerReadTimeout(int millis) {
        this.perReadMillis = millis;
    }

    /** Runs {@code action} once, on the reading thread, right after the next read that returns data. */
    void onNextData(Runnable action) {
        this.onData = Objects.requireNonNull(action, "action");
    }

    /** Forgets an {@link #onNextData} action that has not run. */
    void cancelOnNextData() {
        this.onData = null;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int millis;
        if (hasDeadline) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("i/o deadline exceeded");
            }
            millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000));
        } else {
            millis = perReadMillis;
        }
        if (millis != appliedMillis) {
            applyTimeout(millis);
        }
        int n = in.read(b, off, len);
        if (n > 0 && onData != null) {
            Runnable action = onData;
            onData = null;
            action.run();
        }
        return n;
    }

    /** Sets the socket's timeout now (for a TLS handshake, which reads without this stream). */
    void applyTimeout(int millis) throws IOException {
        synchronized (timeoutLock) {
            if (closing) {
                throw new SocketException("Socket is closed");
            }
            socket.setSoTimeout(millis);
            appliedMillis = millis;
        }
    }

    /**
     * Call before closing the socket. Closing a TLS socket waits up to its read timeout for the peer's
     * {@code close_notify} (the JDK's {@code SSLSocketInputRecord.deplete}), which with a request or idle
     * timeout of seconds would stall whoever closes; pinning the timeout to 1 ms, where no read can raise it
     * again, keeps closing prompt.
     */
    void prepareClose() {
        synchronized (timeoutLock) {
            closing = true;
            try {
                socket.setSoTimeout(1);
            } catch (IOException | RuntimeException ignored) {
                // already closed
            }
        }
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
