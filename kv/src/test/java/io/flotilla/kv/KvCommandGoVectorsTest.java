package io.flotilla.kv;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java decoder agrees with the Go reference node's decodeCommand on 2,064 entries recorded from Go: the same
 * commands, the same rejections, and the same error texts.
 */
class KvCommandGoVectorsTest {

    @Test
    void decodesEveryRecordedEntryExactlyAsGoDoes() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int lines = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                getClass().getResourceAsStream("go-entry-vectors.tsv")), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines++;
                String[] parts = line.split("\t");
                byte[] entry = HexFormat.of().parseHex(parts[0]);
                String expected = parts[1];
                String actual;
                try {
                    KvCommand c = KvCommand.decode(entry);
                    actual = "OK " + c.op().wire() + " " + hex(c.key()) + " " + (c.value() == null ? "" : hex(c.value()))
                            + " " + c.expect().map(KvCommandGoVectorsTest::hex).orElse("-");
                } catch (KvCommand.BadEntryException e) {
                    actual = "BAD";
                }
                if (!actual.equals(expected)) {
                    mismatches.add(parts[0] + ": go=" + expected + " java=" + actual);
                }
            }
        }
        assertThat(lines).isEqualTo(2064);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void reportsTheSameErrorTextsAsGo() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int lines = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                getClass().getResourceAsStream("go-entry-errors.tsv")), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines++;
                String[] parts = line.split("\t");
                String expected = parts[1].equals("-") ? "-"
                        : new String(HexFormat.of().parseHex(parts[1]), StandardCharsets.UTF_8);
                String actual;
                try {
                    KvCommand.decode(HexFormat.of().parseHex(parts[0]));
                    actual = "-";
                } catch (KvCommand.BadEntryException e) {
                    actual = e.getMessage();
                }
                if (!actual.equals(expected)) {
                    mismatches.add(abbreviate(parts[0]) + ": go=" + expected + " java=" + actual);
                }
            }
        }
        assertThat(lines).isEqualTo(2064);
        assertThat(mismatches).isEmpty();
    }

    /** Some entries are tens of kilobytes (deep nesting); a report needs only their start. */
    private static String abbreviate(String hex) {
        return hex.length() <= 120 ? hex : hex.substring(0, 120) + "...(" + hex.length() / 2 + " bytes)";
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }
}
