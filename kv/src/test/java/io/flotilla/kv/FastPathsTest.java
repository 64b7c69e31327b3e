package io.flotilla.kv;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state machine's two fast paths give exactly what the slow, obviously-correct ways give: the canonical-entry
 * decoder what the general JSON parser gives, and the key order what comparing UTF-8 bytes gives.
 */
class FastPathsTest {

    /** What a decode produced: a command or the text of the bad-entry error. */
    private static Object outcome(byte[] entry, boolean general) {
        try {
            return general ? KvCommand.decodeGeneral(entry) : KvCommand.decode(entry);
        } catch (KvCommand.BadEntryException e) {
            return "bad: " + e.getMessage();
        }
    }

    @Property(tries = 3000)
    void canonicalDecodeAgreesWithTheParser(@ForAll("entries") byte[] entry) {
        assertThat(outcome(entry, false)).isEqualTo(outcome(entry, true));
    }

    @Example
    void canonicalEntriesTakeTheFastPath() {
        assertThat(CanonicalEntry.decode(KvCommand.set("bench/7", "xxx").encode()))
                .isEqualTo(KvCommand.set("bench/7", "xxx"));
        assertThat(CanonicalEntry.decode(KvCommand.delete("").encode())).isEqualTo(KvCommand.delete(""));
        // Not canonical: left to the parser.
        assertThat(CanonicalEntry.decode(bytes("{\"op\":\"set\",\"key\":\"k\",\"value\":\"v\"} "))).isNull();
        assertThat(CanonicalEntry.decode(bytes("{\"op\":\"set\",\"key\":\"k\\n\",\"value\":\"v\"}"))).isNull();
        assertThat(CanonicalEntry.decode(bytes("{\"op\":\"set\",\"key\":\"k\",\"value\":\"v\",\"value\":\"w\"}")))
                .isNull();
        assertThat(CanonicalEntry.decode(KvCommand.set("ключ", "v").encode())).isNull();
    }

    @Provide
    Arbitrary<byte[]> entries() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\u00e9', '\u007f',
                '\ud83d', '\ude00').ofMaxLength(8);
        Arbitrary<byte[]> canonical = Combinators.combine(Arbitraries.of("set", "delete", "cas", "sett"), text, text)
                .as((op, key, value) -> bytes(switch (op) {
                    case "delete" -> "{\"op\":\"delete\",\"key\":\"" + key + "\"}";
                    default -> "{\"op\":\"" + op + "\",\"key\":\"" + key + "\",\"value\":\"" + value + "\"}";
                }));
        // Canonical entries with one byte changed, dropped or added: near misses must fall back, not misread.
        Arbitrary<byte[]> mutated = Combinators.combine(canonical, Arbitraries.integers().between(0, 200),
                Arbitraries.of((byte) '"', (byte) '\\', (byte) '}', (byte) ' ', (byte) 'x', (byte) 0, (byte) 0xc3,
                        (byte) 0x7f), Arbitraries.integers().between(0, 2)).as(FastPathsTest::mutate);
        return Arbitraries.oneOf(canonical, mutated);
    }

    private static byte[] mutate(byte[] b, int at, byte with, int how) {
        if (b.length == 0) {
            return b;
        }
        int i = at % b.length;
        byte[] out;
        switch (how) {
            case 0 -> {
                out = b.clone();
                out[i] = with;
            }
            case 1 -> {
                out = new byte[b.length - 1];
                System.arraycopy(b, 0, out, 0, i);
                System.arraycopy(b, i + 1, out, i, b.length - i - 1);
            }
            default -> {
                out = new byte[b.length + 1];
                System.arraycopy(b, 0, out, 0, i);
                out[i] = with;
                System.arraycopy(b, i, out, i + 1, b.length - i);
            }
        }
        return out;
    }

    @Property(tries = 5000)
    void keyOrderIsUtf8ByteOrder(@ForAll("keys") String a, @ForAll("keys") String b) {
        int expected = Integer.signum(Arrays.compareUnsigned(bytes(a), bytes(b)));
        assertThat(Integer.signum(KvState.BYTEWISE.compare(a, b))).isEqualTo(expected);
    }

    @Example
    void surrogatesSortAboveTheRestOfTheBasicPlane() {
        // U+FFFD is above U+D83D as a UTF-16 unit but below U+1F600 as a code point (and in UTF-8).
        List<String> keys = List.of("a\ufffd", "a\ud83d\ude00", "a", "ab", "a\ud83d\ude01");
        assertThat(keys.stream().sorted(KvState.BYTEWISE).toList())
                .containsExactly("a", "ab", "a\ufffd", "a\ud83d\ude00", "a\ud83d\ude01");
    }

    @Provide
    Arbitrary<String> keys() {
        // Few distinct characters so that long common prefixes are frequent; whole surrogate pairs only (a key
        // always comes from valid UTF-8).
        Arbitrary<String> unit = Arbitraries.of("a", "b", "\u00e9", "\uffef", "\ufffd", "\ud83d\ude00",
                "\ud83d\ude01", "\ud800\udc00", "\udbff\udfff");
        return unit.list().ofMaxSize(6).map(l -> String.join("", l));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
