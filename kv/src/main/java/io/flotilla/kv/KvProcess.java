package io.flotilla.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node of the service running as its own process — a Java {@code serve} or any program that keeps the same
 * contract, such as the Go reference node — as the demo and the end-to-end tests run them: started, waited for
 * until it prints its ready line, then killed with SIGKILL or stopped with SIGTERM. Its stderr goes to a log file.
 */
public final class KvProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String id;
    private final String raftAddr;
    private final String httpAddr;

    private KvProcess(Process process, Path log, Map<String, Object> ready) {
        this.process = process;
        this.log = log;
        this.id = String.valueOf(ready.get("id"));
        this.raftAddr = String.valueOf(ready.get("raft_addr"));
        this.httpAddr = String.valueOf(ready.get("http_addr"));
    }

    /**
     * The command that runs {@code mainClass} with {@code args} in a new JVM with this JVM's class path: from the
     * app jar that is the app jar, under a test runner the module's classes and dependencies.
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small, fast-starting JVMs: a node needs little heap, and a test or demo starts several on few cores.
        cmd.add("-Xms32m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** The command for a Java {@code serve} node with these flags. */
    public static List<String> serveCommand(List<String> flags) {
        return javaCommand(ServeCommand.class.getName(), flags);
    }

    /**
     * Starts a node and waits for its ready line.
     *
     * @param command      the command line
     * @param log          where its stderr goes (appended, so a restarted node keeps one log)
     * @param readyTimeout how long to wait for the ready line
     * @throws IOException if it cannot start, exits, or is not ready in time (it is killed then); the message
     *                     ends with the log's last lines
     */
    public static KvProcess start(List<String> command, Path log, Duration readyTimeout) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line = r.readLine();
                firstLine.complete(line);
                // Keep draining so the node can never block on a full pipe.
                while (r.readLine() != null) {
                    // the contract says the ready line is the only output; ignore anything else
                }
            } catch (IOException e) {
                firstLine.completeExceptionally(e);
            }
        }, "kv-process-stdout-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = firstLine.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("no ready line within " + readyTimeout + ": " + command + tail(log, 20));
        } catch (ExecutionException | InterruptedException e) {
            p.destroyForcibly();
            throw new IOException("reading the ready line failed: " + e + tail(log, 20));
        }
        if (line == null) {
            waitQuietly(p);
            throw new IOException("exited with code " + exitCode(p) + " before it was ready: " + command
                    + tail(log, 20));
        }
        Map<String, Object> ready;
        try {
            ready = JsonReader.object(line);
        } catch (IllegalArgumentException e) {
            p.destroyForcibly();
            throw new IOException("not a ready line: " + line);
        }
        if (!"ready".equals(ready.get("event"))) {
            p.destroyForcibly();
            throw new IOException("not a ready line: " + line);
        }
        return new KvProcess(p, log, ready);
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String exitCode(Process p) {
        return p.isAlive() ? "?" : Integer.toString(p.exitValue());
    }

    /** The server id from the ready line. */
    public String id() {
        return id;
    }

    /** The Raft address from the ready line. */
    public String raftAddr() {
        return raftAddr;
    }

    /** The HTTP address from the ready line. */
    public String httpAddr() {
        return httpAddr;
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The stderr log. */
    public Path log() {
        return log;
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM, then waits up to {@code timeout} for the process to exit (and kills it if it does not).
     *
     * @return the exit code, or -1 if it had to be killed
     */
    public int terminate(Duration timeout) {
        process.destroy();
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        return -1;
    }

    /** The last lines of the log, for failure messages. */
    public String logTail(int lines) {
        return tail(log, lines);
    }

    private static String tail(Path log, int lines) {
        try {
            byte[] b = Files.readAllBytes(log);
            int from = Math.max(0, b.length - 64 * 1024);
            List<String> all = List.of(new String(b, from, b.length - from, StandardCharsets.UTF_8).split("\n"));
            return "\n--- last lines of " + log + ":\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "\n(no log at " + log + ")";
        }
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return id + " (pid " + pid() + ", raft " + raftAddr + ", http " + httpAddr + ")";
    }
}
