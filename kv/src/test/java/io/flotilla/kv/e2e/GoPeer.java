package io.flotilla.kv.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Go reference node (a real hashicorp/raft 1.1.2 node serving the same contract): {@code GOPEER_BIN}
 * when CI has built it, else the binary {@code ../shared/gopeer/build.sh} builds (its last stdout line). Empty,
 * with the reason, when neither works, so tests that need it skip with a clear message.
 */
final class GoPeer {
    private static Optional<Path> binary;
    private static String whyNot = "";

    private GoPeer() {
    }

    /** The binary, built on first use. */
    static synchronized Optional<Path> binary() {
        if (binary == null) {
            binary = locate();
        }
        return binary;
    }

    /** Why {@link #binary()} is empty. */
    static synchronized String whyNot() {
        binary();
        return "Go reference node (gopeer) unavailable: " + whyNot;
    }

    private static Optional<Path> locate() {
        String env = System.getenv("GOPEER_BIN");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        // The build sets flotilla.shared.dir (the checkout's sibling ../shared); kv/ is the working directory.
        Path script = Path.of(System.getProperty("flotilla.shared.dir", "../../shared"), "gopeer", "build.sh");
        if (!Files.isExecutable(script)) {
            whyNot = "GOPEER_BIN is not set and " + script.toAbsolutePath() + " does not exist";
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        last = line.strip();
                    }
                }
            }
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || last == null) {
                whyNot = script + " failed (exit " + (p.isAlive() ? "?" : p.exitValue()) + ")";
                p.destroyForcibly();
                return Optional.empty();
            }
            Path bin = Path.of(last);
            if (!Files.isExecutable(bin)) {
                whyNot = script + " printed " + last + ", which is not an executable";
                return Optional.empty();
            }
            return Optional.of(bin);
        } catch (IOException e) {
            whyNot = "running " + script + ": " + e.getMessage();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot = "interrupted";
            return Optional.empty();
        }
    }
}
