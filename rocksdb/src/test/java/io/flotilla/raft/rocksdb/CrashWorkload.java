package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The entries the crash test writes, generated from (batch id, index) alone so that the checking process can
 * rebuild every entry it finds and compare it byte for byte, without the writer telling it their contents.
 */
final class CrashWorkload {
    /** The memtable size the crash test runs with: small, so flushes and compactions happen (and get killed) too. */
    static final RocksDbStoreConfig CONFIG = RocksDbStoreConfig.defaults().withMemtableBytes(256 * 1024).withBlockCacheBytes(1 << 20);

    private static final LogType[] TYPES = LogType.values();

    private CrashWorkload() {
    }

    /** The entry batch {@code batchId} stores at {@code index}: its data starts with the batch id. */
    static LogEntry entry(long batchId, long index) {
        SplittableRandom random = new SplittableRandom(batchId * 0x9E3779B97F4A7C15L ^ index);
        int roll = random.nextInt(100);
        int size = roll < 70 ? random.nextInt(200) : roll < 97 ? 200 + random.nextInt(4000) : 4000 + random.nextInt(60_000);
        byte[] data = new byte[8 + size];
        random.nextBytes(data);
        ByteBuffer.wrap(data).putLong(batchId);
        int ext = random.nextInt(10);
        byte[] extensions = ext == 0 ? new byte[0] : ext == 1 ? new byte[] {(byte) index} : null;
        LogType type = random.nextInt(20) == 0 ? TYPES[random.nextInt(TYPES.length)] : LogType.COMMAND;
        return new LogEntry(index, batchId, type, data, extensions);
    }

    static List<LogEntry> batch(long batchId, long first, long last) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = first; i <= last; i++) {
            out.add(entry(batchId, i));
        }
        return out;
    }

    /** The batch id an entry written by this workload carries. */
    static long batchIdOf(LogEntry entry) {
        byte[] data = entry.data();
        if (data == null || data.length < 8) {
            throw new AssertionError("not a crash-test entry: " + entry);
        }
        return ByteBuffer.wrap(data).getLong();
    }

    /** A checksum of a batch's contents, printed by the writer and recomputed by the checker. */
    static long checksum(List<LogEntry> batch) {
        CRC32 crc = new CRC32();
        for (LogEntry e : batch) {
            crc.update(StoredFormat.encodeEntry(e));
        }
        return crc.getValue();
    }
}
