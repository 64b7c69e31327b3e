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
     * gives it without encoding (Java's own {@code String} order compares UTF-16 units, which differs).
     */
    public static final Comparator<String> BYTEWISE = (a, b) -> {
        int i = 0;
        int j = 0;
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
    };

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
