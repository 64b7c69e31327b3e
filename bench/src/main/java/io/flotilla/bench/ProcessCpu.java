package io.flotilla.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU time of every process on the machine at one instant, from {@code /proc/<pid>/stat}, so that when a run's
 * {@code others_cpu} is high the report can say who used it: other people's builds, or kernel threads working for
 * the benchmark itself (loopback networking in {@code ksoftirqd}, journal commits in {@code jbd2}, block I/O in
 * {@code kworker}), which {@code /proc/stat} cannot tell apart. Empty off Linux.
 *
 * @param ticks    utime + stime per pid, in USER_HZ ticks
 * @param names    the command name per pid
 * @param nanoTime {@link System#nanoTime()} when taken
 */
record ProcessCpu(Map<Long, Long> ticks, Map<Long, String> names, long nanoTime) {
    private static final double USER_HZ = 100;

    /** Reads every process's counters (a few milliseconds for a few hundred processes). */
    static ProcessCpu now() {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    long pid = Long.parseLong(d.getFileName().toString());
                    ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    names.put(pid, stat.substring(open + 1, close));
                } catch (IOException | RuntimeException e) {
                    // The process ended while we looked: it simply is not counted.
                }
            }
        } catch (IOException | RuntimeException e) {
            // No procfs: nothing to attribute.
        }
        return new ProcessCpu(ticks, names, System.nanoTime());
    }

    /**
     * The processes other than {@code excluded} that used the most CPU from this sample until {@code later}, as
     * {@code name(pid)=cores}, at most {@code limit}, only those above 0.02 cores. Processes that started in between
     * count from zero; their CPU before the window is unknown.
     */
    String topOthers(ProcessCpu later, Set<Long> excluded, int limit) {
        double wall = (later.nanoTime - nanoTime) / 1e9;
        if (wall <= 0) {
            return "";
        }
        List<Map.Entry<Long, Double>> used = new ArrayList<>();
        for (Map.Entry<Long, Long> e : later.ticks.entrySet()) {
            if (excluded.contains(e.getKey())) {
                continue;
            }
            long delta = e.getValue() - ticks.getOrDefault(e.getKey(), 0L);
            double cores = delta / USER_HZ / wall;
            if (cores >= 0.02) {
                used.add(Map.entry(e.getKey(), cores));
            }
        }
        used.sort(Map.Entry.<Long, Double>comparingByValue().reversed());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(limit, used.size()); i++) {
            Map.Entry<Long, Double> e = used.get(i);
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(later.names.get(e.getKey())).append('(').append(e.getKey()).append(")=")
                    .append(String.format(Locale.ROOT, "%.2f", e.getValue()));
        }
        return sb.toString();
    }
}
