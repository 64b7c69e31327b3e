package io.flotilla.kv;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.snapshot.SnapshotSink;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ports gopeer's fsm_test.go: the Java state machine must behave exactly like the Go one. */
class KvFsmTest {
    private static final String GOLDEN_HEX = "0000000000000002" + "00000001" + "61" + "00000001" + "31" + "00000001" + "62"
            + "00000003" + "78797a";
    private static final String GOLDEN_SHA = "06b91e14762b5dae47775b5b80ce3a683293f60781086fd69f70319d31b7768f";
    private static final String EMPTY_SHA = "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc";

    private static String apply(KvFsm f, long index, String entry) {
        return f.apply(new LogEntry(index, 1, LogType.COMMAND, entry.getBytes(StandardCharsets.UTF_8))).toJson();
    }

    @Test
    void applyResults() {
        KvFsm f = new KvFsm();
        String[][] steps = {
                {"{\"op\":\"set\",\"key\":\"k\",\"value\":\"v1\"}", "{\"ok\":true,\"prev\":null}"},
                {"{\"op\":\"set\",\"key\":\"k\",\"value\":\"v2\"}", "{\"ok\":true,\"prev\":\"v1\"}"},
                {"{\"op\":\"cas\",\"key\":\"k\",\"expect\":\"v2\",\"value\":\"v3\"}", "{\"ok\":true,\"prev\":\"v2\"}"},
                {"{\"op\":\"cas\",\"key\":\"k\",\"expect\":\"nope\",\"value\":\"v4\"}", "{\"ok\":false,\"prev\":\"v3\"}"},
                {"{\"op\":\"cas\",\"key\":\"k\",\"expect\":null,\"value\":\"v5\"}", "{\"ok\":false,\"prev\":\"v3\"}"},
                {"{\"op\":\"cas\",\"key\":\"n\",\"expect\":null,\"value\":\"new\"}", "{\"ok\":true,\"prev\":null}"},
                {"{\"op\":\"cas\",\"key\":\"m\",\"value\":\"absent-expect-is-null\"}", "{\"ok\":true,\"prev\":null}"},
                {"{\"op\":\"cas\",\"key\":\"z\",\"expect\":\"x\",\"value\":\"y\"}", "{\"ok\":false,\"prev\":null}"},
                {"{\"op\":\"delete\",\"key\":\"k\"}", "{\"ok\":true,\"prev\":\"v3\"}"},
                {"{\"op\":\"delete\",\"key\":\"k\"}", "{\"ok\":true,\"prev\":null}"},
                {"{\"op\":\"set\",\"key\":\"\",\"value\":\"\"}", "{\"ok\":true,\"prev\":null}"},
                {"{\"value\":\"v\",\"key\":\"order\",\"op\":\"set\",\"extra\":[1,2]}", "{\"ok\":true,\"prev\":null}"},
        };
        for (int i = 0; i < steps.length; i++) {
            assertThat(apply(f, i + 1, steps[i][0])).as(steps[i][0]).isEqualTo(steps[i][1]);
        }
        assertThat(f.dump()).isEqualTo(Map.of("n", "new", "m", "absent-expect-is-null", "", "", "order", "v"));
        assertThat(f.digest().appliedIndex()).isEqualTo(steps.length);
    }

    @Test
    void badEntriesChangeNothing() {
        KvFsm f = new KvFsm();
        apply(f, 1, "{\"op\":\"set\",\"key\":\"k\",\"value\":\"v\"}");
        String before = f.digest().sha256();
        List<String> bad = List.of("", "null", "[]", "\"set\"", "SET k v", "{",
                "{\"op\":\"put\",\"key\":\"k\",\"value\":\"x\"}",
                "{\"OP\":\"set\",\"key\":\"k\",\"value\":\"x\"}",
                "{\"op\":\"set\",\"key\":\"k\"}",
                "{\"op\":\"set\",\"key\":\"k\",\"value\":null}",
                "{\"op\":\"set\",\"key\":\"k\",\"value\":5}",
                "{\"op\":\"set\",\"key\":7,\"value\":\"x\"}",
                "{\"op\":\"delete\"}",
                "{\"op\":\"cas\",\"key\":\"k\",\"expect\":1,\"value\":\"x\"}",
                "{\"op\":\"cas\",\"key\":\"k\",\"expect\":\"v\"}",
                "{\"op\":null,\"key\":\"k\",\"value\":\"x\"}");
        for (int i = 0; i < bad.size(); i++) {
            assertThat(apply(f, i + 2, bad.get(i))).as(bad.get(i)).startsWith("{\"ok\":false,\"error\":\"");
        }
        assertThat(f.digest().sha256()).isEqualTo(before);
        assertThat(f.digest().appliedIndex()).as("bad entries count as applied").isEqualTo(bad.size() + 1);
        assertThat(f.commandsApplied()).isEqualTo(bad.size() + 1);
    }

