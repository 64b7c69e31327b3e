package io.flotilla.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The outcome of one measured run of one system (Flotilla, or hashicorp/raft through gopeer), or the median of
 * several. Latencies are in microseconds; a figure a system does not report (gopeer has no p99.9) is
 * {@link Double#NaN} and printed as {@code n/a}.
 *
 * @param system               {@code flotilla} or {@code hashicorp}
 * @param store                the store as that system names it ({@code rocksdb}, {@code memory}, {@code bolt},
 *                             {@code inmem})
 * @param nodes                cluster size
 * @param clients              concurrent clients
 * @param payload              entry size in bytes
 * @param seconds              the requested measurement duration
 * @param elapsedSeconds       the measured window, from the start until the last client's last apply completed
 * @param ops                  successful applies in the window
 * @param errors               failed applies in the window
 * @param opsPerSecond         {@code ops / elapsedSeconds}
 * @param meanUs               mean latency
 * @param p50Us                median latency
 * @param p90Us                90th percentile
 * @param p99Us                99th percentile
 * @param p999Us               99.9th percentile
 * @param maxUs                largest latency
 * @param ownCpuCores          CPU used by the benchmarking process during the window, in cores
 * @param othersCpuCores       CPU used by every other process during the window, in cores: the noise indicator
 * @param stealCpuCores        CPU stolen by the hypervisor during the window, in cores
 * @param loadAverage1m        the 1-minute load average at the end, as text
 * @param leaderLastIndex      the leader's last log index at the end of the window
 * @param followerLastIndexMin the lowest last log index among the followers at the same moment
 * @param run                  the run number from 1, or 0 for a median over runs
 */
public record BenchResult(String system, String store, int nodes, int clients, int payload, double seconds,
                          double elapsedSeconds, long ops, long errors, double opsPerSecond, double meanUs,
                          double p50Us, double p90Us, double p99Us, double p999Us, double maxUs, double ownCpuCores,
                          double othersCpuCores, double stealCpuCores, String loadAverage1m, long leaderLastIndex,
                          long followerLastIndexMin, int run) {

    /** Our system's name in the output. */
    public static final String FLOTILLA = "flotilla";
    /** The reference system's name in the output. */
    public static final String HASHICORP = "hashicorp";

    /** This result with another run number. */
    public BenchResult withRun(int newRun) {
        return new BenchResult(system, store, nodes, clients, payload, seconds, elapsedSeconds, ops, errors,
                opsPerSecond, meanUs, p50Us, p90Us, p99Us, p999Us, maxUs, ownCpuCores, othersCpuCores, stealCpuCores,
                loadAverage1m, leaderLastIndex, followerLastIndexMin, newRun);
    }

    /**
     * The one-line summary: {@code system=… store=… nodes=… clients=… payload=… seconds=… ops=… ops_per_s=…
     * p50_us=… p99_us=… p999_us=… max_us=…}, then the extra figures ({@code errors}, {@code p90_us},
     * {@code mean_us}, CPU, replication) and {@code run=N} (or {@code run=median}).
     */
    public String line() {
        return "system=" + system + " store=" + store + " nodes=" + nodes + " clients=" + clients + " payload="
                + payload + " seconds=" + number(seconds) + " ops=" + ops + " ops_per_s=" + fixed(opsPerSecond, 1)
                + " p50_us=" + fixed(p50Us, 1) + " p99_us=" + fixed(p99Us, 1) + " p999_us=" + fixed(p999Us, 1)
                + " max_us=" + fixed(maxUs, 1) + " errors=" + errors + " p90_us=" + fixed(p90Us, 1) + " mean_us="
                + fixed(meanUs, 1) + " own_cpu=" + fixed(ownCpuCores, 2) + " others_cpu=" + fixed(othersCpuCores, 2)
                + " steal_cpu=" + fixed(stealCpuCores, 2) + " leader_last_index=" + leaderLastIndex
                + " follower_last_index_min=" + followerLastIndexMin + " run=" + (run == 0 ? "median" : run);
    }

    /** The same figures as one JSON object (snake_case names like gopeer's; {@code null} for n/a). */
    public String json() {
        return "{\"system\":\"" + system + "\",\"store\":\"" + store + "\",\"nodes\":" + nodes + ",\"clients\":"
                + clients + ",\"payload_bytes\":" + payload + ",\"seconds\":" + number(seconds) + ",\"elapsed_s\":"
                + jsonNumber(elapsedSeconds, 3) + ",\"ops\":" + ops + ",\"errors\":" + errors + ",\"ops_per_s\":"
                + jsonNumber(opsPerSecond, 1) + ",\"mean_us\":" + jsonNumber(meanUs, 1) + ",\"p50_us\":"
                + jsonNumber(p50Us, 1) + ",\"p90_us\":" + jsonNumber(p90Us, 1) + ",\"p99_us\":" + jsonNumber(p99Us, 1)
                + ",\"p999_us\":" + jsonNumber(p999Us, 1) + ",\"max_us\":" + jsonNumber(maxUs, 1)
                + ",\"own_cpu_cores\":" + jsonNumber(ownCpuCores, 3) + ",\"others_cpu_cores\":"
                + jsonNumber(othersCpuCores, 3) + ",\"steal_cpu_cores\":" + jsonNumber(stealCpuCores, 3)
                + ",\"loadavg_1m_end\":\"" + loadAverage1m + "\",\"leader_last_index\":" + leaderLastIndex
                + ",\"follower_last_index_min\":" + followerLastIndexMin + ",\"run\":"
                + (run == 0 ? "\"median\"" : String.valueOf(run)) + "}";
    }

    /**
     * The median of each figure over {@code runs} (the mean of the middle two for an even count), labelled
     * {@code run=0}. Figures are taken independently, so the median p99 need not come from the median-ops run.
     */
    public static BenchResult median(List<BenchResult> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        BenchResult f = runs.get(0);
        return new BenchResult(f.system, f.store, f.nodes, f.clients, f.payload, f.seconds,
                median(runs, BenchResult::elapsedSeconds), Math.round(median(runs, r -> r.ops)),
                Math.round(median(runs, r -> r.errors)), median(runs, BenchResult::opsPerSecond),
                median(runs, BenchResult::meanUs), median(runs, BenchResult::p50Us), median(runs, BenchResult::p90Us),
                median(runs, BenchResult::p99Us), median(runs, BenchResult::p999Us), median(runs, BenchResult::maxUs),
                median(runs, BenchResult::ownCpuCores), median(runs, BenchResult::othersCpuCores),
                median(runs, BenchResult::stealCpuCores), runs.get(runs.size() - 1).loadAverage1m,
                Math.round(median(runs, r -> r.leaderLastIndex)), Math.round(median(runs, r -> r.followerLastIndexMin)),
                0);
    }

    /** The median of one figure; NaN when any run lacks it. */
    static double median(List<BenchResult> runs, ToDoubleFunction<BenchResult> figure) {
        List<Double> values = new ArrayList<>();
        for (BenchResult r : runs) {
            double v = figure.applyAsDouble(r);
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            values.add(v);
        }
        values.sort(Comparator.naturalOrder());
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String jsonNumber(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A duration in seconds without a needless fraction: {@code 10}, {@code 0.5}. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.valueOf(v);
    }
}
