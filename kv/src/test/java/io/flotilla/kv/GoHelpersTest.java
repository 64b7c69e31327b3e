package io.flotilla.kv;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java versions of the Go library functions the service mirrors — durations, host:port checks, {@code %q},
 * path unescaping, query parsing — give Go's answers (and error texts) for inputs recorded from Go 1.19.
 */
class GoHelpersTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void agreesWithGoOnEveryRecordedInput() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                getClass().getResourceAsStream("go-helper-vectors.tsv")), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                String input = new String(HEX.parseHex(f[1]), StandardCharsets.ISO_8859_1);
                String expected;
                String actual;
                switch (f[0]) {
                    case "D" -> {
                        expected = f[2].equals("ok") ? "ok " + f[3] : "err " + utf8(f[3]);
                        String in = utf8(f[1]);
                        try {
                            Duration d = GoDurations.parse(in);
                            actual = "ok " + d.toNanos();
                        } catch (IllegalArgumentException e) {
                            actual = "err " + e.getMessage();
                        }
                    }
                    case "H" -> {
                        expected = f[2].equals("-") ? "ok" : utf8(f[2]);
                        try {
                            GoNet.checkHostPort(input);
                            actual = "ok";
                        } catch (IllegalArgumentException e) {
                            actual = e.getMessage();
                        }
                    }
                    case "Q" -> {
                        expected = utf8(f[2]);
                        actual = GoQuote.quote(HEX.parseHex(f[1]));
                    }
                    case "P" -> {
                        expected = f[2].equals("ok") ? "ok " + f[3] : "err " + utf8(f[3]);
                        try {
                            actual = "ok " + HEX.formatHex(GoUrl.pathUnescape(input));
                        } catch (GoUrl.EscapeException e) {
                            actual = "err " + e.getMessage();
                        }
                    }
                    case "U" -> {
                        expected = f[3];
                        String name = utf8(f[2]);
                        actual = HEX.formatHex(GoUrl.parseQuery(input).get(name).getBytes(StandardCharsets.ISO_8859_1));
                    }
                    default -> throw new IllegalStateException(line);
                }
                checked++;
                if (!expected.equals(actual)) {
                    mismatches.add(line + " -> go: " + expected + " java: " + actual);
                }
            }
        }
        assertThat(checked).isEqualTo(130);
        assertThat(mismatches).isEmpty();
    }

    private static String utf8(String hex) {
        return new String(HEX.parseHex(hex), StandardCharsets.UTF_8);
    }

    @Test
    void peersParseLikeTheGoNode() {
        assertThat(PeerList.parse(" n1=127.0.0.1:1, ,n2=127.0.0.1:2/nonvoter,").servers())
                .extracting(Object::toString)
                .containsExactly("{Voter n1 127.0.0.1:1}", "{Nonvoter n2 127.0.0.1:2}");
        assertThat(PeerList.parse("").isEmpty()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeerList.parse("n1"))
                .hasMessage("bad peer \"n1\", want id=host:port[/nonvoter]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeerList.parse("n1=localhost"))
                .hasMessage("bad peer \"n1=localhost\": address localhost: missing port in address");
    }

    @Test
    void addressesPrintAsGoPrintsThem() {
        assertThat(KvNode.compressIpv6(new byte[16])).isEqualTo("::");
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        assertThat(KvNode.compressIpv6(loopback)).isEqualTo("::1");
        byte[] doc = HEX.parseHex("20010db8000000000001000000000001");
        assertThat(KvNode.compressIpv6(doc)).isEqualTo("2001:db8::1:0:0:1");
        byte[] single = HEX.parseHex("20010db8000100000001000100010001");
        assertThat(KvNode.compressIpv6(single)).isEqualTo("2001:db8:1:0:1:1:1:1");
    }

    @Test
    void jsonIsWrittenAsGoWritesIt() {
        assertThat(new JsonObject().str("a", "<&>\u2028\"\\\n\u0001").num("n", -1L).signed("s", -1)
                .strOrNull("p", java.util.Optional.empty()).bool("b", true).toString())
                .isEqualTo("{\"a\":\"<&>\\u2028\\\"\\\\\\n\\u0001\",\"n\":18446744073709551615,\"s\":-1,\"p\":null,"
                        + "\"b\":true}");
    }
}
