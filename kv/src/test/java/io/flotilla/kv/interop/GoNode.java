package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A real hashicorp/raft 1.1.2 node: a {@code gopeer serve} process, driven through its HTTP API. */
final class GoNode implements KvNode {
    private static final Duration READY = Duration.ofSeconds(20);
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Every process still running, killed when the JVM exits whatever happened to the test. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "gopeer-reaper"));
    }

    private final String id;
    private final List<String> command;
    private final boolean durable;
    private final Path log;
    private final String raftAddress;
    private volatile Process process;
    private volatile URI http;

    private GoNode(String id, List<String> command, boolean durable, Process process, Path log, String raftAddress,
                   URI http) {
        this.id = id;
        this.command = command;
        this.durable = durable;
        this.process = process;
        this.log = log;
        this.raftAddress = raftAddress;
        this.http = http;
    }

    /**
     * Starts {@code gopeer serve} and waits for its ready line.
     *
     * @param raftAddress {@code 127.0.0.1:0} for any port (then it cannot be in a bootstrap configuration)
     * @param peers       the bootstrap configuration ({@code id=addr,...}); {@code null} to bootstrap alone; only
     *                    used when {@code bootstrap}
     * @param dataDir     for a durable node (bolt log and file snapshots) that can be restarted; else {@code null}
     */
    static GoNode start(Path binary, String id, String raftAddress, boolean bootstrap, String peers,
                        Settings settings, Path dataDir, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "serve", "--id", id, "--raft-addr",
                raftAddress, "--http-addr", "127.0.0.1:0", "--request-timeout", "5s", "--transport-timeout", "5s"));
        if (dataDir != null) {
            cmd.add("--data-dir");
            cmd.add(dataDir.toString());
        }
        if (bootstrap) {
            cmd.add("--bootstrap");
            if (peers != null) {
                cmd.add("--peers");
                cmd.add(peers);
            }
        }
        cmd.addAll(settings.goFlags());
        Launched l = launch(id, cmd, log);
        return new GoNode(id, cmd, dataDir != null, l.process, log, l.raftAddress, l.http);
    }

    private record Launched(Process process, String raftAddress, URI http) {
    }

    private static Launched launch(String id, List<String> cmd, Path log) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    ready.complete(line);
                }
                ready.completeExceptionally(new IOException("stdout closed before the ready line"));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "gopeer-" + id + "-stdout");
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = ready.get(READY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("gopeer " + id + " did not get ready (" + e + "); command " + cmd
                    + "; its log " + log + ":\n" + GoPeer.tail(log, 30));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        Map<String, Object> m = Json.object(line);
        if (!"ready".equals(m.get("event"))) {
            p.destroyForcibly();
            throw new IllegalStateException("gopeer " + id + " printed " + line + " instead of its ready line");
        }
        return new Launched(p, (String) m.get("raft_addr"), URI.create("http://" + m.get("http_addr")));
    }

    /**
     * Starts a killed durable node again with the same command line (so the same data directory) on the same
     * raft address; it gets a new HTTP port.
     */
    GoNode restart() throws IOException {
        if (!durable || process.isAlive()) {
            throw new IllegalStateException(this + " is running or not durable");
        }
        List<String> cmd = new ArrayList<>(command);
        cmd.set(cmd.indexOf("--raft-addr") + 1, raftAddress);
        Launched l = launch(id, cmd, log);
        process = l.process;
        http = l.http;
        return this;
    }

    Path log() {
        return log;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String raftAddress() {
        return raftAddress;
    }

    @Override
    public String kind() {
        return "go";
    }

    Map<String, Object> status() {
        return Json.object(call("GET", "/status", null, 200));
    }

    @Override
    public String state() {
        return (String) status().get("state");
    }

    @Override
    public String leaderAddress() {
        return (String) status().get("leader_addr");
    }

    @Override
    public KvFsm.Digest digest() {
        Map<String, Object> m = Json.object(call("GET", "/fsm", null, 200));
        return new KvFsm.Digest(((Long) m.get("keys")).intValue(), (Long) m.get("applied_index"),
                (String) m.get("sha256"));
    }

    @Override
    public long lastSnapshotIndex() {
        return (Long) status().get("last_snapshot_index");
    }

    @Override
    public long restores() {
        return (Long) Json.object(call("GET", "/fsm?dump=1", null, 200)).get("restores");
    }

    @Override
    public String dump() {
        return String.valueOf(new java.util.TreeMap<>(
                (Map<?, ?>) Json.object(call("GET", "/fsm?dump=1", null, 200)).get("data")));
    }

    @Override
    public Write put(String key, String value) {
        String body = call("PUT", "/kv/" + pathEscape(key), value.getBytes(StandardCharsets.UTF_8), 200);
        return new Write((Long) Json.object(body).get("index"), body);
    }

    @Override
    public Write apply(byte[] entry) {
        String body = call("POST", "/apply", entry, 200);
        Map<String, Object> m = Json.object(body);
        // Keep the result exactly as Go rendered it: the text between "result": and the closing brace.
        int at = body.indexOf("\"result\":");
        String result = body.substring(at + "\"result\":".length(), body.lastIndexOf('}')).trim();
        return new Write((Long) m.get("index"), result);
    }

    @Override
    public long addVoter(KvNode node) {
        return (Long) Json.object(call("POST", "/cluster/join?id=" + query(node.id()) + "&addr="
                + query(node.raftAddress()), null, 200)).get("index");
    }

    @Override
    public long addNonvoter(KvNode node) {
        return (Long) Json.object(call("POST", "/cluster/join?voter=false&id=" + query(node.id()) + "&addr="
                + query(node.raftAddress()), null, 200)).get("index");
    }

    @Override
    public long removeServer(String serverId) {
        return (Long) Json.object(call("POST", "/cluster/remove?id=" + query(serverId), null, 200)).get("index");
    }

    @Override
    public void transferLeadershipTo(KvNode node) {
        transferLeadershipTo(node, false);
    }

    /** With {@code force}, gopeer lets raft send TimeoutNow even to a non-voter. */
    void transferLeadershipTo(KvNode node, boolean force) {
        call("POST", "/cluster/transfer?id=" + query(node.id()) + "&addr=" + query(node.raftAddress())
                + (force ? "&force=true" : ""), null, 200);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> configuration() {
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) status().get("configuration")) {
            Map<String, Object> s = (Map<String, Object>) o;
            out.add(s.get("id") + "=" + s.get("address") + "/" + s.get("suffrage"));
        }
        return out;
    }

    /** Linearizable read of one key (gopeer commits a barrier first); {@code null} when absent. */
    String get(String key) {
        return read("/kv/" + pathEscape(key));
    }

    /** Stale read of one key from the local state; empty string and {@code null} differ. */
    String staleGet(String key) {
        return read("/kv/" + pathEscape(key) + "?consistency=stale");
    }

    private String read(String path) {
        HttpResponse<String> r = send("GET", path, null);
        if (r.statusCode() == 404) {
            return null;
        }
        if (r.statusCode() != 200) {
            throw new CallFailed("GET " + path + " on go " + id + " answered " + r.statusCode() + " " + r.body());
        }
        return (String) Json.object(r.body()).get("value");
    }

    @Override
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gopeer " + id + " survived SIGKILL for 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    private String call(String method, String path, byte[] body, int expectStatus) {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() != expectStatus) {
            throw new CallFailed(method + " " + path + " on go " + id + " answered " + r.statusCode() + " "
                    + r.body());
        }
        return r.body();
    }

    private HttpResponse<String> send(String method, String path, byte[] body) {
        if (!process.isAlive()) {
            throw new CallFailed("go " + id + " is not running (exit code " + process.exitValue() + ")");
        }
        HttpRequest req = HttpRequest.newBuilder(http.resolve(path)).timeout(CALL)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CallFailed(method + " " + path + " on go " + id + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted", e);
        }
    }

    private static String pathEscape(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "go " + id + "@" + raftAddress;
    }
}
