package io.flotilla.kv.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds the gopeer binary (a real hashicorp/raft 1.1.2 node, {@code shared/gopeer}): {@code GOPEER_BIN} if set
 * (CI builds it and exports it), else the result of {@code shared/gopeer/build.sh} (idempotent, offline; 0.1 s
 * when already built). When neither works the interop tests are skipped, with the reason.
 */
final class GoPeer {
    private static volatile Result result;

    /** The binary, or why there is none. */
    record Result(Path binary, String unavailableReason) {
        boolean available() {
            return binary != null;
        }
    }

    private GoPeer() {
    }

    static Result locate() {
        Result r = result;
        if (r == null) {
            synchronized (GoPeer.class) {
                r = result;
                if (r == null) {
                    r = find();
                    result = r;
                }
            }
        }
        return r;
    }

    private static Result find() {
        String env = System.getenv("GOPEER_BIN");
        if (env != null && !env.isBlank()) {
            Path bin = Path.of(env);
            if (!Files.isExecutable(bin)) {
                // Set explicitly but broken: a configuration error, not "Go is unavailable".
                throw new IllegalStateException("GOPEER_BIN=" + env + " is not an executable file");
            }
            return new Result(bin, null);
        }
        Path shared = Path.of(System.getProperty("flotilla.shared.dir", "../shared"));
        Path build = shared.resolve("gopeer").resolve("build.sh");
        if (!Files.isExecutable(build)) {
            return new Result(null, "GOPEER_BIN is not set and " + build.toAbsolutePath().normalize()
                    + " is not there to build gopeer");
        }
        try {
            Path log = Files.createDirectories(Path.of("target", "interop")).resolve("gopeer-build.log");
            Process p = new ProcessBuilder(build.toString())
                    .redirectError(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(null, build + " did not finish within 10 minutes (see " + log + ")");
            }
            List<String> lines = new String(out, StandardCharsets.UTF_8).lines().toList();
            if (p.exitValue() != 0 || lines.isEmpty()) {
                return new Result(null, build + " failed with exit code " + p.exitValue() + ": "
                        + tail(log, 15));
            }
            Path bin = Path.of(lines.get(lines.size() - 1).trim());
            if (!Files.isExecutable(bin)) {
                return new Result(null, build + " printed " + bin + ", which is not executable");
            }
            return new Result(bin, null);
        } catch (IOException e) {
            return new Result(null, "cannot run " + build + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, "interrupted while building gopeer");
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
