package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The process the crash test kills: it opens the store and writes to it as fast as it can, announcing each
 * operation before it starts ({@code BEGIN ...}) and acknowledging it once the store call has returned
 * ({@code ACK}/{@code DONE}). Each line goes out in one write and is flushed at once, so a line the parent sees
 * is a fact about the store.
 *
 * <p>Arguments: store directory, random seed, first batch id to use.
 */
final class CrashWriter {
    /** Above this many entries the writer compacts, keeping the log (and the parent's checks) small. */
    static final long MAX_LOG = 4000;

    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        long batchId = Long.parseLong(args[2]);
        say("OPENING");
        try (RocksDbStore store = RocksDbStore.open(dir, CrashWorkload.CONFIG)) {
            say("READY " + store.firstIndex() + " " + store.lastIndex());
            while (true) {
                long first = store.firstIndex();
                long last = store.lastIndex();
                long length = last == 0 ? 0 : last - first + 1;
                int roll = random.nextInt(100);
                if (length > MAX_LOG && roll < 30) {
                    long upTo = first + random.nextInt((int) (length - 500));
                    say("BEGIN COMPACT " + first + " " + upTo);
                    store.deleteRange(first, upTo);
                    say("DONE");
                } else if (length > 0 && roll < 3) {
                    long from = last - random.nextInt((int) Math.min(length, 100));
                    say("BEGIN TRUNCATE " + from + " " + last);
                    store.deleteRange(from, last);
                    say("DONE");
                } else {
                    int size = random.nextInt(10) < 3 ? 1 : 1 + random.nextInt(64);
                    batchId++;
                    List<LogEntry> batch = CrashWorkload.batch(batchId, last + 1, last + size);
                    say("BEGIN STORE " + batchId + " " + (last + 1) + " " + (last + size));
                    store.storeLogs(batch);
                    say("ACK " + batchId + " " + (last + 1) + " " + (last + size) + " " + CrashWorkload.checksum(batch));
                }
            }
        } catch (Throwable t) {
            say("ERROR " + t);
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void say(String line) throws IOException {
        OUT.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        OUT.flush();
    }
}
