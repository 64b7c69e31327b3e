package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.internal.Bytes;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A durable {@link LogStore} and {@link StableStore} on RocksDB, one database per node directory: what
 * raft-boltdb is to hashicorp/raft. Every write is on disk when its method returns.
 *
 * <pre>{@code
 * try (RocksDbStore store = RocksDbStore.open(Path.of("/var/lib/mynode/raft"))) {
 *     // pass it to Raft as both the log store and the stable store
 * }
 * }</pre>
 *
 * <h2>Layout</h2>
 * Log entries live in the column family {@code log}, keyed by their index as 8 big-endian bytes, so RocksDB's
 * byte order is the unsigned order of indexes (2<sup>63</sup> and above work like any other index). Stable
 * values live in the column family {@code stable}, keyed by a namespace byte and the caller's key. Values are
 * a small versioned binary encoding with a CRC32C each (see {@link StoredFormat}): a value that is damaged,
 * misplaced or of an unknown version is reported as a {@link StoreCorruptedException} naming the index or key,
 * never returned. The default column family holds two bookkeeping records, written in the same atomic batch
 * as the data they describe: the log's first and last index, and a digest (count and XOR of hashes) of the
 * stable values. The directory also holds a marker file, {@value #MARKER}, written once the database has been
 * fully created; see {@link #open(Path, RocksDbStoreConfig)} for why.
 *
 * <h2>Operations</h2>
 * <ul>
 * <li>{@link #storeLogs} writes one {@code WriteBatch} with {@code sync}: all entries or none become visible,
 *     to readers and after a crash, and they are durable when it returns. Raft's group commit makes that one
 *     {@code fdatasync} per batch.</li>
 * <li>{@link #deleteRange} writes one range tombstone (also synced), so deleting a prefix of millions of
 *     entries costs the same as deleting one, and it is atomic too.</li>
 * <li>{@link #firstIndex()} and {@link #lastIndex()} read a field kept in memory: the ends are found at open
 *     with one seek to each, extended by each write, and when a delete removes an end, the new end is found
 *     with one seek from the edge of the deleted range (not a scan), so gaps left by deleting a middle range
 *     are handled exactly.</li>
 * <li>{@link #getLog} is a point lookup; {@link #getLogs} reads a range with one iterator, from one consistent
 *     view of the database.</li>
 * <li>{@code set} and {@code setUint64} are single synced writes; as in {@code InmemStore}, the two keep separate
 *     namespaces.</li>
 * </ul>
 *
 * <h2>What open checks</h2>
 * Beyond RocksDB's own recovery checks (below), open decodes the first and last entries and every stable value,
 * and compares the log's ends and the stable values with the bookkeeping records. RocksDB can recover "less
 * than was written" without an error in a few ways — a MANIFEST whose tail was cut loses the table files its
 * last edits added, and their data with them — and for a Raft node forgetting acknowledged entries or its term
 * and vote is a safety violation, so any difference fails the open. What no self-contained check can catch is
 * storage rolling everything back together to an earlier consistent state (a WAL cut exactly between records
 * looks like a shorter WAL); that is the storage breaking the promise of {@code fdatasync}.
 *
 * <h2>RocksDB options, and why</h2>
 * The workload is a write-ahead log: small sequential appends that must be durable at once, reads mostly of
 * the newest entries, occasional deletion of a long prefix (after a snapshot) or of a short suffix (a
 * conflicting tail), and a handful of tiny, rarely written stable values.
 * <ul>
 * <li><b>RocksDB WAL on, every write synced</b> ({@code WriteOptions.sync}): durability on return is the
 *     {@code LogStore} contract, and one sequential WAL append plus {@code fdatasync} is the cheapest way to
 *     get it. {@code use_fsync} stays false: {@code fdatasync} is enough for an append-only file on Linux.</li>
 * <li><b>{@code wal_recovery_mode = kTolerateCorruptedTailRecords}.</b> After a power loss the last WAL record
 *     may be torn; it belongs to a write whose sync never returned, so no one was told it was durable, and
 *     dropping it whole is correct (its batch disappears atomically). Any other damage — a checksum mismatch
 *     anywhere in the WAL, including its last record — makes open fail. {@code kAbsoluteConsistency} would
 *     also refuse the harmless torn tail, so a node could not restart after a power cut without an operator;
 *     {@code kPointInTimeRecovery} (RocksDB's default) silently stops replay at the first damaged record, which
 *     would drop every later, acknowledged entry — for Raft, a node forgetting what it acknowledged or voted
 *     is a safety violation, so silent truncation is the one outcome to avoid. A WAL cut cleanly at a record
 *     boundary cannot be told from a shorter WAL by any mode; that is the storage losing synced data.</li>
 * <li><b>{@code paranoid_checks = true}</b> (and {@code force_consistency_checks}): open fails when a table file
 *     the MANIFEST lists is missing or has the wrong size, and a background error stops writes instead of
 *     carrying on over damage. Reads verify block checksums (the {@code ReadOptions} default), so a damaged
 *     SST block surfaces as {@link StoreCorruptedException}.</li>
 * <li><b>Column families are only created with a new store.</b> Reopening never passes
 *     {@code create_if_missing} or {@code create_missing_column_families}: with them, a lost {@code CURRENT}
 *     file or a MANIFEST that lost the {@code log} column family would silently yield an empty log.</li>
 * <li><b>Memtables</b>: {@link RocksDbStoreConfig#memtableBytes()} (16 MiB by default) for the log, up to three
 *     (one filling, two flushing) so a flush never stalls appends; the newest entries — what followers and the
 *     FSM read — are served from them. The stable column families get 1 MiB: they hold a few bytes.</li>
 * <li><b>{@code max_total_wal_size = 4 × memtable}</b>: a WAL file can only be deleted once every column family
 *     with data in it is flushed, and the stable column family, written once per term, would otherwise pin
 *     old WAL files indefinitely; past this size RocksDB flushes it.</li>
 * <li><b>Level compaction</b> with dynamic level sizes. Keys arrive in increasing order, so flushed files do not
 *     overlap and move down levels without being rewritten; entries deleted by a range tombstone before their
 *     memtable is flushed never reach an SST at all, and files wholly covered by a tombstone are dropped when
 *     it is compacted. Universal or FIFO compaction buy nothing here (FIFO would delete by age, not index).</li>
 * <li><b>No compression</b>: most entries are deleted after the next snapshot, usually before they leave L0,
 *     and payloads are often already compact; compressing them would spend CPU on the write path for disk
 *     space a Raft log does not keep for long.</li>
 * <li><b>A small block cache</b> ({@link RocksDbStoreConfig#blockCacheBytes()}, 8 MiB), shared by both column
 *     families, with 16 KiB blocks so a range read for an AppendEntries batch touches few blocks. No Bloom
 *     filter: lookups are by index and each SST covers a contiguous index range, so the index block already
 *     rules files out, and a Raft log rarely looks up absent keys.</li>
 * <li><b>{@code avoid_unnecessary_blocking_io = true}</b>: obsolete files are deleted by a background job rather
 *     than by whichever thread drops the last reference (possibly the log writer, mid-append).
 *     <b>{@code bytes_per_sync = 1 MiB}</b>: flushes and compactions write back incrementally, so the WAL's
 *     {@code fdatasync} never waits behind a large burst of dirty table pages.</li>
 * <li><b>{@code max_background_jobs = 2}</b>, enough for one flush and one compaction; <b>RocksDB's info log</b>
 *     ({@code LOG} in the directory) is kept, capped at three 4 MiB files, because it is what explains a
 *     failed open.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} waits for operations in flight and is idempotent; afterwards every method
 * throws {@link IOException}. Two stores cannot be open on one directory at once (RocksDB's {@code LOCK} file).
 */
public final class RocksDbStore implements LogStore, StableStore, AutoCloseable {
    /** The marker file that says a directory holds a fully created store, and in which format. */
    public static final String MARKER = "FLOTILLA_STORE";

    private static final Logger LOG = LoggerFactory.getLogger(RocksDbStore.class);
    private static final String MARKER_CONTENT = "flotilla-rocksdb-store format=1\n";
    private static final byte[] LOG_FAMILY = "log".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STABLE_FAMILY = "stable".getBytes(StandardCharsets.UTF_8);
    private static final long MIB = 1L << 20;
    /** The files RocksDB (and the marker's own atomic write) leave in a database directory. */
    private static final Pattern ROCKSDB_FILE = Pattern.compile(
            "CURRENT|IDENTITY|LOCK|LOG(\\.old\\.\\d+)?|MANIFEST-\\d+|OPTIONS-\\d+(\\.dbtmp)?"
                    + "|\\d+\\.(log|sst|blob|dbtmp)|" + MARKER + "\\.tmp");

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    /** Native objects in creation order; closed in reverse. */
    private final Deque<AutoCloseable> natives;
    private final RocksDB db;
    private final ColumnFamilyHandle metaFamily;
    private final ColumnFamilyHandle logFamily;
    private final ColumnFamilyHandle stableFamily;
    private final WriteOptions syncWrite;
    private final ReadOptions read;

    /** Readers and writers hold it shared; {@link #close()} holds it exclusively, so no call touches freed handles. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Serialises log writes, so that each one's effect on {@link #bounds} is computed from the one before. */
    private final Lock logWrite = new ReentrantLock();
    private volatile LogBounds bounds;
    /** Serialises stable writes, each of which updates {@link #digest}. */
    private final Lock stableWrite = new ReentrantLock();
    /** Guarded by {@link #stableWrite}. */
    private StableDigest digest;
    private boolean closed;

    private RocksDbStore(Path directory, Deque<AutoCloseable> natives, RocksDB db, List<ColumnFamilyHandle> families,
                         WriteOptions syncWrite, ReadOptions read) {
        this.directory = directory;
        this.natives = natives;
        this.db = db;
        this.metaFamily = families.get(0);
        this.logFamily = families.get(1);
        this.stableFamily = families.get(2);
        this.syncWrite = syncWrite;
        this.read = read;
    }

    /** Opens (creating if needed) the store in {@code directory} with the {@linkplain RocksDbStoreConfig#defaults() default} sizes. */
    public static RocksDbStore open(Path directory) throws IOException {
        return open(directory, RocksDbStoreConfig.defaults());
    }

    /**
     * Opens the store in {@code directory}, creating the directory and a new empty store if the directory is
     * missing or empty.
     *
     * <p>A new store counts as created only once the marker file {@value #MARKER} is durably written, after
     * RocksDB has created its files and column families. A directory without the marker that holds only
     * RocksDB's files is a creation that crashed half-way (it cannot hold entries: none are accepted before
     * the marker exists) and is completed. A directory with the marker is opened strictly: anything missing —
     * {@code CURRENT}, the MANIFEST, a table file, a column family — fails the open with an error naming it,
     * rather than being recreated empty. A directory holding other files is refused, so that pointing a store
     * at the wrong directory cannot scatter a database into it.
     *
     * @throws StoreCorruptedException if RocksDB or the store's own checks find damaged data while opening
     * @throws IOException             if the store cannot be opened (the message says why and where)
     */
    public static RocksDbStore open(Path directory, RocksDbStoreConfig config) throws IOException {
        Objects.requireNonNull(config, "config");
        Path dir = directory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path marker = dir.resolve(MARKER);
        boolean created = Files.exists(marker);
        if (created) {
            String content = Files.readString(marker, StandardCharsets.UTF_8);
            if (!content.equals(MARKER_CONTENT)) {
                throw new IOException("cannot open RocksDB store in " + dir + ": marker file " + MARKER
                        + " says " + content.strip() + ", this version reads only " + MARKER_CONTENT.strip());
            }
        } else {
            refuseForeignFiles(dir);
        }
        long started = System.nanoTime();
        Deque<AutoCloseable> natives = new ArrayDeque<>();
        try {
            RocksDbStore store = openDatabase(dir, config, !created, natives);
            store.bounds = store.checkBounds(!created);
            store.digest = store.checkStable(!created);
            if (!created) {
                writeMarker(dir);
                LOG.info("created RocksDB store dir={}", dir);
            }
            LOG.info("opened RocksDB store dir={} firstIndex={} lastIndex={} tookMs={}", dir,
                    Long.toUnsignedString(store.bounds.firstOrZero()), Long.toUnsignedString(store.bounds.lastOrZero()),
                    (System.nanoTime() - started) / 1_000_000);
            return store;
        } catch (IOException | RuntimeException | Error e) {
            closeAll(natives, e);
            throw e;
        }
    }

    private static RocksDbStore openDatabase(Path dir, RocksDbStoreConfig config, boolean create,
                                             Deque<AutoCloseable> natives) throws IOException {
        LRUCache cache = push(natives, new LRUCache(config.blockCacheBytes()));
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(16 * 1024);
        DBOptions dbOptions = push(natives, new DBOptions())
                .setCreateIfMissing(create)
                .setCreateMissingColumnFamilies(create)
                .setParanoidChecks(true)
                .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
                .setUseFsync(false)
                .setMaxTotalWalSize(4 * config.memtableBytes())
                .setAvoidUnnecessaryBlockingIO(true)
                .setBytesPerSync(MIB)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3)
                .setMaxLogFileSize(4 * MIB);
        ColumnFamilyOptions logOptions = push(natives, new ColumnFamilyOptions())
                .setWriteBufferSize(config.memtableBytes())
                .setMaxWriteBufferNumber(3)
                .setCompactionStyle(CompactionStyle.LEVEL)
                .setLevelCompactionDynamicLevelBytes(true)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setForceConsistencyChecks(true)
                .setTableFormatConfig(table);
        ColumnFamilyOptions smallOptions = push(natives, new ColumnFamilyOptions())
                .setWriteBufferSize(MIB)
                .setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setForceConsistencyChecks(true)
                .setTableFormatConfig(table);
        WriteOptions syncWrite = push(natives, new WriteOptions()).setSync(true);
        ReadOptions read = push(natives, new ReadOptions()).setVerifyChecksums(true);

        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, smallOptions),
                new ColumnFamilyDescriptor(LOG_FAMILY, logOptions),
                new ColumnFamilyDescriptor(STABLE_FAMILY, smallOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, dir.toString(), families, handles);
        } catch (RocksDBException e) {
            String hint = create ? "" : "; the directory holds a Flotilla store (" + MARKER + " is present), so a "
                    + "missing or unreadable file means the store is damaged: restore it from a backup or rebuild "
                    + "this node from its peers";
            if (e.getMessage() != null && e.getMessage().contains("lock")) {
                hint = "; is another process, or another store in this one, using it?";
            }
            throw failure("cannot open RocksDB store in " + dir, e, hint);
        }
        // Pushed after the database, the handles are closed before it, as RocksDB requires.
        natives.push(db);
        handles.forEach(natives::push);
        return new RocksDbStore(dir, natives, db, handles, syncWrite, read);
    }

    private static <T extends AutoCloseable> T push(Deque<AutoCloseable> natives, T resource) {
        natives.push(resource);
        return resource;
    }

    private static void refuseForeignFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Optional<String> foreign = files.map(p -> p.getFileName().toString())
                    .filter(name -> !ROCKSDB_FILE.matcher(name).matches())
                    .sorted()
                    .findFirst();
            if (foreign.isPresent()) {
                throw new IOException("cannot create a RocksDB store in " + dir + ": the directory is neither empty "
                        + "nor a Flotilla store (it holds '" + foreign.get() + "' and no " + MARKER + " file)");
            }
        }
    }

    /** Writes the marker through a synced temporary file, an atomic rename and a directory sync. */
    private static void writeMarker(Path dir) throws IOException {
        Path tmp = dir.resolve(MARKER + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(StandardCharsets.UTF_8.encode(MARKER_CONTENT));
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; the rename is then as durable as they allow.
            LOG.debug("could not sync directory dir={} error={}", dir, e.toString());
        }
    }

    /** The directory holding this store. */
    public Path directory() {
        return directory;
    }

    // ---------------------------------------------------------------- LogStore

    @Override
    public long firstIndex() throws IOException {
        Lock lock = enter();
        try {
            return bounds.firstOrZero();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lastIndex() throws IOException {
        Lock lock = enter();
        try {
            return bounds.lastOrZero();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<LogEntry> getLog(long index) throws IOException {
        Lock lock = enter();
        try {
            byte[] value;
            try {
                value = db.get(logFamily, read, StoredFormat.logKey(index));
            } catch (RocksDBException e) {
                throw failure("reading log entry at index " + Long.toUnsignedString(index) + " from " + directory, e, "");
            }
            return value == null ? Optional.empty() : Optional.of(StoredFormat.decodeEntry(index, value));
        } finally {
            lock.unlock();
        }
    }

    /** Reads the range with one iterator, so the result is a consistent slice of the log. */
    @Override
    public List<LogEntry> getLogs(long from, long to) throws IOException {
        List<LogEntry> out = new ArrayList<>();
        if (Long.compareUnsigned(from, to) > 0) {
            return out;
        }
        Lock lock = enter();
        try (RocksIterator it = db.newIterator(logFamily, read)) {
            long expected = from;
            for (it.seek(StoredFormat.logKey(from)); it.isValid(); it.next()) {
                long index = StoredFormat.indexOfKey(it.key());
                if (index != expected) {
                    break; // a gap (or the end): the contract stops at the first missing entry
                }
                out.add(StoredFormat.decodeEntry(index, it.value()));
                if (index == to) {
                    break; // checked before incrementing, so that to = 2^64-1 does not wrap around
                }
                expected++;
            }
            it.status();
            return out;
        } catch (RocksDBException e) {
            throw failure("reading log entries " + Long.toUnsignedString(from) + ".." + Long.toUnsignedString(to)
                    + " from " + directory, e, "");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void storeLogs(List<LogEntry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        // Encoding happens before any lock is taken, and a null entry fails before anything is written.
        byte[][] values = new byte[entries.size()][];
        long min = 0;
        long max = 0;
        for (int i = 0; i < values.length; i++) {
            LogEntry entry = Objects.requireNonNull(entries.get(i), "entry");
            values[i] = StoredFormat.encodeEntry(entry);
            long index = entry.index();
            if (i == 0 || Long.compareUnsigned(index, min) < 0) {
                min = index;
            }
            if (i == 0 || Long.compareUnsigned(index, max) > 0) {
                max = index;
            }
        }
        Lock lock = enter();
        logWrite.lock();
        try (WriteBatch batch = new WriteBatch()) {
            for (int i = 0; i < values.length; i++) {
                batch.put(logFamily, StoredFormat.logKey(entries.get(i).index()), values[i]);
            }
            LogBounds after = bounds.including(min, max);
            if (!after.equals(bounds)) {
                batch.put(metaFamily, StoredFormat.BOUNDS_KEY, StoredFormat.encodeBounds(after));
            }
            db.write(syncWrite, batch);
            bounds = after;
        } catch (RocksDBException e) {
            throw failure("storing log entries " + Long.toUnsignedString(min) + ".." + Long.toUnsignedString(max)
                    + " in " + directory, e, "");
        } finally {
            logWrite.unlock();
            lock.unlock();
        }
    }

    @Override
    public void deleteRange(long min, long max) throws IOException {
        if (Long.compareUnsigned(min, max) > 0) {
            return;
        }
        Lock lock = enter();
        logWrite.lock();
        try (WriteBatch batch = new WriteBatch()) {
            LogBounds before = bounds;
            if (before.empty() || Long.compareUnsigned(max, before.first()) < 0 || Long.compareUnsigned(min, before.last()) > 0) {
                return; // nothing there: no write, no sync
            }
            // The new ends are found before the delete (keys outside the range are the same either way), so
            // that the range tombstone and the new bounds record go into one atomic batch.
            boolean fromStart = Long.compareUnsigned(min, before.first()) <= 0;
            boolean toEnd = Long.compareUnsigned(max, before.last()) >= 0;
            LogBounds after;
            if (fromStart && toEnd) {
                after = LogBounds.EMPTY;
            } else if (fromStart) {
                after = new LogBounds(firstKeyAfter(max), before.last(), false);
            } else if (toEnd) {
                after = new LogBounds(before.first(), lastKeyBefore(min), false);
            } else {
                after = before; // a range strictly inside the log leaves both ends where they were
            }
            batch.deleteRange(logFamily, StoredFormat.logKey(min), StoredFormat.logKeySuccessor(max));
            if (!after.equals(before)) {
                batch.put(metaFamily, StoredFormat.BOUNDS_KEY, StoredFormat.encodeBounds(after));
            }
            db.write(syncWrite, batch);
            bounds = after;
        } catch (RocksDBException e) {
            throw failure("deleting log entries " + Long.toUnsignedString(min) + ".." + Long.toUnsignedString(max)
                    + " in " + directory, e, "");
        } finally {
            logWrite.unlock();
            lock.unlock();
        }
    }

    private long firstKeyAfter(long index) throws RocksDBException, IOException {
        try (RocksIterator it = db.newIterator(logFamily, read)) {
            it.seek(StoredFormat.logKeySuccessor(index));
            it.status();
            if (!it.isValid()) {
                throw new IllegalStateException("no log entry after index " + Long.toUnsignedString(index)
                        + " although the last index is " + Long.toUnsignedString(bounds.last()));
            }
            return StoredFormat.indexOfKey(it.key());
        }
    }

    private long lastKeyBefore(long index) throws RocksDBException, IOException {
        try (RocksIterator it = db.newIterator(logFamily, read)) {
            byte[] key = StoredFormat.logKey(index);
            it.seekForPrev(key);
            if (it.isValid() && java.util.Arrays.equals(it.key(), key)) {
                it.prev(); // the range's own first key: the one wanted is just before it
            }
            it.status();
            if (!it.isValid()) {
                throw new IllegalStateException("no log entry before index " + Long.toUnsignedString(index)
                        + " although the first index is " + Long.toUnsignedString(bounds.first()));
            }
            return StoredFormat.indexOfKey(it.key());
        }
    }

    /**
     * Finds both ends of the log with one seek each, checks the entries there, and compares the ends with the
     * bounds record written alongside every log write. A mismatch means RocksDB recovered less than was
     * written — a table file dropped from a damaged MANIFEST, say — and fails the open instead of letting
     * Raft run on a log that silently lost entries. A new store gets its first record here.
     */
    private LogBounds checkBounds(boolean creating) throws IOException {
        LogBounds found;
        try (RocksIterator it = db.newIterator(logFamily, read)) {
            it.seekToFirst();
            it.status();
            if (!it.isValid()) {
                found = LogBounds.EMPTY;
            } else {
                long first = StoredFormat.indexOfKey(it.key());
                StoredFormat.decodeEntry(first, it.value());
                it.seekToLast();
                it.status();
                long last = StoredFormat.indexOfKey(it.key());
                StoredFormat.decodeEntry(last, it.value());
                found = new LogBounds(first, last, false);
            }
            byte[] value = db.get(metaFamily, read, StoredFormat.BOUNDS_KEY);
            if (value == null && creating) {
                // Completing a creation that crashed: nothing can have been written to the log yet.
                db.put(metaFamily, syncWrite, StoredFormat.BOUNDS_KEY, StoredFormat.encodeBounds(found));
                return found;
            }
            if (value == null) {
                throw new StoreCorruptedException("cannot open RocksDB store in " + directory + ": its bounds record "
                        + "is missing, so RocksDB has lost data (a damaged or truncated MANIFEST, WAL or table file?); "
                        + "the log holds " + found);
            }
            LogBounds recorded = StoredFormat.decodeBounds(value);
            if (!recorded.equals(found)) {
                throw new StoreCorruptedException("cannot open RocksDB store in " + directory + ": the log should hold "
                        + recorded + " but holds " + found + ", so RocksDB has lost data (a damaged or truncated "
                        + "MANIFEST, WAL or table file?)");
            }
            return found;
        } catch (RocksDBException e) {
            throw failure("checking the ends of the log in " + directory, e, "");
        }
    }

    /**
     * Reads the whole stable column family (a handful of keys), checking every value, and compares it with the
     * digest written alongside every stable write, so that a term or vote RocksDB lost or rolled back on its
     * own fails the open rather than letting the node vote twice in a term.
     */
    private StableDigest checkStable(boolean creating) throws IOException {
        StableDigest found = StableDigest.EMPTY;
        try (RocksIterator it = db.newIterator(stableFamily, read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                byte[] value = it.value();
                StoredFormat.decodeStable(key, value);
                found = found.adding(key, value);
            }
            it.status();
            byte[] value = db.get(metaFamily, read, StoredFormat.DIGEST_KEY);
            if (value == null && creating) {
                db.put(metaFamily, syncWrite, StoredFormat.DIGEST_KEY, StoredFormat.encodeDigest(found));
                return found;
            }
            if (value == null) {
                throw new StoreCorruptedException("cannot open RocksDB store in " + directory + ": its stable digest "
                        + "is missing, so RocksDB has lost data (a damaged or truncated MANIFEST, WAL or table file?)");
            }
            StableDigest recorded = StoredFormat.decodeDigest(value);
            if (!recorded.equals(found)) {
                throw new StoreCorruptedException("cannot open RocksDB store in " + directory + ": the stable values "
                        + "should be " + recorded + " but are " + found + ", so RocksDB has lost or rolled back data "
                        + "(a damaged or truncated MANIFEST, WAL or table file?)");
            }
            return found;
        } catch (RocksDBException e) {
            throw failure("checking the stable values in " + directory, e, "");
        }
    }

    // ---------------------------------------------------------------- StableStore

    @Override
    public void set(byte[] key, byte[] value) throws IOException {
        Objects.requireNonNull(value, "value");
        byte[] stableKey = StoredFormat.stableKey(StoredFormat.BYTES_NAMESPACE, Objects.requireNonNull(key, "key"));
        put(stableKey, StoredFormat.encodeStable(stableKey, value), key);
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws IOException {
        byte[] stableKey = StoredFormat.stableKey(StoredFormat.BYTES_NAMESPACE, Objects.requireNonNull(key, "key"));
        byte[] value = fetch(stableKey, key);
        return value == null ? Optional.empty() : Optional.of(StoredFormat.decodeStable(stableKey, value));
    }

    @Override
    public void setUint64(byte[] key, long value) throws IOException {
        byte[] stableKey = StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, Objects.requireNonNull(key, "key"));
        put(stableKey, StoredFormat.encodeUint64(stableKey, value), key);
    }

    @Override
    public long getUint64(byte[] key) throws IOException {
        byte[] stableKey = StoredFormat.stableKey(StoredFormat.UINT64_NAMESPACE, Objects.requireNonNull(key, "key"));
        byte[] value = fetch(stableKey, key);
        return value == null ? 0 : StoredFormat.decodeUint64(stableKey, value);
    }

    private void put(byte[] stableKey, byte[] value, byte[] userKey) throws IOException {
        Lock lock = enter();
        stableWrite.lock();
        try (WriteBatch batch = new WriteBatch()) {
            StableDigest after = digest.replacing(stableKey, db.get(stableFamily, read, stableKey), value);
            batch.put(stableFamily, stableKey, value);
            batch.put(metaFamily, StoredFormat.DIGEST_KEY, StoredFormat.encodeDigest(after));
            db.write(syncWrite, batch);
            digest = after;
        } catch (RocksDBException e) {
            throw failure("writing stable key " + Bytes.describe(userKey) + " in " + directory, e, "");
        } finally {
            stableWrite.unlock();
            lock.unlock();
        }
    }

    private byte[] fetch(byte[] stableKey, byte[] userKey) throws IOException {
        Lock lock = enter();
        try {
            return db.get(stableFamily, read, stableKey);
        } catch (RocksDBException e) {
            throw failure("reading stable key " + Bytes.describe(userKey) + " from " + directory, e, "");
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Flushes the memtables to table files and waits; for tests that need data in SST files. */
    void flushForTesting() throws IOException {
        Lock lock = enter();
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flush(options, List.of(metaFamily, logFamily, stableFamily));
        } catch (RocksDBException e) {
            throw failure("flushing " + directory, e, "");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the database and frees every native object, after waiting for calls in flight. Idempotent. Data
     * needs no flushing here: every write was already synced to the WAL.
     */
    @Override
    public void close() throws IOException {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // RocksDB's own close waits for background flushes and compactions; its errors (closeE) are reported.
            Exception failure = null;
            while (!natives.isEmpty()) {
                AutoCloseable next = natives.pop();
                try {
                    if (next instanceof RocksDB rocks) {
                        rocks.closeE();
                    } else {
                        next.close();
                    }
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            LOG.info("closed RocksDB store dir={}", directory);
            if (failure != null) {
                throw new IOException("closing RocksDB store in " + directory + " failed: " + failure.getMessage(), failure);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static void closeAll(Deque<AutoCloseable> natives, Throwable cause) {
        while (!natives.isEmpty()) {
            try {
                natives.pop().close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    private Lock enter() throws IOException {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IOException("RocksDB store in " + directory + " is closed");
        }
        return lock;
    }

    private static IOException failure(String what, RocksDBException e, String hint) {
        Status status = e.getStatus();
        String message = what + ": " + e.getMessage() + hint;
        if (status != null && status.getCode() == Status.Code.Corruption) {
            return new StoreCorruptedException(message, e);
        }
        return new IOException(message, e);
    }

    @Override
    public String toString() {
        return "RocksDbStore[" + directory + "]";
    }
}
