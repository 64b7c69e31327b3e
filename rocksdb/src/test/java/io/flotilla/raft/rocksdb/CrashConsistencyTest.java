package io.flotilla.raft.rocksdb;

import io.flotilla.raft.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a writing process with SIGKILL at random moments, over and over, and checks after each kill that the
 * store holds exactly what was acknowledged: every acknowledged batch present and intact, the log contiguous,
 * and the one operation in flight at the kill (an append, a prefix compaction or a suffix truncation) either
 * wholly applied or not at all.
 *
 * <p>The checker keeps a model of the log (index → batch id) built from the writer's acknowledgements. After a
 * kill the store must equal the model, or the model with the announced-but-unacknowledged operation applied;
 * since every entry's contents follow from its batch id and index ({@link CrashWorkload}), "equal" is checked
 * byte for byte. Some kills land while the writer is still opening the store, i.e. during RocksDB's recovery
 * (and, in the first cycle, during the store's creation); with 256 KiB memtables, others land during flushes
 * and compactions.
 *
 * <p>{@code -Dflotilla.crash.cycles=N} (default 50) sets the number of kills; {@code -Dflotilla.crash.seed=S}
 * replays a run (the seed is in every failure message).
 */
class CrashConsistencyTest {
    private static final Logger LOG = LoggerFactory.getLogger(CrashConsistencyTest.class);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void every_acknowledged_batch_survives_sigkill_and_no_partial_operation_is_visible() throws Exception {
        int cycles = Integer.getInteger("flotilla.crash.cycles", 50);
        long seed = Long.getLong("flotilla.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path dir = tmp.resolve("store");
        Checker checker = new Checker(seed);
        long started = System.nanoTime();
        for (int cycle = 0; cycle < cycles; cycle++) {
            checker.runCycle(dir, cycle, random);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        LOG.info("crash test seed={} cycles={} seconds={} killsWhileOpening={} inFlightApplied={} inFlightLost={} "
                        + "batchesAcked={} entriesAcked={} compactions={} truncations={} finalLog={}..{}",
                seed, cycles, seconds, checker.killsWhileOpening, checker.inFlightApplied, checker.inFlightLost,
                checker.batches, checker.entries, checker.compactions, checker.truncations,
                checker.model.isEmpty() ? 0 : checker.model.firstKey(), checker.model.isEmpty() ? 0 : checker.model.lastKey());
        assertThat(checker.batches).as("acknowledged batches (seed %d)", seed).isGreaterThan(cycles);
        if (cycles >= 50) {
            assertThat(checker.compactions).as("compactions (seed %d)", seed).isPositive();
            assertThat(checker.truncations).as("truncations (seed %d)", seed).isPositive();
        }
    }

    /** The parent's side: runs the writer, kills it, and checks the store against the model. */
    private static final class Checker {
        final long seed;
        /** The acknowledged log: index to the id of the batch that wrote it. */
        TreeMap<Long, Long> model = new TreeMap<>();
        int killsWhileOpening;
        int inFlightApplied;
        int inFlightLost;
        long batches;
        long entries;
        long compactions;
        long truncations;

        Checker(long seed) {
            this.seed = seed;
        }

        void runCycle(Path dir, int cycle, Random random) throws Exception {
            // Most kills come after a random number of acknowledgements plus a random delay, so they land
            // anywhere in an append, a compaction, a flush; some come while the writer is still opening.
            boolean killWhileOpening = random.nextInt(10) == 0;
            int acksBeforeKill = 1 + random.nextInt(300);
            long delayNanos = killWhileOpening ? random.nextInt(400_000_000) : random.nextInt(500_000);
            long firstBatchId = (cycle + 1L) * 1_000_000_000L;

            Path stderr = dir.resolveSibling("writer-" + cycle + ".stderr");
            Process writer = new ProcessBuilder(javaBinary(), "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                    dir.toString(), Long.toString(seed + cycle), Long.toString(firstBatchId))
                    .redirectError(stderr.toFile())
                    .start();
            String[] pending = null;
            boolean ready = false;
            int acks = 0;
            try (Lines lines = new Lines(writer.getInputStream())) {
                String line;
                boolean killed = false;
                while ((line = lines.next()) != null) {
                    String[] f = line.split(" ");
                    switch (f[0]) {
                        case "OPENING" -> {
                        }
                        case "READY" -> ready = true;
                        case "BEGIN" -> pending = f;
                        case "ACK" -> {
                            assertThat(pending).as("ACK without BEGIN: %s", line).isNotNull();
                            long batchId = Long.parseLong(f[1]);
                            List<LogEntry> batch = CrashWorkload.batch(batchId, Long.parseLong(f[2]), Long.parseLong(f[3]));
                            assertThat(Long.parseLong(f[4])).as("writer's checksum of batch %d", batchId)
                                    .isEqualTo(CrashWorkload.checksum(batch));
                            apply(model, pending);
                            batches++;
                            entries += batch.size();
                            pending = null;
                            acks++;
                        }
                        case "DONE" -> {
                            assertThat(pending).as("DONE without BEGIN").isNotNull();
                            if (pending[1].equals("COMPACT")) {
                                compactions++;
                            } else {
                                truncations++;
                            }
                            apply(model, pending);
                            pending = null;
                        }
                        default -> throw new AssertionError("writer failed (seed " + seed + ", cycle " + cycle + "): "
                                + line + "\n" + Files.readString(stderr));
                    }
                    if (!killed && ((killWhileOpening && f[0].equals("OPENING")) || acks >= acksBeforeKill)) {
                        LockSupport.parkNanos(delayNanos);
                        // SIGKILL on Linux. Through the handle, because Process.destroyForcibly() also closes our end
                        // of the pipe, and the lines written before the kill are acknowledgements we must still read.
                        writer.toHandle().destroyForcibly();
                        killed = true;
                    }
                }
                assertThat(killed).as("writer exited by itself (seed %d, cycle %d): %s", seed, cycle,
                        Files.readString(stderr)).isTrue();
            }
            writer.waitFor();
            if (!ready) {
                killsWhileOpening++;
            }
            verify(dir, cycle, pending);
            Files.deleteIfExists(stderr);
        }

        private void verify(Path dir, int cycle, String[] pending) throws IOException {
            TreeMap<Long, Long> actual = new TreeMap<>();
            try (RocksDbStore store = RocksDbStore.open(dir, CrashWorkload.CONFIG)) {
                long first = store.firstIndex();
                long last = store.lastIndex();
                if (last != 0) {
                    List<LogEntry> log = store.getLogs(first, last);
                    assertThat(log).as("entries %d..%d are contiguous (seed %d, cycle %d)", first, last, seed, cycle)
                            .hasSize((int) (last - first + 1));
                    for (LogEntry e : log) {
                        long batchId = CrashWorkload.batchIdOf(e);
                        assertThat(e).as("entry %d intact (seed %d, cycle %d)", e.index(), seed, cycle)
                                .isEqualTo(CrashWorkload.entry(batchId, e.index()));
                        actual.put(e.index(), batchId);
                    }
                    assertThat(store.getLog(first - 1)).isEmpty();
                    assertThat(store.getLog(last + 1)).isEmpty();
                }
            }
            if (actual.equals(model)) {
                if (pending != null) {
                    inFlightLost++;
                }
                return;
            }
            String context = "seed " + seed + ", cycle " + cycle + ", in flight: "
                    + (pending == null ? "nothing" : String.join(" ", pending));
            assertThat(pending).as("store differs from the acknowledged log with nothing in flight (%s): %s",
                    context, describeDifference(model, actual)).isNotNull();
            TreeMap<Long, Long> withPending = new TreeMap<>(model);
            apply(withPending, pending);
            assertThat(actual.equals(withPending)).as("store is neither the acknowledged log nor that log plus the "
                    + "whole operation in flight (%s): %s", context, describeDifference(withPending, actual)).isTrue();
            inFlightApplied++;
            model = withPending;
        }

        private static void apply(TreeMap<Long, Long> log, String[] op) {
            long a = Long.parseLong(op[op.length - 2]);
            long b = Long.parseLong(op[op.length - 1]);
            switch (op[1]) {
                case "STORE" -> {
                    long batchId = Long.parseLong(op[2]);
                    for (long i = a; i <= b; i++) {
                        log.put(i, batchId);
                    }
                }
                case "COMPACT", "TRUNCATE" -> log.subMap(a, true, b, true).clear();
                default -> throw new AssertionError("unknown operation " + String.join(" ", op));
            }
        }

        private static String describeDifference(Map<Long, Long> expected, Map<Long, Long> actual) {
            TreeMap<Long, Long> e = new TreeMap<>(expected);
            TreeMap<Long, Long> a = new TreeMap<>(actual);
            List<String> out = new ArrayList<>();
            out.add("expected " + range(e) + ", found " + range(a));
            for (Map.Entry<Long, Long> x : e.entrySet()) {
                Long found = a.get(x.getKey());
                if (!x.getValue().equals(found)) {
                    out.add("index " + x.getKey() + ": expected batch " + x.getValue() + ", found " + found);
                    if (out.size() > 5) {
                        break;
                    }
                }
            }
            return String.join("; ", out);
        }

        private static String range(TreeMap<Long, Long> log) {
            return log.isEmpty() ? "empty" : log.firstKey() + ".." + log.lastKey() + " (" + log.size() + " entries)";
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Complete lines from a stream; a last line cut off by the kill (no newline) is not a line. */
    private static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        Lines(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String line = current.toString(StandardCharsets.UTF_8);
                    current.reset();
                    return line;
                }
                current.write(b);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
