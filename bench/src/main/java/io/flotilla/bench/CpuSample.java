package io.flotilla.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU counters at one instant, taken the way gopeer's bench mode takes them ({@code sampleCPU} in bench.go), so
 * that both systems report comparable noise figures: busy and steal time of the whole machine from the first line
 * of {@code /proc/stat} (user + nice + system + irq + softirq, in USER_HZ = 100 ticks per second) and the CPU time
 * of this process. Two samples bracket a measured window; {@link #until} turns them into cores used.
 *
 * <p>Off Linux, where {@code /proc/stat} is missing, the machine figures are 0 and only our own CPU is known.
 *
 * @param busySeconds  busy CPU seconds of the whole machine since boot
 * @param stealSeconds CPU seconds stolen by the hypervisor since boot
 * @param ownSeconds   CPU seconds used by this process (all threads) since it started
 * @param nanoTime     {@link System#nanoTime()} when taken
 */
public record CpuSample(double busySeconds, double stealSeconds, double ownSeconds, long nanoTime) {
    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");
    private static final double USER_HZ = 100;

    /**
     * CPU used between two samples, in cores (2.0 = both cores of a 2-core machine busy for the whole window).
     *
     * @param ownCores    this process
     * @param othersCores every other process on the machine: the noise indicator
     * @param stealCores  time the hypervisor gave to other guests
     */
    public record Usage(double ownCores, double othersCores, double stealCores) {
    }

    /** Samples the counters now. */
    public static CpuSample now() {
        double busy = 0;
        double steal = 0;
        try {
            List<String> lines = Files.readAllLines(PROC_STAT);
            String[] f = lines.get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            busy = (field(f, 1) + field(f, 2) + field(f, 3) + field(f, 6) + field(f, 7)) / USER_HZ;
            steal = field(f, 8) / USER_HZ;
        } catch (IOException | RuntimeException e) {
            // Not Linux (or no procfs): the machine-wide figures stay 0.
        }
        return new CpuSample(busy, steal, ownCpuSeconds(), System.nanoTime());
    }

    /** The CPU used from this sample until {@code later}. */
    public Usage until(CpuSample later) {
        double wall = (later.nanoTime - nanoTime) / 1e9;
        if (wall <= 0) {
            return new Usage(0, 0, 0);
        }
        double own = later.ownSeconds - ownSeconds;
        double busy = later.busySeconds - busySeconds;
        // The machine counters tick at 10 ms and ours at 1 ns: for a quiet machine the difference can be slightly
        // negative, which means "nothing else ran".
        double others = busySeconds == 0 && later.busySeconds == 0 ? 0 : Math.max(0, busy - own);
        return new Usage(own / wall, others / wall, (later.stealSeconds - stealSeconds) / wall);
    }

    private static double field(String[] f, int i) {
        return i < f.length ? Double.parseDouble(f[i]) : 0;
    }

    /**
     * This process's CPU time: the JVM's own count when it has one (nanosecond resolution), else utime + stime
     * from {@code /proc/self/stat}.
     */
    static double ownCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            if (nanos >= 0) {
                return nanos / 1e9;
            }
        }
        try {
            String stat = Files.readString(PROC_SELF_STAT);
            // The command name (field 2) may contain spaces; the fields after its closing parenthesis are fixed.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ; // utime, stime: fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Measures how busy the rest of the machine is over {@code millis} (the CPU of every process but this one),
     * in cores; used to wait for a quiet machine before a run.
     */
    public static double othersCoresOver(long millis) throws InterruptedException {
        CpuSample a = now();
        Thread.sleep(millis);
        return a.until(now()).othersCores();
    }

    /** The 1-minute load average, as text, or empty when unknown. */
    public static String loadAverage1m() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
