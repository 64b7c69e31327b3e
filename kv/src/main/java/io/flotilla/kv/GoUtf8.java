package io.flotilla.kv;

/**
 * UTF-8 validation with Go's rules ({@code unicode/utf8.DecodeRune}): shortest forms only, no surrogates, at most
 * U+10FFFF. Where Go decodes an invalid sequence as one replacement per byte, callers do the same with
 * {@link #validRuneLength}.
 */
final class GoUtf8 {
    private GoUtf8() {
    }

    /**
     * The length (1..4) of the valid multi-byte sequence starting at {@code at}, or 0 if the byte there does not
     * start one that ends before {@code end}. ASCII bytes are not multi-byte: callers handle them first.
     */
    static int validRuneLength(byte[] b, int at, int end) {
        int b0 = b[at] & 0xff;
        int need;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            need = 2;
        } else if (b0 == 0xE0) {
            need = 3;
            lo = 0xA0;
        } else if (b0 >= 0xE1 && b0 <= 0xEC || b0 == 0xEE || b0 == 0xEF) {
            need = 3;
        } else if (b0 == 0xED) {
            need = 3;
            hi = 0x9F; // no surrogates
        } else if (b0 == 0xF0) {
            need = 4;
            lo = 0x90;
        } else if (b0 >= 0xF1 && b0 <= 0xF3) {
            need = 4;
        } else if (b0 == 0xF4) {
            need = 4;
            hi = 0x8F;
        } else {
            return 0;
        }
        if (at + need > end) {
            return 0;
        }
        int b1 = b[at + 1] & 0xff;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int i = 2; i < need; i++) {
            int bi = b[at + i] & 0xff;
            if (bi < 0x80 || bi > 0xBF) {
                return 0;
            }
        }
        return need;
    }

    /** Whether the whole array is valid UTF-8 by Go's rules. */
    static boolean isValid(byte[] b) {
        int i = 0;
        while (i < b.length) {
            if ((b[i] & 0xff) < 0x80) {
                i++;
                continue;
            }
            int n = validRuneLength(b, i, b.length);
            if (n == 0) {
                return false;
            }
            i += n;
        }
        return true;
    }
}
