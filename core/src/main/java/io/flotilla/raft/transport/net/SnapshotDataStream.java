package io.flotilla.raft.transport.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The snapshot data of one received InstallSnapshot, as lent to the handler: exactly {@code Size} bytes read
 * straight from the connection, on whatever thread the handler reads them. The connection's reader thread waits
 * (in {@link #awaitConsumed}) until the handler has read them all or answered, then takes the stream back with
 * {@link #detach()}, so the two threads never read the connection at once. Once the request is answered, reads
 * fail (or report the end, if every byte was read).
 */
final class SnapshotDataStream extends InputStream {
    private final InputStream source;
    /** Held for each read, and by {@link #detach()}, so that detaching waits for a read in progress. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Guards the fields below, which the reader thread waits on; never held across I/O. */
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition stateChanged = stateLock.newCondition();
    private long remaining;
    private boolean detached;
    private boolean answered;
    private boolean aborted;
    private boolean reading;
    private long lastProgressNanos = System.nanoTime();

    SnapshotDataStream(InputStream source, long size) {
        this.source = Objects.requireNonNull(source, "source");
        this.remaining = Math.max(0, size);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        readLock.lock();
        try {
            long left = state(true);
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n = -1;
            try {
                n = source.read(b, off, (int) Math.min(len, left));
            } finally {
                progress(Math.max(n, 0));
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        byte[] buf = new byte[(int) Math.min(8192, Math.max(1, n))];
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        stateLock.lock();
        try {
            if (detached || answered || aborted) {
                return 0;
            }
        } finally {
            stateLock.unlock();
        }
        return source.available();
    }

    /** Checks the stream may be read and marks a read as started; returns the bytes left. */
    private long state(boolean startReading) throws IOException {
        stateLock.lock();
        try {
            if (remaining == 0) {
                return 0; // the end stays the end, even once the stream was taken back
            }
            if (detached || answered) {
                throw new IOException("snapshot data is no longer available: the request was already answered");
            }
            if (aborted) {
                throw new IOException("snapshot data is no longer available: the connection closed");
            }
            reading = startReading && remaining > 0;
            return remaining;
        } finally {
            stateLock.unlock();
        }
    }

    private void progress(int n) {
        stateLock.lock();
        try {
            reading = false;
            remaining -= n;
            lastProgressNanos = System.nanoTime();
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public void close() {
        // The connection owns the socket; what the handler left unread is discarded by the reader thread.
    }

    /** The handler answered the request; the reader may take the stream back. */
    void answered() {
        stateLock.lock();
        try {
            answered = true;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** The connection closed; reads fail and waiting stops. */
    void abort() {
        stateLock.lock();
        try {
            aborted = true;
            stateChanged.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Waits until the handler has read every byte, answered, or the connection closed.
     *
     * @param patience how long the handler may go without reading anything (while no read of its is blocked,
     *                 which has its own timeout) before the wait fails
     * @throws SocketTimeoutException if the handler stalled that long
     */
    void awaitConsumed(long patienceNanos) throws IOException {
        stateLock.lock();
        try {
            while (remaining > 0 && !answered && !aborted) {
                long idle = System.nanoTime() - lastProgressNanos;
                if (!reading && idle >= patienceNanos) {
                    throw new SocketTimeoutException("snapshot data not consumed for "
                            + TimeUnit.NANOSECONDS.toMillis(idle) + " ms");
                }
                stateChanged.awaitNanos(reading ? patienceNanos : patienceNanos - idle);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for snapshot data to be consumed");
        } finally {
            stateLock.unlock();
        }
    }

    /** Takes the stream back from the handler, waiting for a read in progress to finish. */
    void detach() {
        readLock.lock();
        try {
            stateLock.lock();
            try {
                detached = true;
            } finally {
                stateLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }
}
