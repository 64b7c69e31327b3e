package io.flotilla.kv.interop;

import io.flotilla.kv.KvFsm;
import io.flotilla.kv.KvResult;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Log entries that are not what a well-behaved client writes: invalid UTF-8, malformed or non-object JSON,
 * unusual escapes and whitespace, duplicate members, wrong types. Every node must turn each of them into the same
 * state change (often none), or a mixed cluster diverges. Some are good entries in disguise, so the state really
 * changes along the way.
 */
final class OddEntries {
    private OddEntries() {
    }

    /** What applying the list through a leader produced. */
    record Outcome(long lastIndex, KvFsm.Digest expected, List<String> resultMismatches) {
    }

    static Map<String, byte[]> entries() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("plain set", utf8("{\"op\":\"set\",\"key\":\"k\",\"value\":\"v\"}"));
        m.put("invalid UTF-8 in a value", concat(utf8("{\"op\":\"set\",\"key\":\"bad-utf8\",\"value\":\"a"),
                bytes(0xff, 0xfe), utf8(" b\"}")));
        m.put("invalid UTF-8 in a key", concat(utf8("{\"op\":\"set\",\"key\":\"k"), bytes(0x80),
                utf8("\",\"value\":\"x\"}")));
        m.put("overlong UTF-8", concat(utf8("{\"op\":\"set\",\"key\":\"overlong\",\"value\":\""),
                bytes(0xc0, 0xaf), utf8("\"}")));
        m.put("UTF-8 encoded surrogate", concat(utf8("{\"op\":\"set\",\"key\":\"cesu\",\"value\":\""),
                bytes(0xed, 0xa0, 0x80), utf8("\"}")));
        m.put("truncated UTF-8 sequence", concat(utf8("{\"op\":\"set\",\"key\":\"trunc\",\"value\":\"x"),
                bytes(0xe2, 0x82), utf8("\"}")));
        m.put("lone surrogate escape", utf8("{\"op\":\"set\",\"key\":\"lone\",\"value\":\"\\ud800 and \\udc00\"}"));
        m.put("surrogate pair escape and literal emoji",
                utf8("{\"op\":\"set\",\"key\":\"emoji\",\"value\":\"\\ud83d\\ude00 😀 \\u00e9 é\"}"));
        m.put("NUL and control escapes in a key",
                utf8("{\"op\":\"set\",\"key\":\"nul\\u0000\\t\\n\\\"\\\\\\/\",\"value\":\"x\"}"));
        m.put("empty key", utf8("{\"op\":\"set\",\"key\":\"\",\"value\":\"empty key\"}"));
        m.put("duplicate value: the last wins",
                utf8("{\"op\":\"set\",\"key\":\"dup\",\"value\":\"first\",\"value\":\"second\"}"));
        m.put("duplicate key and op: the last wins",
                utf8("{\"op\":\"delete\",\"key\":\"k\",\"key\":\"dup2\",\"op\":\"set\",\"value\":\"x\"}"));
        m.put("unknown members of every type", utf8("{\"op\":\"set\",\"key\":\"extra\",\"value\":\"x\","
                + "\"n\":-1.5e400,\"o\":{\"a\":[1,true,null,{}]},\"b\":false,\"s\":\"\\u0041\"}"));
        m.put("JSON whitespace around everything",
                utf8(" \t\r\n{ \"op\" : \"set\" ,\n\"key\"\t:\"ws\", \"value\" :\r\"x\" } \n"));
        m.put("form feed is not JSON whitespace", utf8("\f{\"op\":\"set\",\"key\":\"ff\",\"value\":\"x\"}"));
        m.put("byte order mark", concat(bytes(0xef, 0xbb, 0xbf), utf8("{\"op\":\"set\",\"key\":\"bom\",\"value\":\"x\"}")));
        m.put("op in upper case", utf8("{\"OP\":\"set\",\"key\":\"upper\",\"value\":\"x\"}"));
        m.put("member name with escapes", utf8("{\"\\u006fp\":\"set\",\"key\":\"escaped-name\",\"value\":\"x\"}"));
        m.put("unknown op", utf8("{\"op\":\"put\",\"key\":\"k\",\"value\":\"x\"}"));
        m.put("value is a number", utf8("{\"op\":\"set\",\"key\":\"num\",\"value\":5}"));
        m.put("value is null", utf8("{\"op\":\"set\",\"key\":\"null\",\"value\":null}"));
        m.put("key missing", utf8("{\"op\":\"set\",\"value\":\"x\"}"));
        m.put("value missing", utf8("{\"op\":\"set\",\"key\":\"novalue\"}"));
        m.put("malformed: unterminated object", utf8("{\"op\":\"set\",\"key\":\"x\""));
        m.put("malformed: trailing comma", utf8("{\"op\":\"set\",\"key\":\"a\",\"value\":\"b\",}"));
        m.put("malformed: trailing garbage", utf8("{\"op\":\"set\",\"key\":\"tg\",\"value\":\"b\"} x"));
        m.put("malformed: two objects", utf8("{\"op\":\"set\",\"key\":\"two\",\"value\":\"b\"}{}"));
        m.put("malformed: single quotes", utf8("{'op':'set','key':'sq','value':'b'}"));
        m.put("malformed: bad escape", utf8("{\"op\":\"set\",\"key\":\"esc\",\"value\":\"\\x41\"}"));
        m.put("malformed: raw control character", concat(utf8("{\"op\":\"set\",\"key\":\"ctl\",\"value\":\"a"),
                bytes(0x01), utf8("\"}")));
        m.put("JSON null", utf8("null"));
        m.put("JSON array", utf8("[{\"op\":\"set\",\"key\":\"arr\",\"value\":\"x\"}]"));
        m.put("JSON string", utf8("\"set\""));
        m.put("JSON number", utf8("42"));
        m.put("empty entry", new byte[0]);
        m.put("not JSON at all", bytes(0x00, 0xff, 0x10, 0x80, 0x7f));
        m.put("nesting deeper than Go allows", deep(10001));
        m.put("nesting exactly as deep as Go allows", deep(9999));
        m.put("delete of an absent key", utf8("{\"op\":\"delete\",\"key\":\"never-set\"}"));
        m.put("delete", utf8("{\"op\":\"delete\",\"key\":\"extra\"}"));
        m.put("cas without expect: only if absent, succeeds", utf8("{\"op\":\"cas\",\"key\":\"c\",\"value\":\"v1\"}"));
        m.put("cas expect null: fails, present", utf8("{\"op\":\"cas\",\"key\":\"c\",\"expect\":null,\"value\":\"v2\"}"));
        m.put("cas matching", utf8("{\"op\":\"cas\",\"key\":\"c\",\"expect\":\"v1\",\"value\":\"v3\"}"));
        m.put("cas not matching", utf8("{\"op\":\"cas\",\"key\":\"c\",\"expect\":\"v1\",\"value\":\"v4\"}"));
        m.put("cas expect is a number", utf8("{\"op\":\"cas\",\"key\":\"c\",\"expect\":1,\"value\":\"v5\"}"));
        m.put("cas expect with invalid UTF-8 matching the replaced value", concat(
                utf8("{\"op\":\"cas\",\"key\":\"bad-utf8\",\"expect\":\"a"), bytes(0xff, 0xfe),
                utf8(" b\",\"value\":\"fixed\"}")));
        m.put("large value with invalid bytes", largeValue());
        return m;
    }

    /** Applies every entry through {@code leader}, checking each result against a Flotilla {@link KvFsm}. */
    static Outcome applyAll(KvNode leader) {
        KvFsm shadow = new KvFsm();
        List<String> mismatches = new ArrayList<>();
        long last = 0;
        for (Map.Entry<String, byte[]> e : entries().entrySet()) {
            KvNode.Write w = leader.apply(e.getValue());
            KvResult expected = shadow.apply(new LogEntry(w.index(), 1, LogType.COMMAND, e.getValue()));
            String want = expected.toJson();
            boolean same = expected.isBadEntry()
                    ? w.result().startsWith("{\"ok\":false,\"error\":\"bad entry: ")
                    : want.equals(w.result());
            if (!same) {
                mismatches.add(e.getKey() + " [" + hex(e.getValue()) + "]: " + leader.kind() + " leader answered "
                        + w.result() + ", KvFsm answers " + want);
            }
            last = w.index();
        }
        return new Outcome(last, shadow.digest(), mismatches);
    }

    private static byte[] deep(int depth) {
        String prefix = "{\"op\":\"set\",\"key\":\"deep" + depth + "\",\"value\":\"x\",\"n\":";
        return utf8(prefix + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}");
    }

    private static byte[] largeValue() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"op\":\"set\",\"key\":\"large\",\"value\":\""));
        for (int i = 0; i < 20_000; i++) {
            out.writeBytes(utf8("abc\\u00e9"));
            out.write(i % 7 == 0 ? 0xc3 : 'x');
        }
        out.writeBytes(utf8("\"}"));
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] b) {
        String h = HexFormat.of().formatHex(b, 0, Math.min(b.length, 64));
        return b.length > 64 ? h + "...(" + b.length + " bytes)" : h;
    }
}
