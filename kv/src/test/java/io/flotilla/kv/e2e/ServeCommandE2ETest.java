package io.flotilla.kv.e2e;

import io.flotilla.kv.KvProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code serve} command line: exit code 2 for bad flags, 1 when the node cannot start, 0 for help. */
class ServeCommandE2ETest {
    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @TempDir
    Path tmp;

    private record Run(int code, String stdout, String stderr) {
    }

    private Run run(String... args) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime());
        Path err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(KvProcess.serveCommand(List.of(args)))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("serve " + String.join(" ", args) + " did not exit");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void badFlagsExitWithCodeTwoAndSayWhy() throws Exception {
        Run help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.stdout()).contains("--raft-addr", "--data-dir", "--snapshot-threshold", "--request-timeout");

        Run noId = run("--raft-addr", "127.0.0.1:0");
        assertThat(noId.code()).isEqualTo(2);
        assertThat(noId.stderr()).contains("--id");
        assertThat(noId.stdout()).isEmpty();

        Run badDuration = run("--id", "n1", "--heartbeat-timeout", "1x");
        assertThat(badDuration.code()).isEqualTo(2);
        assertThat(badDuration.stderr()).contains("time: unknown unit \"x\" in duration \"1x\"");

        Run badPeers = run("--id", "n1", "--bootstrap", "--peers", "n1=localhost");
        assertThat(badPeers.code()).isEqualTo(2);
        assertThat(badPeers.stderr()).contains("bad peer \"n1=localhost\": address localhost: missing port in address");

        Run badConfig = run("--id", "n1", "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--leader-lease-timeout", "2s");
        assertThat(badConfig.code()).isEqualTo(2);
        assertThat(badConfig.stderr()).contains("config: Leader lease timeout cannot be larger than heartbeat timeout");

        Run badStore = run("--id", "n1", "--store", "rocksdb");
        assertThat(badStore.code()).isEqualTo(2);
        assertThat(badStore.stderr()).contains("--store rocksdb needs --data-dir");
    }

    @Test
    void aNodeThatCannotStartExitsWithCodeOne() throws Exception {
        List<String> flags = new ArrayList<>(TestCluster.FAST);
        flags.add("--bootstrap");
        TestCluster.Node n1 = cluster.node("n1", false, true, flags).start();

        // Its data directory is in use.
        Run sameDir = run("--id", "other", "--raft-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
                "--data-dir", n1.dataDir().toString());
        assertThat(sameDir.code()).isEqualTo(1);
        assertThat(sameDir.stderr()).contains("stores: ");
        assertThat(sameDir.stdout()).isEmpty();

        // Its HTTP address is taken.
        Run sameHttp = run("--id", "other", "--raft-addr", "127.0.0.1:0", "--http-addr", n1.http());
        assertThat(sameHttp.code()).isEqualTo(1);
        assertThat(sameHttp.stderr()).contains("http listen: " + n1.http());

        // Its Raft address is taken.
        Run sameRaft = run("--id", "other", "--raft-addr", n1.raftAddr(), "--http-addr", "127.0.0.1:0");
        assertThat(sameRaft.code()).isEqualTo(1);
        assertThat(sameRaft.stderr()).contains("transport: " + n1.raftAddr());
    }
}
