package io.flotilla.kv;

import java.nio.charset.StandardCharsets;

/**
 * The fast path of {@link KvCommand#decode}: a {@code set} or {@code delete} written exactly as the Go node and
 * {@link KvCommand#encode} write it, with keys and values of printable ASCII that need no escaping. Nearly every
 * entry of a real log looks like this, and reading it takes a few comparisons instead of a JSON parse (which was
 * most of the state machine's time). Anything else — other member orders, whitespace, escapes, non-ASCII, cas —
 * returns {@code null} and goes through the general parser, so the result is always the general parser's.
 */
final class CanonicalEntry {
    private static final byte[] SET_PREFIX = ascii("{\"op\":\"set\",\"key\":\"");
    private static final byte[] DELETE_PREFIX = ascii("{\"op\":\"delete\",\"key\":\"");
    private static final byte[] VALUE_MEMBER = ascii("\",\"value\":\"");

    private CanonicalEntry() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The command, or {@code null} if {@code b} is not in the canonical form. */
    static KvCommand decode(byte[] b) {
        if (startsWith(b, SET_PREFIX)) {
            int keyEnd = plainStringEnd(b, SET_PREFIX.length);
            if (keyEnd < 0 || !matchesAt(b, keyEnd, VALUE_MEMBER)) {
                return null;
            }
            int valueStart = keyEnd + VALUE_MEMBER.length;
            int valueEnd = plainStringEnd(b, valueStart);
            if (!closesObject(b, valueEnd)) {
                return null;
            }
            return KvCommand.set(latin1(b, SET_PREFIX.length, keyEnd), latin1(b, valueStart, valueEnd));
        }
        if (startsWith(b, DELETE_PREFIX)) {
            int keyEnd = plainStringEnd(b, DELETE_PREFIX.length);
            if (!closesObject(b, keyEnd)) {
                return null;
            }
            return KvCommand.delete(latin1(b, DELETE_PREFIX.length, keyEnd));
        }
        return null;
    }

    /**
     * Where the string starting at {@code from} ends (its closing quote), or -1 if it holds anything but printable
     * ASCII without quote or backslash (control characters, escapes, bytes of multi-byte UTF-8) or never ends.
     */
    private static int plainStringEnd(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            // Bytes are signed: every byte of 0x80 and above is negative, so below 0x20 too.
            if (c < 0x20 || c == '\\' || c == 0x7f) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether the closing quote at {@code quote} is followed by exactly {@code "}"} and the end. */
    private static boolean closesObject(byte[] b, int quote) {
        return quote >= 0 && quote + 2 == b.length && b[quote + 1] == '}';
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return matchesAt(b, 0, prefix);
    }

    private static boolean matchesAt(byte[] b, int at, byte[] part) {
        if (b.length - at < part.length) {
            return false;
        }
        for (int i = 0; i < part.length; i++) {
            if (b[at + i] != part[i]) {
                return false;
            }
        }
        return true;
    }

    /** Plain ASCII decodes the same in every ASCII-compatible charset; Latin-1 is the cheapest for compact strings. */
    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
