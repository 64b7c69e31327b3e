package io.flotilla.raft.rocksdb;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The store's database opened with plain RocksDB, to plant what a bug or a bad disk could leave behind. */
final class RawRocksDb implements AutoCloseable {
    private final DBOptions options;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();

    RawRocksDb(Path dir) throws RocksDBException {
        options = new DBOptions();
        db = RocksDB.open(options, dir.toString(), List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor("log".getBytes(StandardCharsets.UTF_8)),
                new ColumnFamilyDescriptor("stable".getBytes(StandardCharsets.UTF_8))), handles);
    }

    void putLog(byte[] key, byte[] value) throws RocksDBException {
        db.put(handles.get(1), key, value);
    }

    byte[] getLog(long index) throws RocksDBException {
        return db.get(handles.get(1), StoredFormat.logKey(index));
    }

    void deleteLog(long index) throws RocksDBException {
        db.delete(handles.get(1), StoredFormat.logKey(index));
    }

    void deleteStable(byte[] key) throws RocksDBException {
        db.delete(handles.get(2), key);
    }

    void putStable(byte[] key, byte[] value) throws RocksDBException {
        db.put(handles.get(2), key, value);
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        options.close();
    }
}
