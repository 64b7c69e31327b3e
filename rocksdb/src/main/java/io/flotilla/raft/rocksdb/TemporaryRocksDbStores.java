package io.flotilla.raft.rocksdb;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * RocksDB stores for tests, one per node name, under a temporary directory that {@link #close()} removes: the
 * way to run cluster tests on real, durable stores instead of {@code InmemStore}.
 *
 * <pre>{@code
 * try (TemporaryRocksDbStores stores = TemporaryRocksDbStores.create()) {
 *     RocksDbStore node1 = stores.open("node1");      // use as the node's LogStore and StableStore
 *     ...
 *     RocksDbStore again = stores.reopen("node1");    // a restart: closes node1's store, opens its data again
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class TemporaryRocksDbStores implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TemporaryRocksDbStores.class);

    private final Path root;
    private final RocksDbStoreConfig config;
    private final Map<String, RocksDbStore> open = new LinkedHashMap<>();
    private boolean closed;

    private TemporaryRocksDbStores(Path root, RocksDbStoreConfig config) {
        this.root = root;
        this.config = config;
    }

    /**
     * Stores under a new temporary directory, with 1 MiB memtables and a 1 MiB block cache: small enough that a
     * test cluster of many nodes stays light, and that tests writing a few megabytes exercise flushes too.
     */
    public static TemporaryRocksDbStores create() throws IOException {
        return create(new RocksDbStoreConfig(1L << 20, 1L << 20));
    }

    /** Stores with the given sizes under a new temporary directory. */
    public static TemporaryRocksDbStores create(RocksDbStoreConfig config) throws IOException {
        return new TemporaryRocksDbStores(Files.createTempDirectory("flotilla-rocksdb-"), Objects.requireNonNull(config));
    }

    /** The temporary directory; each node's store is in a subdirectory named after it. */
    public Path root() {
        return root;
    }

    /**
     * The store of {@code node}: the one already open, or the node's data opened anew (empty the first time).
     *
     * @throws IllegalArgumentException if the name is not a plain file name
     */
    public synchronized RocksDbStore open(String node) throws IOException {
        ensureOpen();
        RocksDbStore store = open.get(node);
        if (store == null) {
            store = RocksDbStore.open(directoryOf(node), config);
            open.put(node, store);
        }
        return store;
    }

    /** Closes the node's store if it is open and opens its data again, as a restarted node would. */
    public synchronized RocksDbStore reopen(String node) throws IOException {
        ensureOpen();
        RocksDbStore store = open.remove(node);
        if (store != null) {
            store.close();
        }
        return open(node);
    }

    /** Closes every store still open and deletes the temporary directory. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (RocksDbStore store : open.values()) {
            try {
                store.close();
            } catch (IOException e) {
                failure = chain(failure, e);
            }
        }
        open.clear();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("could not delete temporary stores dir={} error={}", root, e.toString());
            failure = chain(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Path directoryOf(String node) {
        Path dir = root.resolve(node).normalize();
        if (node.isEmpty() || !root.equals(dir.getParent())) {
            throw new IllegalArgumentException("node name must be a plain file name, was '" + node + "'");
        }
        return dir;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("temporary stores in " + root + " are closed");
        }
    }

    private static IOException chain(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
