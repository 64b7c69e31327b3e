package io.flotilla.kv.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw bytes at a node's HTTP and Raft ports: malformed requests get a 4xx (or a closed connection), never a 2xx
 * or a crash, and the node goes on serving afterwards.
 */
class HostileInputE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void malformedRequestsAreRefusedAndTheNodeGoesOn() throws Exception {
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.add("--bootstrap");
        TestCluster.Node n1 = cluster.node("n1", false, false, flags).start();
        cluster.awaitLeader();
        String[] hp = n1.http().split(":");
        InetSocketAddress http = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));

        List<byte[]> requests = new ArrayList<>();
        requests.add(bytes("\u0000\u0001\u0002 hello\r\n\r\n"));
        requests.add(bytes("GET\r\n\r\n"));
        requests.add(bytes("GET /kv/a b c HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.add(bytes("GET /kv/%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.add(bytes("GET /kv/{\"}| HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.add(bytes("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nxyz"));
        requests.add(bytes("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nxyz"));
        // Content-Length with Transfer-Encoding: chunked is not here: Go lets the coding override the length (RFC 7230
        // section 3.3.3) and answers 200, and so does this node (HttpDifferentialE2ETest).
        requests.add(bytes("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxyz"));
        requests.add(bytes("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxyz\r\n0\r\n\r\n"));
        requests.add(bytes("POST /cas/a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\u00ff\u00fe{}"));
        requests.add(bytes("POST /cas/a HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n{\"value\":\"1\",\"expect\":[[[[["));
        requests.add(bytes("PUT /kv/%c0%af HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"));
        requests.add(bytes("BREW /kv/a HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.add(bytes("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.add(chunkedOverLimit());
        byte[] huge = new byte[2 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'a');
        requests.add(concat(bytes("PUT /kv/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                + huge.length + "\r\n\r\n"), huge));

        for (byte[] request : requests) {
            String status = exchange(http, request);
            String what = new String(request, 0, Math.min(60, request.length), StandardCharsets.ISO_8859_1);
            if (!status.isEmpty()) {
                // 501 is the HTTP answer to a transfer coding the server does not implement (Go's too).
                assertThat(status).as(what).matches("HTTP/1\\.[01] (4\\d\\d|501|100)( .*)?");
            }
            assertThat(cluster.client.get(n1.http(), "/health").status()).as("after " + what).isEqualTo(200);
        }

        // A long header is within what Go accepts too (1 MiB).
        assertThat(exchange(http, concat(bytes("GET /health HTTP/1.1\r\nHost: x\r\nX-Long: "), filled(200_000),
                bytes("\r\n\r\n")))).isEqualTo("HTTP/1.1 200 OK");

        // A client that sends half a request and goes away, and many idle connections.
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket();
                s.connect(http, 2000);
                s.getOutputStream().write(bytes("PUT /kv/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"));
                idle.add(s);
            }
            assertThat(cluster.write("still", "serving")).isPositive();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }

        // Garbage at the Raft port: that connection is dropped, nothing else.
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", n1.raftPort), 2000);
                s.setSoTimeout(2000);
                s.getOutputStream().write(junk);
                s.getOutputStream().flush();
                s.shutdownOutput();
                s.getInputStream().readAllBytes();
            } catch (IOException e) {
                // a reset is a fine answer
            }
        }
        assertThat(cluster.write("after-junk", "ok")).isPositive();
        assertThat(n1.get("/kv/after-junk").text("value")).isEqualTo("ok");
    }

    /** Sends raw bytes and returns the status line of the answer, or "" if the connection was just closed. */
    private static String exchange(InetSocketAddress addr, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(addr, 2000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // the server may close before reading it all (a body over the limit)
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                    line.write(c);
                }
            } catch (IOException e) {
                // reset after an answer or instead of one
            }
            return line.toString(StandardCharsets.ISO_8859_1).strip();
        }
    }

    private static byte[] chunkedOverLimit() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] head = bytes("PUT /kv/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        b.write(head, 0, head.length);
        byte[] chunk = filled(64 * 1024);
        for (int i = 0; i < 9; i++) { // 576 KiB > 512 KiB
            byte[] size = bytes(Integer.toHexString(chunk.length) + "\r\n");
            b.write(size, 0, size.length);
            b.write(chunk, 0, chunk.length);
            b.write('\r');
            b.write('\n');
        }
        byte[] end = bytes("0\r\n\r\n");
        b.write(end, 0, end.length);
        return b.toByteArray();
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'v');
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.write(p, 0, p.length);
        }
        return b.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
