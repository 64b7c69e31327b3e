package io.flotilla.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs hashicorp/raft's side of a comparison: gopeer's bench mode ({@code ../shared/gopeer/README.md} §4) as a
 * child process with the same cluster size, clients, payload, duration and warm-up, and the store that plays the
 * same role ({@code bolt} for RocksDB, {@code inmem} for memory), then reads its {@code --json} line into a
 * {@link BenchResult} (milliseconds converted to microseconds; gopeer reports no p99.9). gopeer checks no
 * replication itself; its {@code follower_last_index_min} is the evidence.
 */
final class GoPeerBench {
    /** How long gopeer may take beyond its warm-up and measured window (startup, election, teardown). */
    private static final Duration SLACK = Duration.ofSeconds(120);
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"([a-z0-9_]+)\":(-?[0-9.eE+-]+)");
    private static final Pattern STRING_FIELD = Pattern.compile("\"([a-z0-9_]+)\":\"([^\"]*)\"");

    private GoPeerBench() {
    }

    /**
     * Finds the gopeer binary: {@code explicit} if given, else {@code $GOPEER_BIN}, else the last stdout line of
     * {@code shared/gopeer/build.sh} (which builds it when needed), looked for next to this checkout.
     */
    static Path locate(Optional<Path> explicit, PrintStream log) throws IOException, InterruptedException {
        if (explicit.isPresent()) {
            return requireExecutable(explicit.get(), "--gopeer");
        }
        String env = System.getenv("GOPEER_BIN");
        if (env != null && !env.isBlank()) {
            return requireExecutable(Path.of(env), "GOPEER_BIN");
        }
        Path build = findBuildScript().orElseThrow(() -> new IOException(
                "cannot find gopeer: pass --gopeer PATH, set GOPEER_BIN, or run from a checkout next to "
                        + "../shared/gopeer/build.sh"));
        log.println("flotilla: building gopeer with " + build + " (skipped when up to date)");
        Process p = new ProcessBuilder(build.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    last = line.trim();
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || last == null) {
            throw new IOException(build + " failed (exit " + exit + ")");
        }
        return requireExecutable(Path.of(last), build.toString());
    }

    private static Path requireExecutable(Path p, String from) throws IOException {
        if (!Files.isExecutable(p)) {
            throw new IOException("gopeer binary from " + from + " is not an executable file: " + p);
        }
        return p;
    }

    /**
     * {@code shared/gopeer/build.sh} beside the checkout: {@code ../shared} of the checkout that holds this jar
     * ({@code bench/target/flotilla-bench-app.jar} or {@code bench/target/classes}), the
     * {@code flotilla.shared.dir} system property the build sets for tests, or {@code shared} beside the working
     * directory or one of its parents.
     */
    static Optional<Path> findBuildScript() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("flotilla.shared.dir");
        if (prop != null) {
            candidates.add(Path.of(prop));
        }
        try {
            Path code = Path.of(GoPeerBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // <checkout>/bench/target/<jar or classes>, and the shared folder is <checkout>/../shared
            Path checkout = code;
            for (int up = 0; up < 3 && checkout != null; up++) {
                checkout = checkout.getParent();
            }
            if (checkout != null && checkout.getParent() != null) {
                candidates.add(checkout.resolveSibling("shared"));
            }
        } catch (URISyntaxException | RuntimeException e) {
            // No code source (unusual class loader): rely on the other places.
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            candidates.add(d.resolve("shared"));
            if (d.getParent() != null) {
                candidates.add(d.getParent().resolve("shared"));
            }
        }
        for (Path shared : candidates) {
            Path script = shared.resolve("gopeer").resolve("build.sh");
            if (Files.isRegularFile(script)) {
                return Optional.of(script.toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
    }

    /** The gopeer command line for one run with these settings. */
    static List<String> command(Path gopeer, FlotillaBench.Settings s) {
        return List.of(gopeer.toString(), "bench", "--store", s.store().goStore, "--nodes", String.valueOf(s.nodes()),
                "--payload", String.valueOf(s.payload()), "--concurrency", String.valueOf(s.clients()), "--duration",
                s.duration().toMillis() + "ms", "--warmup", s.warmup().toMillis() + "ms", "--apply-timeout",
                s.applyTimeout().toMillis() + "ms", "--json");
    }

    /**
     * Runs gopeer once and returns its figures. Its stderr (hclog at ERROR) passes through; the process is killed
     * if it overruns or if this JVM exits first.
     */
    static FlotillaBench.Outcome run(Path gopeer, FlotillaBench.Settings s, int runNumber, PrintStream log)
            throws IOException, InterruptedException {
        List<String> cmd = command(gopeer, s);
        log.println("hashicorp: run " + runNumber + ": " + String.join(" ", cmd));
        // Over gopeer's whole life, not just its measured window (which only gopeer itself can see).
        ProcessCpu processesBefore = ProcessCpu.now();
        CpuSample ourBefore = CpuSample.now();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread killer = new Thread(p::destroyForcibly, "gopeer-kill");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            p.getOutputStream().close();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long limit = s.warmup().plus(s.duration()).plus(SLACK).toMillis();
            if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
                throw new IOException("gopeer bench did not finish within " + limit / 1000 + " s; killed");
            }
            String out;
            try {
                out = stdout.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IOException("reading gopeer's output: " + e, e);
            }
            if (p.exitValue() != 0) {
                throw new IOException("gopeer bench exited with " + p.exitValue() + "; stdout: " + out.strip());
            }
            String json = lastJsonLine(out).orElseThrow(
                    () -> new IOException("gopeer bench printed no JSON line; stdout: " + out.strip()));
            BenchResult r = parse(json, s, runNumber);
            // This JVM should be idle meanwhile (it counts among gopeer's "others"); say so if it was not.
            double ours = ourBefore.until(CpuSample.now()).ownCores();
            if (ours > 0.02) {
                log.printf(java.util.Locale.ROOT, "hashicorp: run %d: note: this JVM used %.2f cores while gopeer ran%n",
                        runNumber, ours);
            }
            List<String> problems = new ArrayList<>();
            if (r.errors() > 0) {
                problems.add(r.errors() + " applies failed");
            }
            return new FlotillaBench.Outcome(r, problems,
                    processesBefore.topOthers(ProcessCpu.now(), java.util.Set.of(p.pid()), 5));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs anyway.
            }
        }
    }

    private static Optional<String> lastJsonLine(String out) {
        String found = null;
        for (String line : out.split("\n")) {
            String t = line.trim();
            if (t.startsWith("{") && t.endsWith("}")) {
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Reads gopeer's flat JSON result ({@code ops_per_s}, {@code p50_ms}, ..., {@code others_cpu_cores}). Only
     * numbers and plain strings occur in it, so two patterns are enough.
     */
    static BenchResult parse(String json, FlotillaBench.Settings s, int runNumber) throws IOException {
        java.util.Map<String, Double> num = new java.util.HashMap<>();
        java.util.Map<String, String> str = new java.util.HashMap<>();
        Matcher m = NUMBER_FIELD.matcher(json);
        while (m.find()) {
            num.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        m = STRING_FIELD.matcher(json);
        while (m.find()) {
            str.put(m.group(1), m.group(2));
        }
        for (String required : List.of("ops", "ops_per_s", "p50_ms", "p99_ms", "max_ms", "duration_s")) {
            if (!num.containsKey(required)) {
                throw new IOException("gopeer's result lacks " + required + ": " + json);
            }
        }
        return new BenchResult(BenchResult.HASHICORP, str.getOrDefault("store", s.store().goStore),
                num.getOrDefault("nodes", (double) s.nodes()).intValue(),
                num.getOrDefault("concurrency", (double) s.clients()).intValue(),
                num.getOrDefault("payload_bytes", (double) s.payload()).intValue(), s.duration().toMillis() / 1000.0,
                num.get("duration_s"), num.get("ops").longValue(), num.getOrDefault("errors", 0.0).longValue(),
                num.get("ops_per_s"), ms(num, "mean_ms"), ms(num, "p50_ms"), ms(num, "p90_ms"), ms(num, "p99_ms"),
                Double.NaN, ms(num, "max_ms"), num.getOrDefault("own_cpu_cores", Double.NaN),
                num.getOrDefault("others_cpu_cores", Double.NaN), num.getOrDefault("steal_cpu_cores", Double.NaN),
                str.getOrDefault("loadavg_1m_end", ""), num.getOrDefault("leader_last_index", 0.0).longValue(),
                num.getOrDefault("follower_last_index_min", 0.0).longValue(), runNumber);
    }

    private static double ms(java.util.Map<String, Double> num, String key) {
        Double v = num.get(key);
        return v == null ? Double.NaN : v * 1000.0;
    }
}
