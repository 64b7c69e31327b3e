package io.flotilla.raft.snapshot;

import io.flotilla.raft.SnapshotMeta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CheckedOutputStream;

/**
 * A snapshot being written by a {@link FileSnapshotStore} into its {@code .tmp} directory. Data goes through a
 * buffer into {@code state.bin} and a CRC-64 at once, so finishing never rereads the data.
 */
final class FileSnapshotSink extends SnapshotSink {
    private static final Logger log = LoggerFactory.getLogger(FileSnapshotSink.class);
    private static final int BUFFER = 64 * 1024;

    private final FileSnapshotStore store;
    private final Path tmpDir;
    private final SnapshotMeta meta;
    private final FileChannel state;
    private final Crc64 crc = new Crc64();
    private final OutputStream out;
    /** Set by whichever of close and cancel comes first; the other then does nothing. */
    private boolean closed;

    FileSnapshotSink(FileSnapshotStore store, Path tmpDir, SnapshotMeta meta, FileChannel state) {
        this.store = store;
        this.tmpDir = tmpDir;
        this.meta = meta;
        this.state = state;
        this.out = new BufferedOutputStream(new CheckedOutputStream(Channels.newOutputStream(state), crc), BUFFER);
    }

    @Override
    public String id() {
        return meta.id();
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len);
    }

    /** Pushes buffered data to the file (not to the disk: {@link #close()} does that). */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        out.flush();
    }

    /**
     * Makes the snapshot durable and visible: flushes and fsyncs {@code state.bin}, rewrites and fsyncs
     * {@code meta.json} with the size and CRC, renames {@code <id>.tmp} to {@code <id>}, fsyncs the
     * {@code snapshots} directory, then reaps snapshots beyond the store's retention. If anything before the
     * rename fails, the {@code .tmp} directory is deleted and the error thrown. A failure after the rename (the
     * directory sync or reaping) is thrown too, but the snapshot stays in place.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Path finalDir = tmpDir.resolveSibling(meta.id());
        try {
            out.flush();
            state.force(true);
            long size = state.size();
            state.close();
            store.writeMeta(tmpDir, new FileSnapshotMeta(meta.withSize(size), crc.sum()));
            Files.move(tmpDir, finalDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            log.error("failed to finalize snapshot id={} error={}", meta.id(), e.toString());
            FileSnapshotStore.closeQuietly(state, e);
            FileSnapshotStore.deleteQuietly(tmpDir, e);
            throw e;
        } finally {
            store.sinkDone(meta.id());
        }
        try {
            Directories.sync(finalDir.getParent());
        } catch (IOException e) {
            log.error("failed syncing parent directory path={} error={}", finalDir.getParent(), e.toString());
            throw e;
        }
        store.reapSnapshots();
    }

    /** Discards the snapshot: closes {@code state.bin} without syncing it and deletes the {@code .tmp} directory. */
    @Override
    public synchronized void cancel() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            state.close();
            Directories.deleteRecursively(tmpDir);
        } catch (IOException e) {
            log.error("failed to remove cancelled snapshot path={} error={}", tmpDir, e.toString());
            throw e;
        } finally {
            store.sinkDone(meta.id());
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("snapshot " + meta.id() + " is already closed or cancelled");
        }
    }
}
