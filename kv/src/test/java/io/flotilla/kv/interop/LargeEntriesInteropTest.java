package io.flotilla.kv.interop;

import io.flotilla.kv.KvCommand;
import io.flotilla.kv.KvFsm;
import io.flotilla.raft.ApplyResult;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Big entries written concurrently, so leaders batch them into AppendEntries frames of several megabytes (str32
 * data, long arrays of entries) that the other implementation must decode.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LargeEntriesInteropTest {
    @RegisterExtension
    final MixedCluster cluster = new MixedCluster(Settings.defaults());

    /** A value of {@code size} UTF-8 bytes, different per {@code seed}, mixing 1- to 4-byte characters. */
    private static String value(int seed, int size) {
        StringBuilder sb = new StringBuilder(size);
        String[] pieces = {"a", "é", "€", "😀", "" + (char) ('A' + seed % 26)};
        int bytes = 0;
        for (int i = 0; bytes + 4 <= size; i++) {
            String p = pieces[(i * 31 + seed) % pieces.length];
            sb.append(p);
            bytes += p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return sb.toString();
    }

    @Test
    void a_go_leader_replicates_half_megabyte_entries_to_flotilla_followers() throws Exception {
        GoNode g1 = cluster.goAlone("g1");
        cluster.awaitLeader(g1, List.of(g1));
        JavaNode j1 = cluster.java("j1");
        JavaNode j2 = cluster.java("j2");
        g1.addVoter(j1);
        g1.addVoter(j2);
        List<KvNode> all = List.of(g1, j1, j2);
        cluster.awaitLeader(g1, all);

        int count = 24;
        Model model = new Model();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        long last = 0;
        try {
            List<Future<Long>> writes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "big-" + i;
                String v = value(i, 500_000); // gopeer takes bodies up to 512 KiB
                model.set(key, v);
                writes.add(pool.submit(() -> g1.put(key, v).index()));
            }
            for (Future<Long> f : writes) {
                last = Math.max(last, f.get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(count);
    }

    @Test
    void a_flotilla_leader_replicates_two_megabyte_entries_to_go_followers() throws Exception {
        JavaNode j1 = cluster.javaAlone("j1");
        cluster.awaitLeader(j1, List.of(j1));
        GoNode g1 = cluster.go("g1");
        GoNode g2 = cluster.go("g2");
        j1.addVoter(g1);
        j1.addVoter(g2);
        List<KvNode> all = List.of(j1, g1, g2);
        cluster.awaitLeader(j1, all);

        int count = 16;
        Model model = new Model();
        List<CompletableFuture<ApplyResult>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "big-" + i;
            String v = value(i, 2_000_000);
            model.set(key, v);
            pending.add(j1.raft().apply(KvCommand.set(key, v).encode(), Duration.ofSeconds(10)));
        }
        long last = 0;
        for (CompletableFuture<ApplyResult> f : pending) {
            last = Math.max(last, f.get(MixedCluster.WAIT.toSeconds(), TimeUnit.SECONDS).index());
        }
        KvFsm.Digest d = cluster.awaitConverged(all, last);
        assertThat(d.sha256()).isEqualTo(model.sha256());
        assertThat(d.keys()).isEqualTo(count);
        assertThat(g2.staleGet("big-7")).isEqualTo(value(7, 2_000_000));
    }
}
