package io.flotilla.kv;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * Helpers for the key-value state: the byte-wise key order the snapshot stream uses, and the SHA-256 digest of a
 * state's snapshot encoding (equal digests mean equal state, on any node, Go or Java).
 */
public final class KvState {
    /**
     * Byte-wise order of the keys' UTF-8 encodings. UTF-8 preserves code point order, so comparing code points
     * gives it without encoding (Java's own {@code String} order compares UTF-16 units, which differs once
     * surrogates are involved: they encode code points above every other UTF-16 unit).
     */
    public static final Comparator<String> BYTEWISE = KvState::compareBytewise;

    private static int compareBytewise(String a, String b) {
        int common = Math.min(a.length(), b.length());
        int k = 0;
        while (k < common && a.charAt(k) == b.charAt(k)) {
            k++;
        }
        if (k == common) {
            return Integer.compare(a.length(), b.length());
        }
        char ca = a.charAt(k);
        char cb = b.charAt(k);
        if (!Character.isSurrogate(ca) && !Character.isSurrogate(cb)) {
            // Below the surrogates and above them alike, a UTF-16 unit is its code point.
            return Character.compare(ca, cb);
        }
        // Compare code points from the boundary before the first difference: a high surrogate just before it may
        // start a pair whose low half differs.
        int from = k > 0 && Character.isHighSurrogate(a.charAt(k - 1)) ? k - 1 : k;
        return compareCodePoints(a, b, from);
    }

    private static int compareCodePoints(String a, String b, int from) {
        int i = from;
        int j = from;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private KvState() {
    }

    /** The hex SHA-256 of the state's snapshot encoding. */
    public static String sha256(TreeMap<String, String> state) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            KvSnapshotCodec.write(state, new OutputStream() {
                @Override
                public void write(int b) {
                    md.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }
            });
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
