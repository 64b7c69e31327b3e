package io.flotilla.raft.snapshot;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.SnapshotVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps snapshots on the local disk in hashicorp/raft's layout, so a data directory written by a Go node can be
 * used by a Flotilla node and back:
 * <pre>
 * &lt;base&gt;/snapshots/&lt;term&gt;-&lt;index&gt;-&lt;millis&gt;/meta.json   metadata and CRC-64 of the data (JSON)
 * &lt;base&gt;/snapshots/&lt;term&gt;-&lt;index&gt;-&lt;millis&gt;/state.bin   the FSM's bytes, as written
 * </pre>
 * A snapshot is written under {@code <id>.tmp} and renamed into place when its sink is closed, after which the
 * oldest snapshots beyond {@code retain} are deleted. {@link #open} verifies the data's size and CRC-64 before
 * returning it, so a damaged snapshot is reported rather than restored.
 *
 * <p>Unlike hashicorp/raft, a snapshot that fails while being finished leaves no {@code .tmp} directory behind,
 * and {@code .tmp} directories left by a crash are deleted when the store is constructed. Only one store
 * should use a directory at a time, since construction removes every {@code .tmp} directory it finds.
 *
 * <p>Thread-safe; each sink is meant to be written by one thread.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger log = LoggerFactory.getLogger(FileSnapshotStore.class);

    static final String SNAPSHOTS_DIR = "snapshots";
    static final String META_FILE = "meta.json";
    static final String STATE_FILE = "state.bin";
    static final String TMP_SUFFIX = ".tmp";
    private static final String PERM_TEST_FILE = "permTest";
    /** Far above any real meta.json (a configuration of thousands of servers is a few hundred KiB). */
    private static final long MAX_META_BYTES = 16 << 20;
    private static final int BUFFER = 64 * 1024;

    /** hashicorp's order: term, then index (both unsigned), then id; the term dominates. */
    private static final Comparator<Found> OLDEST_FIRST = (a, b) -> {
        SnapshotMeta x = a.meta().meta();
        SnapshotMeta y = b.meta().meta();
        int c = Long.compareUnsigned(x.term(), y.term());
        if (c == 0) {
            c = Long.compareUnsigned(x.index(), y.index());
        }
        return c != 0 ? c : x.id().compareTo(y.id());
    };

    private final Path dir;
    private final int retain;
    private final Clock clock;
    /** Ids of this store's sinks still being written, whose {@code .tmp} directories are expected. */
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    /** A store under {@code base} that keeps the newest {@code retain} snapshots, naming them by the system clock. */
    public FileSnapshotStore(Path base, int retain) throws IOException {
        this(base, retain, Clock.systemUTC());
    }

    /**
     * A store under {@code base} that keeps the newest {@code retain} snapshots. Creates {@code base/snapshots}
     * if needed, checks that files can be created in it, and deletes {@code .tmp} directories left by
     * interrupted snapshots.
     *
     * @param clock supplies the milliseconds in snapshot ids
     * @throws IllegalArgumentException if {@code retain < 1} ("must retain at least one snapshot")
     * @throws IOException              "snapshot path not accessible: ..." or "permissions test failed: ..."
     */
    public FileSnapshotStore(Path base, int retain, Clock clock) throws IOException {
        if (retain < 1) {
            throw new IllegalArgumentException("must retain at least one snapshot");
        }
        this.dir = base.toAbsolutePath().normalize().resolve(SNAPSHOTS_DIR);
        this.retain = retain;
        this.clock = clock;
        try {
            Directories.createWithParents(dir);
        } catch (IOException e) {
            throw new IOException("snapshot path not accessible: " + Directories.describe(e), e);
        }
        try {
            Path probe = dir.resolve(PERM_TEST_FILE);
            Files.newOutputStream(probe).close();
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("permissions test failed: " + Directories.describe(e), e);
        }
        removeTemporarySnapshots();
    }

    /** The {@code snapshots} directory holding the snapshots. */
    public Path directory() {
        return dir;
    }

    /**
     * Starts a snapshot in {@code <id>.tmp}, with a {@code meta.json} (size 0, no CRC) written at once as
     * hashicorp/raft does.
     *
     * @throws IllegalArgumentException if {@code version} is not {@link SnapshotVersion#MAX}
     * @throws FileAlreadyExistsException if a snapshot with the same id (same term, index and millisecond) exists
     */
    @Override
    public SnapshotSink create(int version, long index, long term, Configuration configuration,
                               long configurationIndex, PeerCodec peers) throws IOException {
        if (version != SnapshotVersion.MAX) {
            throw new IllegalArgumentException("unsupported snapshot version " + version);
        }
        String id = SnapshotIds.next(term, index, clock);
        Path tmp = dir.resolve(id + TMP_SUFFIX);
        log.info("creating new snapshot path={}", tmp);
        if (Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(dir.resolve(id).toString(), null, "snapshot already exists");
        }
        Directories.createWithParents(dir); // someone may have removed it since construction; Go tolerates that
        Directories.create(tmp);
        SnapshotMeta meta = new SnapshotMeta(version, id, index, term, LegacyPeers.encode(configuration, peers),
                configuration, configurationIndex, 0);
        FileChannel state = null;
        try {
            writeMeta(tmp, new FileSnapshotMeta(meta, null));
            state = FileChannel.open(tmp.resolve(STATE_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileSnapshotSink sink = new FileSnapshotSink(this, tmp, meta, state);
            inProgress.add(id);
            return sink;
        } catch (IOException | RuntimeException e) {
            log.error("failed to start snapshot path={} error={}", tmp, e.toString());
            closeQuietly(state, e);
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    /** Removes a finished snapshot's directory; an unknown id is ignored. */
    @Override
    public void delete(String id) throws IOException {
        Path snapshot = snapshotDir(id);
        if (Files.isDirectory(snapshot)) {
            log.info("deleting snapshot id={}", id);
            Directories.deleteRecursively(snapshot);
        }
    }

    /** The newest {@code retain} readable snapshots, newest (highest term, then index) first. */
    @Override
    public List<SnapshotMeta> list() throws IOException {
        return snapshots().stream().limit(retain).map(f -> f.meta().meta()).toList();
    }

    /**
     * Opens a snapshot after checking that {@code state.bin} has the size recorded in {@code meta.json} and
     * the same CRC-64. Any existing snapshot may be opened, also one beyond {@code retain}.
     *
     * @throws IOException if the snapshot does not exist or cannot be read; a message containing
     *                     {@code CRC mismatch} or {@code size mismatch} if its data is damaged
     */
    @Override
    public SnapshotStream open(String id) throws IOException {
        Path snapshot = snapshotDir(id);
        FileSnapshotMeta meta;
        try {
            meta = readMeta(snapshot);
        } catch (IOException e) {
            log.error("failed to get meta data to open snapshot id={} error={}", id, e.toString());
            throw new IOException("cannot open snapshot " + id + ": " + Directories.describe(e), e);
        }
        FileChannel state = FileChannel.open(snapshot.resolve(STATE_FILE), StandardOpenOption.READ);
        try {
            long size = state.size();
            if (size != meta.meta().size()) {
                log.error("snapshot size mismatch id={} stored={} actual={}", id, meta.meta().size(), size);
                throw new IOException("size mismatch in snapshot " + id + ": state.bin is " + size
                        + " bytes but meta.json records " + meta.meta().size() + " (truncated or damaged)");
            }
            byte[] computed = checksum(state);
            if (!Arrays.equals(meta.crc(), computed)) {
                log.error("CRC checksum failed id={} stored={} computed={}", id, hex(meta.crc()), hex(computed));
                throw new IOException("CRC mismatch in snapshot " + id + ": meta.json records " + hex(meta.crc())
                        + ", state.bin has " + hex(computed));
            }
            state.position(0);
            return new SnapshotStream(meta.meta(), new BufferedInputStream(Channels.newInputStream(state), BUFFER));
        } catch (IOException | RuntimeException e) {
            closeQuietly(state, e);
            throw e;
        }
    }

    /**
     * Deletes the oldest snapshots beyond {@code retain}. Runs after every successful snapshot; a failure to
     * delete one does not stop the others, and the first failure is thrown at the end.
     */
    public void reapSnapshots() throws IOException {
        List<Found> all = snapshots();
        IOException failure = null;
        for (int i = retain; i < all.size(); i++) {
            Path path = dir.resolve(all.get(i).dirName());
            log.info("reaping snapshot path={}", path);
            try {
                Directories.deleteRecursively(path);
            } catch (IOException e) {
                log.error("failed to reap snapshot path={} error={}", path, e.toString());
                if (failure == null) {
                    failure = new IOException("failed to reap snapshot " + path + ": " + Directories.describe(e), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** A snapshot directory found by a scan; the directory name is what gets deleted, whatever meta.json says. */
    private record Found(String dirName, FileSnapshotMeta meta) {
    }

    /** Every readable, supported snapshot, newest first. */
    private List<Found> snapshots() throws IOException {
        List<Found> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (name.endsWith(TMP_SUFFIX)) {
                    if (inProgress.contains(name.substring(0, name.length() - TMP_SUFFIX.length()))) {
                        log.debug("skipping snapshot in progress name={}", name);
                    } else {
                        log.warn("found temporary snapshot name={}", name);
                    }
                    continue;
                }
                FileSnapshotMeta meta;
                try {
                    meta = readMeta(entry);
                } catch (IOException e) {
                    // A damaged or foreign directory must not hide the good snapshots next to it.
                    log.warn("failed to read metadata name={} error={}", name, e.toString());
                    continue;
                }
                int version = meta.meta().version();
                if (version < SnapshotVersion.MIN || version > SnapshotVersion.MAX) {
                    log.warn("snapshot version not supported name={} version={}", name, version);
                    continue;
                }
                found.add(new Found(name, meta));
            }
        } catch (IOException e) {
            log.error("failed to scan snapshot directory path={} error={}", dir, e.toString());
            throw e;
        }
        found.sort(OLDEST_FIRST.reversed());
        return found;
    }

    private FileSnapshotMeta readMeta(Path snapshot) throws IOException {
        Path file = snapshot.resolve(META_FILE);
        long size = Files.size(file);
        if (size > MAX_META_BYTES) {
            throw new IOException(file + " is " + size + " bytes, too large for snapshot metadata");
        }
        return FileSnapshotMeta.fromJson(Files.readAllBytes(file));
    }

    /** Writes and fsyncs {@code meta.json} in a snapshot directory. */
    void writeMeta(Path snapshot, FileSnapshotMeta meta) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(meta.toJson());
        try (FileChannel ch = FileChannel.open(snapshot.resolve(META_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
    }

    /** Called by a sink when it stops being in progress, whether finished, failed or cancelled. */
    void sinkDone(String id) {
        inProgress.remove(id);
    }

    private Path snapshotDir(String id) throws IOException {
        Path resolved = dir.resolve(id).normalize();
        if (id.isEmpty() || !dir.equals(resolved.getParent())) {
            throw new IOException("invalid snapshot id: " + id);
        }
        return resolved;
    }

    private static String hex(byte[] bytes) {
        return bytes == null ? "none" : HexFormat.of().formatHex(bytes);
    }

    private static byte[] checksum(FileChannel ch) throws IOException {
        Crc64 crc = new Crc64();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        while (ch.read(buf) >= 0) {
            crc.update(buf.array(), 0, buf.position());
            buf.clear();
        }
        return crc.sum();
    }

    /** Deletes {@code .tmp} directories that no live sink owns: what a crash in the middle of a snapshot leaves. */
    private void removeTemporarySnapshots() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + TMP_SUFFIX)) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                log.warn("removing temporary snapshot left by an interrupted snapshot path={}", entry);
                try {
                    Directories.deleteRecursively(entry);
                } catch (IOException e) {
                    // Not fatal: list() skips it, and the next start tries again.
                    log.warn("failed to remove temporary snapshot path={} error={}", entry, e.toString());
                }
            }
        }
    }

    static void closeQuietly(AutoCloseable c, Throwable failure) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    static void deleteQuietly(Path path, Throwable failure) {
        try {
            Directories.deleteRecursively(path);
        } catch (IOException e) {
            log.error("failed to delete temporary snapshot directory path={} error={}", path, e.toString());
            failure.addSuppressed(e);
        }
    }
}
