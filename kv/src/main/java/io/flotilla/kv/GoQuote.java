package io.flotilla.kv;

import java.nio.charset.StandardCharsets;

/**
 * Go's {@code strconv.Quote} ({@code %q}): the Go node puts quoted values into some error texts, and Java nodes
 * answer with the same texts. Works on UTF-8 bytes so that invalid sequences come out as {@code \xNN}, as in Go.
 */
final class GoQuote {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {
    }

    /** {@code s} quoted, escapes as Go writes them. */
    static String quote(String s) {
        return quote(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes quoted as a Go string. */
    static String quote(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length + 2).append('"');
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                appendRune(sb, c);
                i++;
                continue;
            }
            int n = GoUtf8.validRuneLength(b, i, b.length);
            if (n == 0) {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                i++;
                continue;
            }
            appendRune(sb, new String(b, i, n, StandardCharsets.UTF_8).codePointAt(0));
            i += n;
        }
        return sb.append('"').toString();
    }

    private static void appendRune(StringBuilder sb, int r) {
        if (r == '"' || r == '\\') {
            sb.append('\\').append((char) r);
            return;
        }
        if (isPrint(r)) {
            sb.appendCodePoint(r);
            return;
        }
        switch (r) {
            case 0x07 -> sb.append("\\a");
            case '\b' -> sb.append("\\b");
            case '\f' -> sb.append("\\f");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case 0x0b -> sb.append("\\v");
            default -> {
                if (r < ' ' || r == 0x7f) {
                    sb.append("\\x").append(HEX[r >> 4]).append(HEX[r & 0xf]);
                } else if (r < 0x10000) {
                    sb.append("\\u").append(hex(r, 4));
                } else {
                    sb.append("\\U").append(hex(r, 8));
                }
            }
        }
    }

    private static String hex(int v, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = HEX[v & 0xf];
            v >>>= 4;
        }
        return new String(out);
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    static boolean isPrint(int r) {
        if (r < 0x80) {
            return r >= 0x20 && r < 0x7f;
        }
        return switch (Character.getType(r)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                    Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }
}
