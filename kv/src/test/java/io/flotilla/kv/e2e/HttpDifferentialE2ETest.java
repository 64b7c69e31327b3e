package io.flotilla.kv.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same raw requests, byte for byte, to a Flotilla node and to the Go reference node (each a fresh single-node
 * cluster): keys with characters that need escaping sent unescaped, raw UTF-8, {@code %2F} and {@code %25},
 * {@code ?} and {@code #} in every order, pipelining, chunked bodies, and requests Go's server refuses before its
 * handler runs. Both must answer with the same status and the same JSON (indexes aside); where Go answers in
 * plain text (its own refusals), the Flotilla node answers the same status in JSON.
 *
 * <p>Without the Go node, the Flotilla node is still checked against the answers written down here.
 */
class HttpDifferentialE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    /** Characters Go's server takes raw in a path, each sent unescaped inside a key. */
    private static final String RAW_KEY_CHARS = "{}\"|\\^`<>#;!*'()[]@$&+,=";

    /**
     * One raw request and what the Flotilla node must answer: {@code status} and, unless {@code null}, the body
     * with indexes as {@code #}. {@code answers} is how many answers the bytes get (pipelining).
     */
    private record Case(String name, byte[] request, int answers, int status, String body) {
    }

    /** One parsed answer. */
    private record Answer(int status, Map<String, String> headers, String body) {
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        String normalized() {
            return body.replaceAll("\"index\":\\d+", "\"index\":#");
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String put = "{\"index\":#,\"prev\":null}\n";
        String v = "{\"value\":\"v\",\"index\":#}\n";
        for (char ch : RAW_KEY_CHARS.toCharArray()) {
            String key = "k" + ch + "x";
            c.add(request("PUT " + key, "PUT /kv/" + key, "v", 200, put));
            c.add(request("GET " + key, "GET /kv/" + key + "?consistency=stale", null, 200, v));
        }
        // raw UTF-8 bytes are the key's bytes; %-escapes of the same bytes name the same key
        c.add(request("raw UTF-8", "PUT /kv/\u00e2\u0082\u00ac-raw", "v", 200, put));
        c.add(request("raw UTF-8 read escaped", "GET /kv/%E2%82%AC-raw?consistency=stale", null, 200, v));
        c.add(request("raw invalid UTF-8", "PUT /kv/\u00ff", "v", 400, "{\"error\":\"key is not valid UTF-8\"}\n"));
        c.add(request("%2F", "PUT /kv/s%2Fl", "v", 200, put));
        c.add(request("%2F read as /", "GET /kv/s/l?consistency=stale", null, 200, v));
        c.add(request("%25", "PUT /kv/p%25q", "v", 200, put));
        c.add(request("%25 read", "GET /kv/p%25q?consistency=stale", null, 200, v));
        c.add(request("lone %", "GET /kv/p%q", null, 400, null));
        // ? and #: no fragment is split off; the query starts at the first ?
        c.add(request("# then ?", "GET /kv/k#x?consistency=stale", null, 200, v));
        c.add(request("? then #", "GET /kv/k?consistency=stale#x", null, 400,
                "{\"error\":\"consistency \\\"stale#x\\\": want linearizable or stale\"}\n"));
        c.add(request("# inside the query", "GET /kv/k#?a#b&consistency=stale", null, 404, "{\"index\":#}\n"));
        c.add(request("lone ?", "PUT /kv/lone?", "v", 200, put));
        c.add(request("lone ? read", "GET /kv/lone?consistency=stale", null, 200, v));
        c.add(request("key ending in #", "GET /kv/lone#?consistency=stale", null, 404, "{\"index\":#}\n"));
        c.add(request("empty key", "GET /kv/?consistency=stale", null, 400, "{\"error\":\"empty key\"}\n"));
        c.add(request("HEAD", "HEAD /kv/lone?consistency=stale", null, 200, ""));
        c.add(request("unknown path with #", "GET /a#b", null, 404, "{\"error\":\"no such endpoint: /a#b\"}\n"));
        // several requests in one write are answered in order
        c.add(new Case("pipelined", bytes("PUT /kv/pipe HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv"
                + "GET /kv/pipe?consistency=stale HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 3, 200, null));
        // bodies
        c.add(raw("chunked overrides Content-Length", "PUT /kv/te HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2;x=y\r\nvv\r\n0\r\n\r\n", 200, put));
        c.add(raw("bad chunk size", "PUT /kv/te HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nv\r\n",
                400, "{\"error\":\"reading body: invalid byte in chunk length\"}\n"));
        byte[] big = new byte[600 << 10];
        Arrays.fill(big, (byte) 'b');
        c.add(new Case("body over 512 KiB", concat(bytes("PUT /kv/big HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + big.length + "\r\n\r\n"), big), 1, 413, "{\"error\":\"body larger than 524288 bytes\"}\n"));
        c.add(raw("HTTP/1.0", "GET /health HTTP/1.0\r\n\r\n", 200, "{\"ok\":true}\n"));
        c.add(raw("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 200, ""));
        // refused by Go's server before any handler (plain text there, JSON here)
        c.add(raw("space in target", "PUT /kv/a b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv", 400, null));
        c.add(raw("two spaces", "GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, null));
        c.add(raw("bad escape", "GET /kv/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, null));
        c.add(raw("control byte", "GET /kv/a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400, null));
        c.add(raw("DEL in target", "GET /kv/a\u007fb HTTP/1.1\r\nHost: x\r\n\r\n", 400, null));
        c.add(raw("no request line", "GET\r\n\r\n", 400, null));
        c.add(raw("bad method", "G{T /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, null));
        c.add(raw("no Host", "GET /health HTTP/1.1\r\n\r\n", 400, null));
        c.add(raw("bad header name", "GET /health HTTP/1.1\r\nHost: x\r\nA B: 1\r\n\r\n", 400, null));
        c.add(raw("bad Content-Length", "PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\nv", 400, null));
        c.add(raw("unknown transfer coding", "PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
                null));
        c.add(raw("HTTP/2.0", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505, null));
        c.add(raw("unknown expectation", "GET /health HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n", 417, null));
        byte[] huge = new byte[(1 << 20) + 8192];
        Arrays.fill(huge, (byte) 'h');
        c.add(new Case("head over 1 MiB", concat(bytes("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "), huge,
                bytes("\r\n\r\n")), 1, 431, null));
        return c;
    }

    private static Case request(String name, String line, String body, int status, String answer) {
        String head = line + " HTTP/1.1\r\nHost: x\r\n";
        String req = body == null ? head + "\r\n" : head + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        return new Case(name, bytes(req), 1, status, answer);
    }

    private static Case raw(String name, String request, int status, String answer) {
        return new Case(name, bytes(request), 1, status, answer);
    }

    @Test
    void flotillaAnswersRawRequestsAsWrittenDown() throws Exception {
        TestCluster.Node j1 = startAlone("j1", false);
        for (Case c : cases()) {
            List<Answer> answers = exchange(j1, c);
            assertThat(answers).as(c.name()).hasSize(c.answers());
            for (Answer a : answers) {
                assertThat(a.status()).as(c.name() + ": " + a).isEqualTo(c.status());
                if (!c.name().equals("OPTIONS *")) {
                    assertThat(a.contentType()).as(c.name()).isEqualTo("application/json");
                }
            }
            Answer a = answers.get(0);
            if (c.body() != null) {
                assertThat(a.normalized()).as(c.name()).isEqualTo(c.body());
            } else if (a.status() >= 400) {
                assertThat(a.body()).as(c.name()).startsWith("{\"error\":\"").endsWith("\"}\n");
            }
        }
        // HEAD: the headers and length a GET would have, no body
        Answer get = exchange(j1, request("GET", "GET /kv/lone?consistency=stale", null, 200, null)).get(0);
        Answer head = exchange(j1, request("HEAD", "HEAD /kv/lone?consistency=stale", null, 200, null)).get(0);
        assertThat(head.headers().get("content-length")).isEqualTo(Integer.toString(get.body().length()));
        assertThat(head.body()).isEmpty();
    }

    @Test
    void flotillaAnswersRawRequestsLikeTheGoNode() throws Exception {
        assumeTrue(GoPeer.binary().isPresent(), GoPeer::whyNot);
        TestCluster.Node j1 = startAlone("j1", false);
        TestCluster.Node g1 = startAlone("g1", true);
        for (Case c : cases()) {
            List<Answer> java = exchange(j1, c);
            List<Answer> go = exchange(g1, c);
            assertThat(java).as(c.name()).hasSameSizeAs(go);
            for (int i = 0; i < go.size(); i++) {
                Answer g = go.get(i);
                Answer j = java.get(i);
                String what = c.name() + "\n  go:   " + g + "\n  java: " + j;
                assertThat(j.status()).as(what).isEqualTo(g.status());
                if (g.contentType().equals("application/json")) {
                    assertThat(j.contentType()).as(what).isEqualTo("application/json");
                    assertThat(j.normalized()).as(what).isEqualTo(g.normalized());
                } else if (g.status() >= 400) {
                    // Go's own refusal, in text: ours says the same in JSON
                    assertThat(j.contentType()).as(what).isEqualTo("application/json");
                    assertThat(j.body()).as(what).startsWith("{\"error\":\"").endsWith("\"}\n");
                } else {
                    assertThat(j.body()).as(what).isEqualTo(g.body());
                }
                if (g.contentType().equals("application/json") || g.status() < 400) {
                    assertThat(j.headers().containsKey("content-length")).as(what)
                            .isEqualTo(g.headers().containsKey("content-length"));
                }
            }
        }
    }

    private TestCluster.Node startAlone(String id, boolean go) throws Exception {
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.add("--bootstrap");
        TestCluster.Node n = cluster.node(id, go, false, flags).start();
        TestCluster.await(id + " leading", () -> {
            try {
                return "Leader".equals(n.status().get("state"));
            } catch (IOException e) {
                return false;
            }
        });
        return n;
    }

    /**
     * Sends the bytes on a new connection (from another thread: a server may answer before reading them all) and
     * reads the answers they get.
     */
    private static List<Answer> exchange(TestCluster.Node node, Case c) throws Exception {
        String[] hp = node.http().split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
            s.setSoTimeout(10_000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(c.request());
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before reading everything (413, 431)
                }
            }, "differential-writer");
            writer.start();
            InputStream in = new BufferedInputStream(s.getInputStream());
            boolean head = new String(c.request(), 0, 5, StandardCharsets.ISO_8859_1).startsWith("HEAD ");
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < c.answers(); i++) {
                answers.add(read(in, head));
            }
            writer.join(10_000);
            return answers;
        }
    }

    /** One answer: status line, headers (names lower-cased), and the body by its Content-Length. */
    private static Answer read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        while (status.startsWith("HTTP/1.1 100 ")) { // 100 Continue and its blank line
            line(in);
            status = line(in);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        String length = headers.get("content-length");
        byte[] body;
        if (head) {
            body = new byte[0];
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else {
            body = in.readAllBytes(); // Go's own refusals: the text, then the connection closes
        }
        return new Answer(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c == -1) {
                throw new IOException("connection closed after " + b.toString(StandardCharsets.ISO_8859_1));
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1).stripTrailing();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.write(p, 0, p.length);
        }
        return b.toByteArray();
    }
}
