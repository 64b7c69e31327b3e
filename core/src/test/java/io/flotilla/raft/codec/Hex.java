package io.flotilla.raft.codec;

import java.util.HexFormat;

/** Hex helpers for tests: byte literals written the way the wire README writes them. */
final class Hex {
    private Hex() {
    }

    /** Bytes from hex, ignoring whitespace. */
    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** Lowercase hex. */
    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A fixstr (or str16) holding the ASCII text, as hex. */
    static String str(String ascii) {
        int n = ascii.length();
        String header = n < 32 ? String.format("%02x", 0xa0 | n) : String.format("da%04x", n);
        return header + HexFormat.of().formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