    @Test
    void encodedCommandsMatchTheGoNode() {
        assertThat(new String(KvCommand.set("k", "<v&>").encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"set\",\"key\":\"k\",\"value\":\"<v&>\"}");
        assertThat(new String(KvCommand.delete("k").encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"delete\",\"key\":\"k\"}");
        assertThat(new String(KvCommand.cas("k", Optional.of("o"), "n").encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"cas\",\"key\":\"k\",\"expect\":\"o\",\"value\":\"n\"}");
        assertThat(new String(KvCommand.cas("k", Optional.empty(), "n").encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"cas\",\"key\":\"k\",\"expect\":null,\"value\":\"n\"}");
        assertThat(new String(KvCommand.set("a\"\\\n\u0001\u2028", "\uD83D\uDE00").encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"op\":\"set\",\"key\":\"a\\\"\\\\\\n\\u0001\\u2028\",\"value\":\"\uD83D\uDE00\"}");
    }

    @Test
    void encodedCommandsRoundTrip() throws Exception {
        for (KvCommand c : List.of(KvCommand.set("k", "v"), KvCommand.delete("x y"),
                KvCommand.cas("é", Optional.of("\u0000"), "\uD83D\uDE00"), KvCommand.cas("", Optional.empty(), ""))) {
            assertThat(KvCommand.decode(c.encode())).isEqualTo(c);
        }
    }

    @Test
    void snapshotEncodingIsTheContractsGoldenExample() throws Exception {
        TreeMap<String, String> state = new TreeMap<>(KvState.BYTEWISE);
        state.put("b", "xyz");
        state.put("a", "1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KvSnapshotCodec.write(state, out);
        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo(GOLDEN_HEX);
        KvFsm f = new KvFsm();
        apply(f, 1, "{\"op\":\"set\",\"key\":\"b\",\"value\":\"xyz\"}");
        apply(f, 2, "{\"op\":\"set\",\"key\":\"a\",\"value\":\"1\"}");
        assertThat(f.digest().sha256()).isEqualTo(GOLDEN_SHA);
        assertThat(f.digest().keys()).isEqualTo(2);
        assertThat(new KvFsm().digest().sha256()).isEqualTo(EMPTY_SHA);
    }

    @Test
    void keysAreOrderedByteWiseNotByUtf16() throws Exception {
        TreeMap<String, String> state = new TreeMap<>(KvState.BYTEWISE);
        state.put("é", "");
        state.put("a", "");
        state.put("B", "");
        state.put("\uFFFD", "");
        state.put("\uD83D\uDE00", ""); // U+1F600 sorts after U+FFFD in UTF-8, before it in UTF-16
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KvSnapshotCodec.write(state, out);
        assertThat(KvSnapshotCodec.read(new ByteArrayInputStream(out.toByteArray())).keySet())
                .containsExactly("B", "a", "é", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void snapshotRoundTripAndStrictness() throws Exception {
        KvFsm f = new KvFsm();
        String[][] kvs = {{"x", "1"}, {"y", "v".repeat(70000)}, {"", "empty key"}, {"ü", ""}};
        for (int i = 0; i < kvs.length; i++) {
            f.apply(new LogEntry(i + 1, 1, LogType.COMMAND, KvCommand.set(kvs[i][0], kvs[i][1]).encode()));
        }
        CapturingSink sink = new CapturingSink();
        f.snapshot().persist(sink);
        assertThat(sink.closed).isTrue();
        byte[] good = sink.out.toByteArray();
        KvFsm g = new KvFsm();
        g.restore(new SnapshotMeta(1, "s", 42, 1, null, Configuration.EMPTY, 0, good.length),
                new ByteArrayInputStream(good));
        assertThat(g.digest().sha256()).isEqualTo(f.digest().sha256());
        assertThat(g.digest().appliedIndex()).isEqualTo(42);

        Map<String, byte[]> bad = Map.of(
                "trailing byte", concat(good, new byte[] {0}),
                "truncated", java.util.Arrays.copyOf(good, good.length - 1),
                "short count", java.util.Arrays.copyOf(good, 5),
                "count too high", concat(new byte[] {0, 0, 0, 0, 0, 0, 0, 9}, java.util.Arrays.copyOfRange(good, 8, good.length)),
                "unsorted", HexFormat.of().parseHex("0000000000000002" + "00000001" + "62" + "00000000" + "00000001" + "61" + "00000000"),
                "duplicate key", HexFormat.of().parseHex("0000000000000002" + "00000001" + "61" + "00000000" + "00000001" + "61" + "00000000"));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            String before = g.digest().sha256();
            assertThatThrownBy(() -> g.restore(new ByteArrayInputStream(e.getValue()))).as(e.getKey())
                    .isInstanceOf(IOException.class).hasMessageStartingWith("snapshot:");
            assertThat(g.digest().sha256()).as("a rejected snapshot leaves the state as it was").isEqualTo(before);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static final class CapturingSink extends SnapshotSink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean closed;

        @Override
        public String id() {
            return "test";
        }

        @Override
        public void cancel() {
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
