package io.flotilla.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Runs {@code ./flotilla bench} for about a second, end to end in this JVM: a real 3-node cluster over TCP. It
 * checks the output format and that work was done and replicated, never how fast; speed is not asserted in tests.
 */
class BenchCommandSmokeTest {
    private static final Pattern LINE = Pattern.compile("system=flotilla store=memory nodes=3 clients=4 payload=100 "
            + "seconds=1 ops=(\\d+) ops_per_s=(\\d+\\.\\d) p50_us=(\\d+\\.\\d) p99_us=(\\d+\\.\\d) "
            + "p999_us=(\\d+\\.\\d) max_us=(\\d+\\.\\d) errors=0 .*leader_last_index=(\\d+) "
            + "follower_last_index_min=(\\d+) run=1");

    private record Run(int exit, String out, String err) {
    }

    private static Run bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void one_second_memory_run_prints_one_well_formed_line() {
        Run r = bench("--store", "memory", "--nodes", "3", "--clients", "4", "--payload", "100", "--seconds", "1",
                "--warmup", "0", "--quiet-wait", "0");

        assertThat(r.exit()).as("exit status; stderr:%n%s", r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1);
        Matcher m = LINE.matcher(lines.get(0));
        assertThat(m.matches()).as("line format: %s", lines.get(0)).isTrue();
        long ops = Long.parseLong(m.group(1));
        assertThat(ops).isPositive();
        assertThat(Double.parseDouble(m.group(3))).as("p50 <= p99").isLessThanOrEqualTo(Double.parseDouble(m.group(4)));
        assertThat(Double.parseDouble(m.group(4))).as("p99 <= max").isLessThanOrEqualTo(Double.parseDouble(m.group(6)));
        // bootstrap configuration + leader's no-op + barrier + warm-up (none) + the measured applies
        assertThat(Long.parseLong(m.group(7))).isGreaterThanOrEqualTo(ops + 3);
        assertThat(Long.parseLong(m.group(8))).as("followers received entries").isPositive();
    }

    @Test
    void json_output_and_medians_over_runs() {
        Run r = bench("--store", "memory", "--clients", "2", "--seconds", "0.3", "--warmup", "0", "--quiet-wait", "0",
                "--runs", "2", "--json");

        assertThat(r.exit()).as("exit status; stderr:%n%s", r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("{\"system\":\"flotilla\",\"store\":\"memory\"").contains("\"run\":1}");
        assertThat(lines.get(1)).contains("\"run\":2}");
        assertThat(lines.get(2)).contains("\"run\":\"median\"}").contains("\"others_cpu_cores\":");
    }

    @Test
    void bad_arguments_exit_2() {
        assertThat(bench("--store", "bolt").exit()).isEqualTo(2);
        assertThat(bench("--clients", "0").exit()).isEqualTo(2);
    }

    @Test
    void compare_go_runs_gopeer_in_the_same_format() {
        Path gopeer = Path.of(System.getenv().getOrDefault("GOPEER_BIN", "/tmp/flotilla-gopeer/bin/gopeer"));
        assumeThat(Files.isExecutable(gopeer)).as("gopeer binary (set GOPEER_BIN or build shared/gopeer)").isTrue();

        Run r = bench("--store", "memory", "--clients", "2", "--seconds", "0.5", "--warmup", "0", "--quiet-wait", "0",
                "--compare-go", "--gopeer", gopeer.toString());

        assertThat(r.exit()).as("exit status; stderr:%n%s", r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("system=flotilla store=memory ");
        assertThat(lines.get(1)).startsWith("system=hashicorp store=inmem nodes=3 clients=2 payload=100 seconds=0.5 ops=")
                .contains(" p999_us=n/a ");
        assertThat(lines.get(2)).startsWith("ratio=flotilla/hashicorp store=memory/inmem nodes=3 clients=2 payload=100 "
                + "runs=1 ops_per_s_ratio=");
        assertThat(Arrays.stream(lines.get(1).split(" ")).filter(f -> f.startsWith("ops=")).findFirst().orElseThrow())
                .isNotEqualTo("ops=0");
    }
}
