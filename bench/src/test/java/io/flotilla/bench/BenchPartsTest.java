package io.flotilla.bench;

import io.flotilla.kv.KvCommand;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The pieces of the cluster benchmark that can be checked without a cluster. */
class BenchPartsTest {
    @Test
    void payload_is_gopeers_set_entry_padded_to_the_exact_size() throws Exception {
        assertThat(BenchPayload.text(3, 60)).isEqualTo("{\"op\":\"set\",\"key\":\"bench/3\",\"value\":\"xxxxxxxxxxxxxxxxxxxxx\"}");
        for (int client : new int[] {0, 9, 10, 63}) {
            for (int size : new int[] {41, 100, 1024}) {
                byte[] e = BenchPayload.entry(client, size);
                assertThat(e).hasSize(size);
                KvCommand c = KvCommand.decode(e);
                assertThat(c.key()).isEqualTo("bench/" + client);
            }
        }
    }

    @Test
    void payload_too_small_for_an_entry_is_filler_like_gopeers() {
        assertThat(BenchPayload.text(0, 39)).isEqualTo("x".repeat(39));
        assertThat(BenchPayload.isFiller(39)).isTrue();
        assertThat(BenchPayload.isFiller(40)).isFalse();
        assertThat(BenchPayload.text(10, 40)).isEqualTo("x".repeat(40)); // a two-digit client needs 40 + 1
    }

    @Test
    void gopeer_json_is_read_in_microseconds() throws Exception {
        String json = "{\"store\":\"bolt\",\"nodes\":3,\"payload_bytes\":100,\"concurrency\":64,\"duration_s\":10.0012,"
                + "\"ops\":52000,\"errors\":1,\"ops_per_s\":5199.3,\"mean_ms\":12.25,\"p50_ms\":11.5,\"p90_ms\":15,"
                + "\"p99_ms\":21.125,\"max_ms\":48.5,\"leader_last_index\":60000,\"follower_last_index_min\":59990,"
                + "\"gomaxprocs\":2,\"own_cpu_cores\":1.5,\"others_cpu_cores\":0.12,\"steal_cpu_cores\":0,"
                + "\"loadavg_1m_end\":\"1.25\"}";
        FlotillaBench.Settings s = new FlotillaBench.Settings(3, 64, 100, Duration.ofSeconds(10), Duration.ofSeconds(1),
                FlotillaBench.Store.ROCKSDB, Duration.ofSeconds(10));

        BenchResult r = GoPeerBench.parse(json, s, 2);

        assertThat(r.line()).isEqualTo("system=hashicorp store=bolt nodes=3 clients=64 payload=100 seconds=10 ops=52000 "
                + "ops_per_s=5199.3 p50_us=11500.0 p99_us=21125.0 p999_us=n/a max_us=48500.0 errors=1 p90_us=15000.0 "
                + "mean_us=12250.0 own_cpu=1.50 others_cpu=0.12 steal_cpu=0.00 leader_last_index=60000 "
                + "follower_last_index_min=59990 run=2");
        assertThat(r.json()).contains("\"p999_us\":null");
    }

    @Test
    void gopeer_command_matches_the_settings() {
        FlotillaBench.Settings s = new FlotillaBench.Settings(3, 64, 100, Duration.ofSeconds(10),
                Duration.ofMillis(1500), FlotillaBench.Store.MEMORY, Duration.ofSeconds(10));
        assertThat(GoPeerBench.command(java.nio.file.Path.of("/bin/gopeer"), s)).containsExactly("/bin/gopeer", "bench",
                "--store", "inmem", "--nodes", "3", "--payload", "100", "--concurrency", "64", "--duration", "10000ms",
                "--warmup", "1500ms", "--apply-timeout", "10000ms", "--json");
    }

    @Test
    void medians_and_ratios() {
        BenchResult a = result(BenchResult.FLOTILLA, 1000, 900, 1);
        BenchResult b = result(BenchResult.FLOTILLA, 3000, 300, 2);
        BenchResult m = BenchResult.median(List.of(a, b));
        assertThat(m.opsPerSecond()).isEqualTo(2000);
        assertThat(m.p99Us()).isEqualTo(600);
        assertThat(m.run()).isZero();
        assertThat(m.line()).endsWith(" run=median");
        BenchResult g = BenchResult.median(List.of(result(BenchResult.HASHICORP, 500, 1200, 1)));
        assertThat(BenchCommand.ratioLine(m, g, 2, 0)).startsWith("ratio=flotilla/hashicorp store=memory/memory nodes=3 "
                + "clients=1 payload=100 runs=2 ops_per_s_ratio=4.00 p99_ratio=0.50 ");
        assertThat(BenchResult.median(List.of(a, b, result(BenchResult.FLOTILLA, 10, 5, 3))).opsPerSecond())
                .isCloseTo(1000, within(1e-9));
    }

    private static BenchResult result(String system, double opsPerSecond, double p99, int run) {
        return new BenchResult(system, "memory", 3, 1, 100, 10, 10, (long) (opsPerSecond * 10), 0, opsPerSecond, 1, 1, 1,
                p99, Double.NaN, p99 * 2, 1, 0, 0, "", 10, 10, run);
    }

    @Test
    void cpu_samples_give_non_negative_cores() throws Exception {
        CpuSample a = CpuSample.now();
        long spin = System.nanoTime() + 50_000_000;
        long x = 0;
        while (System.nanoTime() < spin) {
            x++;
        }
        CpuSample.Usage u = a.until(CpuSample.now());
        assertThat(x).isPositive();
        assertThat(u.ownCores()).isPositive();
        assertThat(u.othersCores()).isGreaterThanOrEqualTo(0);
    }
}
