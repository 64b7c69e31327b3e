package io.flotilla.kv;

/**
 * Writes JSON strings the way Go's {@code encoding/json} does, so entries and answers are byte-identical to the
 * Go node's: {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}, other control characters as
 * {@code &#92;u00XX}, U+2028 and U+2029 escaped, and optionally HTML-escaped {@code <}, {@code >}, {@code &}.
 */
final class GoJsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoJsonWriter() {
    }

    /** Appends {@code s} as a quoted JSON string. */
    static void string(StringBuilder sb, String s, boolean escapeHtml) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\u2028' -> sb.append("\\u2028");
                case '\u2029' -> sb.append("\\u2029");
                default -> {
                    if (c < 0x20 || (escapeHtml && (c == '<' || c == '>' || c == '&'))) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isSurrogate(c) && !validPair(s, i)) {
                        // Go writes invalid UTF-8 as U+FFFD; a lone surrogate is the Java equivalent.
                        sb.append("\\ufffd");
                    } else {
                        sb.append(c);
                        if (Character.isHighSurrogate(c)) {
                            sb.append(s.charAt(++i));
                        }
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean validPair(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** {@code s} as a quoted JSON string. */
    static String string(String s, boolean escapeHtml) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        string(sb, s, escapeHtml);
        return sb.toString();
    }
}
