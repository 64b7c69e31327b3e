package io.flotilla.raft.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Helpers for the byte arrays carried by Flotilla's value types, where {@code null} means "absent"
 * (Go's nil slice) and must stay distinct from an empty array, because the wire distinguishes them.
 */
public final class Bytes {
    private Bytes() {
    }

    /** A defensive copy that keeps {@code null} as {@code null}. */
    public static byte[] copy(byte[] bytes) {
        return bytes == null ? null : bytes.clone();
    }

    /** The UTF-8 bytes of a string. */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A short, log-friendly rendering: printable ASCII as text, anything else as hex. */
    public static String describe(byte[] bytes) {
        if (bytes == null) {
            return "nil";
        }
        boolean printable = true;
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return "\"" + new String(bytes, StandardCharsets.US_ASCII) + "\"";
        }
        if (bytes.length > 64) {
            return "0x" + HexFormat.of().formatHex(bytes, 0, 64) + "...(" + bytes.length + " bytes)";
        }
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    /** Null-safe content equality. */
    public static boolean equal(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    /** Null-safe content hash. */
    public static int hash(byte[] a) {
        return Arrays.hashCode(a);
    }
}
