package io.flotilla.kv;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An in-process node's HTTP server: it serves, refuses a taken address, and leaves no thread behind. */
class KvHttpServerLifecycleTest {
    private static KvNode.Options options(String id, String httpAddr) {
        RaftConfig raft = RaftConfig.builder().heartbeatTimeout(Duration.ofMillis(500))
                .electionTimeout(Duration.ofMillis(500)).leaderLeaseTimeout(Duration.ofMillis(250)).build();
        return new KvNode.Options(id, "127.0.0.1:0", httpAddr, Optional.empty(), "auto", "auto", true,
                Configuration.EMPTY, raft, Duration.ofSeconds(10), 2, Duration.ofSeconds(10), 0);
    }

    private static List<String> httpThreads(String id) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("kv-http-accept-" + id) || n.startsWith("kv-http-io-" + id)
                        || n.startsWith("kv-http-" + id + "-") || n.startsWith("kv-timeout-" + id + "-"))
                .toList();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20); // polling a condition another thread brings about
        }
    }

    @Test
    void servesThenStopsEveryThreadAndConnection() throws Exception {
        KvNode node = KvNode.start(options("life1", "127.0.0.1:0"), () -> { });
        Socket idle = new Socket();
        try {
            await("leader", () -> node.raft().state() == RaftState.LEADER);
            String[] hp = node.httpAddress().split(":");
            idle.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
            idle.setSoTimeout(10_000);
            OutputStream out = idle.getOutputStream();
            out.write("PUT /kv/a{b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nv".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = idle.getInputStream();
            byte[] status = in.readNBytes("HTTP/1.1 200 OK".length());
            assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            await("applied", () -> node.fsm().get("a{b").value().isPresent());
            assertThat(httpThreads("life1")).isNotEmpty();
        } finally {
            node.close(); // with a kept-alive connection still open
        }
        await("http threads gone: " + httpThreads("life1"), () -> httpThreads("life1").isEmpty());
        // the kept-alive connection was closed by the server
        InputStream in = idle.getInputStream();
        try {
            while (in.read() != -1) {
                // rest of the answer
            }
        } catch (IOException e) {
            // reset: closed too
        } finally {
            idle.close();
        }
    }

    @Test
    void aTakenAddressIsReportedAndNothingIsLeftRunning() throws Exception {
        KvNode first = KvNode.start(options("life2", "127.0.0.1:0"), () -> { });
        try {
            String taken = first.httpAddress();
            assertThatThrownBy(() -> KvNode.start(options("life3", taken), () -> { }))
                    .isInstanceOf(IOException.class).hasMessageStartingWith("http listen: " + taken + ": ");
            await("no threads of the refused node", () -> httpThreads("life3").isEmpty());
        } finally {
            first.close();
        }
    }
}
