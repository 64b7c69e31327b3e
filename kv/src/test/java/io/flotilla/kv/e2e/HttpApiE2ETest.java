package io.flotilla.kv.e2e;

import io.flotilla.kv.KvClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTP API of one {@code serve} process, byte for byte: statuses, JSON bodies, {@code Content-Type},
 * {@code Allow}, and what bad input gets. The same script runs against the Go reference node, and both must
 * answer every request identically.
 */
class HttpApiE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    /** One request and the answer expected from a fresh single-node cluster (index 1 bootstrap, 2 no-op). */
    private record Step(String method, String target, byte[] body, int status, String answer, String allow) {
        static Step of(String method, String target, String body, int status, String answer) {
            return new Step(method, target, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status,
                    answer, null);
        }
    }

    private static final byte[] INVALID_UTF8 = {'a', (byte) 0xff};

    /** Deterministic: no linearizable reads (the Go node writes a barrier entry for each, shifting indexes). */
    private static List<Step> script() {
        List<Step> s = new ArrayList<>();
        s.add(Step.of("PUT", "/kv/a", "hello", 200, "{\"index\":3,\"prev\":null}"));
        s.add(Step.of("PUT", "/kv/a", "world", 200, "{\"index\":4,\"prev\":\"hello\"}"));
        s.add(Step.of("GET", "/kv/a?consistency=stale", null, 200, "{\"value\":\"world\",\"index\":4}"));
        s.add(Step.of("GET", "/kv/nope?consistency=stale", null, 404, "{\"index\":4}"));
        s.add(Step.of("GET", "/kv/a?consistency=bogus", null, 400,
                "{\"error\":\"consistency \\\"bogus\\\": want linearizable or stale\"}"));
        s.add(Step.of("DELETE", "/kv/a", null, 200, "{\"index\":5,\"prev\":\"world\"}"));
        s.add(Step.of("DELETE", "/kv/a", null, 200, "{\"index\":6,\"prev\":null}"));
        // keys: percent-decoded, not cleaned; empty, bad UTF-8 refused
        s.add(Step.of("PUT", "/kv/a%2Fb", "slash", 200, "{\"index\":7,\"prev\":null}"));
        s.add(Step.of("GET", "/kv/a/b?consistency=stale", null, 200, "{\"value\":\"slash\",\"index\":7}"));
        s.add(Step.of("PUT", "/kv/x//y", "2", 200, "{\"index\":8,\"prev\":null}"));
        s.add(Step.of("PUT", "/kv/%E2%82%AC", "<&>", 200, "{\"index\":9,\"prev\":null}"));
        s.add(Step.of("GET", "/kv/%E2%82%AC?consistency=stale", null, 200, "{\"value\":\"<&>\",\"index\":9}"));
        s.add(Step.of("PUT", "/kv/", "x", 400, "{\"error\":\"empty key\"}"));
        s.add(Step.of("PUT", "/kv/%ff", "x", 400, "{\"error\":\"key is not valid UTF-8\"}"));
        s.add(new Step("PUT", "/kv/u", INVALID_UTF8, 400, "{\"error\":\"value is not valid UTF-8\"}", null));
        s.add(Step.of("PUT", "/kv/empty", "", 200, "{\"index\":10,\"prev\":null}"));
        // methods and paths
        s.add(new Step("POST", "/kv/a", null, 405,
                "{\"error\":\"method POST not allowed; use GET or PUT or DELETE\"}", "GET, PUT, DELETE"));
        s.add(new Step("GET", "/cas/a", null, 405, "{\"error\":\"method GET not allowed; use POST\"}", "POST"));
        s.add(new Step("POST", "/health", null, 405, "{\"error\":\"method POST not allowed; use GET\"}", "GET"));
        s.add(new Step("GET", "/snapshot", null, 405, "{\"error\":\"method GET not allowed; use POST\"}", "POST"));
        s.add(Step.of("GET", "/nope", null, 404, "{\"error\":\"no such endpoint: /nope\"}"));
        s.add(Step.of("GET", "/status/", null, 404, "{\"error\":\"no such endpoint: /status/\"}"));
        s.add(Step.of("GET", "/kv", null, 404, "{\"error\":\"no such endpoint: /kv\"}"));
        s.add(Step.of("GET", "/health", null, 200, "{\"ok\":true}"));
        // compare-and-set
        s.add(Step.of("POST", "/cas/c", "{\"value\":\"1\"}", 200, "{\"index\":11,\"ok\":true,\"prev\":null}"));
        s.add(Step.of("POST", "/cas/c", "{\"expect\":null,\"value\":\"2\"}", 409,
                "{\"index\":12,\"ok\":false,\"prev\":\"1\"}"));
        s.add(Step.of("POST", "/cas/c", "{\"expect\":\"1\",\"value\":\"2\"}", 200,
                "{\"index\":13,\"ok\":true,\"prev\":\"1\"}"));
        s.add(Step.of("POST", "/cas/c", "{\"expect\":\"x\",\"value\":\"3\",\"other\":[1,{}]}", 409,
                "{\"index\":14,\"ok\":false,\"prev\":\"2\"}"));
        String want = "; want {\\\"expect\\\":\\\"old\\\"|null,\\\"value\\\":\\\"new\\\"}";
        s.add(Step.of("POST", "/cas/c", "{\"expect\":5,\"value\":\"2\"}", 400,
                "{\"error\":\"body: \\\"expect\\\" must be a string or null\"}"));
        s.add(Step.of("POST", "/cas/c", "{\"value\":5}", 400, "{\"error\":\"body: \\\"value\\\" must be a string\"}"));
        s.add(Step.of("POST", "/cas/c", "{\"expect\":\"2\"}", 400,
                "{\"error\":\"body: \\\"value\\\" is required and must be a string\"}"));
        s.add(Step.of("POST", "/cas/c", "[1]", 400, "{\"error\":\"body: not a JSON object: json: cannot unmarshal "
                + "array into Go value of type map[string]json.RawMessage" + want + "\"}"));
        s.add(Step.of("POST", "/cas/c", "{", 400,
                "{\"error\":\"body: not a JSON object: unexpected end of JSON input" + want + "\"}"));
        s.add(Step.of("POST", "/cas/c", "nul", 400, "{\"error\":\"body: not a JSON object: invalid character ' ' in "
                + "literal null (expecting 'l')" + want + "\"}"));
        s.add(Step.of("POST", "/cas/c", "null", 400, "{\"error\":\"body: not a JSON object: null" + want + "\"}"));
        s.add(Step.of("POST", "/cas/c", "{\"value\":\"1\"} x", 400, "{\"error\":\"body: not a JSON object: invalid "
                + "character 'x' after top-level value" + want + "\"}"));
        s.add(new Step("POST", "/cas/c", INVALID_UTF8, 400, "{\"error\":\"body is not valid UTF-8\"}", null));
        // raw entries: bad ones are committed, change nothing, and the state machine goes on
        s.add(Step.of("POST", "/apply", "garbage", 200, "{\"index\":15,\"result\":{\"ok\":false,\"error\":\"bad "
                + "entry: not a JSON object: invalid character 'g' looking for beginning of value\"}}"));
        s.add(Step.of("POST", "/apply", "{\"op\":\"put\",\"key\":\"k\"}", 200,
                "{\"index\":16,\"result\":{\"ok\":false,\"error\":\"bad entry: unknown op \\\"put\\\"\"}}"));
        s.add(Step.of("POST", "/apply", "{\"op\":\"set\",\"key\":\"<k>\",\"value\":\"v&\"}", 200,
                "{\"index\":17,\"result\":{\"ok\":true,\"prev\":null}}"));
        s.add(Step.of("POST", "/apply", "{\"op\":\"set\",\"key\":\"<k>\",\"value\":\"w\"}", 200,
                "{\"index\":18,\"result\":{\"ok\":true,\"prev\":\"v\\u0026\"}}"));
        s.add(Step.of("PUT", "/kv/after", "ok", 200, "{\"index\":19,\"prev\":null}"));
        s.add(Step.of("GET", "/fsm?dump=1", null, 200, "{\"keys\":7,\"applied_index\":19,\"sha256\":"
                + "\"2b2d8a5d6e2c3fcb0b93d8fb0452ab79c7d7c4aa0b74fa67f1ee0dd3e0b3f9d4\",\"commands_applied\":17,"
                + "\"restores\":0,\"data\":{\"<k>\":\"w\",\"a/b\":\"slash\",\"after\":\"ok\",\"c\":\"2\",\"empty\":\"\","
                + "\"x//y\":\"2\",\"€\":\"<&>\"}}"));
        // membership arguments
        s.add(Step.of("POST", "/cluster/join", null, 400, "{\"error\":\"id and addr are required\"}"));
        s.add(Step.of("POST", "/cluster/join?id=x&addr=nope", null, 400,
                "{\"error\":\"addr: address nope: missing port in address\"}"));
        s.add(Step.of("POST", "/cluster/join?id=x&addr=127.0.0.1:1&voter=maybe", null, 400,
                "{\"error\":\"voter must be true or false\"}"));
        s.add(Step.of("POST", "/cluster/remove", null, 400, "{\"error\":\"id is required\"}"));
        s.add(Step.of("POST", "/cluster/transfer?id=zzz", null, 400,
                "{\"error\":\"transfer target not in the configuration\"}"));
        // bodies: 512 KiB is the limit
        byte[] max = new byte[512 * 1024];
        Arrays.fill(max, (byte) 'v');
        s.add(new Step("PUT", "/kv/big", max, 200, "{\"index\":20,\"prev\":null}", null));
        byte[] over = new byte[512 * 1024 + 1];
        Arrays.fill(over, (byte) 'v');
        s.add(new Step("PUT", "/kv/big", over, 413, "{\"error\":\"body larger than 524288 bytes\"}", null));
        s.add(new Step("POST", "/apply", over, 413, "{\"error\":\"body larger than 524288 bytes\"}", null));
        s.add(Step.of("POST", "/snapshot", null, 200, null)); // id and size vary; checked below
        return s;
    }

    private static final String SHA_PLACEHOLDER = "2b2d8a5d6e2c3fcb0b93d8fb0452ab79c7d7c4aa0b74fa67f1ee0dd3e0b3f9d4";

    @Test
    void answersEveryScriptedRequestExactlyAsSpecified() throws Exception {
        TestCluster.Node n1 = cluster.node("n1", false, false, bootstrapAlone()).start();
        cluster.awaitLeader();
        runScript(n1, true);

        // Linearizable reads (the default) on the leader; HEAD on GET endpoints.
        KvClient.Answer read = cluster.client.get(n1.http(), "/kv/after");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("{\"value\":\"ok\",\"index\":20}\n"); // the FSM index: the big write was last
        KvClient.Answer head = cluster.client.send("HEAD", n1.http(), "/kv/after", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.header("Content-Length")).contains(Integer.toString(read.body().length()));
        assertThat(cluster.client.send("HEAD", n1.http(), "/status", null).status()).isEqualTo(200);

        // Status fields, in order.
        String status = cluster.client.get(n1.http(), "/status").body();
        assertThat(status).matches("\\{\"id\":\"n1\",\"state\":\"Leader\",\"term\":2,\"leader_id\":\"n1\","
                + "\"leader_addr\":\"127\\.0\\.0\\.1:" + n1.raftPort + "\",\"commit_index\":\\d+,\"applied_index\":\\d+,"
                + "\"last_log_index\":\\d+,\"last_snapshot_index\":\\d+,\"configuration\":\\[\\{\"id\":\"n1\","
                + "\"address\":\"127\\.0\\.0\\.1:" + n1.raftPort + "\",\"suffrage\":\"Voter\"}]}\n");
        assertThat(cluster.client.get(n1.http(), "/leader").body()).isEqualTo("{\"addr\":\"127.0.0.1:" + n1.raftPort
                + "\",\"id\":\"n1\",\"is_leader\":true,\"leader_addr\":\"127.0.0.1:" + n1.raftPort
                + "\",\"leader_id\":\"n1\",\"state\":\"Leader\"}\n");
        assertThat(cluster.client.get(n1.http(), "/config").body()).isEqualTo("{\"servers\":[{\"id\":\"n1\","
                + "\"address\":\"127.0.0.1:" + n1.raftPort + "\",\"suffrage\":\"Voter\"}]}\n");
        assertThat(cluster.client.get(n1.http(), "/stats").json()).containsKeys("applied_index", "commit_index",
                "fsm_pending", "last_contact", "last_log_index", "last_snapshot_index", "latest_configuration",
                "num_peers", "protocol_version", "state", "term");

        // Prometheus: HTTP requests per endpoint and status, and the raft metrics.
        KvClient.Answer metrics = cluster.client.get(n1.http(), "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_count{endpoint=\"/kv/{key}\",method=\"PUT\",status=\"200\"}")
                .contains("status=\"413\"")
                .contains("raft_apply");

        assertThat(cluster.client.send("PUT", n1.http(), "/kv/q?timeout=1h", "v".getBytes()).status())
                .isEqualTo(200);

        // POST /shutdown: answered, then the process shuts down cleanly with exit code 0.
        KvClient.Answer bye = n1.post("/shutdown");
        assertThat(bye.body()).isEqualTo("{\"ok\":true}\n");
        TestCluster.await("the process to exit", () -> !n1.alive());
        assertThat(n1.terminate()).isZero();
    }

    /** The same script against the Go reference node: identical answers, byte for byte. */
    @Test
    void theGoReferenceNodeAnswersTheSameScriptIdentically() throws Exception {
        assumeTrue(GoPeer.binary().isPresent(), GoPeer::whyNot);
        TestCluster.Node g1 = cluster.node("g1", true, false, bootstrapAlone()).start();
        cluster.awaitLeader();
        runScript(g1, false);
    }

    private static List<String> bootstrapAlone() {
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.add("--bootstrap");
        return flags;
    }

    private void runScript(TestCluster.Node node, boolean java) throws Exception {
        String digest = null;
        for (Step step : script()) {
            KvClient.Answer a = cluster.client.send(step.method(), node.http(), step.target(), step.body());
            String what = node + ": " + step.method() + " " + step.target();
            assertThat(a.status()).as(what).isEqualTo(step.status());
            assertThat(a.header("Content-Type")).as(what).contains("application/json");
            assertThat(a.body()).as(what).endsWith("\n").doesNotContain("\n\n");
            if (step.allow() != null) {
                assertThat(a.header("Allow")).as(what).contains(step.allow());
            }
            if (step.answer() == null) {
                assertThat(a.json()).as(what).containsOnlyKeys("id", "index", "term", "size");
                assertThat(a.number("index")).as(what).isEqualTo(20);
                continue;
            }
            String expected = step.answer();
            if (expected.contains(SHA_PLACEHOLDER)) {
                // The digest is checked against an independent computation of the snapshot encoding below.
                digest = a.text("sha256");
                expected = expected.replace(SHA_PLACEHOLDER, digest);
            }
            assertThat(a.body()).as(what).isEqualTo(expected + "\n");
        }
        assertThat(digest).isEqualTo(io.flotilla.kv.KvState.sha256(expectedState()));
        // Nothing new since the snapshot: 409 (the Java node; hashicorp 1.1.2 snapshots the same index again).
        if (java) {
            KvClient.Answer again = cluster.client.post(node.http(), "/snapshot");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body()).isEqualTo("{\"error\":\"nothing new to snapshot\"}\n");
        }
    }

    private static java.util.TreeMap<String, String> expectedState() {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>(io.flotilla.kv.KvState.BYTEWISE);
        m.put("<k>", "w");
        m.put("a/b", "slash");
        m.put("after", "ok");
        m.put("c", "2");
        m.put("empty", "");
        m.put("x//y", "2");
        m.put("€", "<&>");
        return m;
    }
}
