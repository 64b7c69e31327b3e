package io.flotilla.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * URL decoding with the rules of Go's {@code net/url}, which the Go node applies to keys in paths and to query
 * parameters: {@code PathUnescape} ({@code %XX} escapes, {@code +} stays a plus), {@code QueryUnescape}
 * ({@code +} is a space) and {@code ParseQuery} ({@code &}-separated, pairs with a {@code ;} or a bad escape are
 * dropped, the first value of a name is the one {@code Get} returns).
 */
final class GoUrl {
    private GoUrl() {
    }

    /** Thrown for a bad {@code %} escape, with Go's text ({@code invalid URL escape "%zz"}). */
    static final class EscapeException extends Exception {
        EscapeException(String message) {
            super(message);
        }
    }

    /** Go's {@code url.PathUnescape}, as bytes (the result need not be UTF-8). */
    static byte[] pathUnescape(String s) throws EscapeException {
        return unescape(s, false);
    }

    /** Go's {@code url.QueryUnescape}, as bytes. */
    static byte[] queryUnescape(String s) throws EscapeException {
        return unescape(s, true);
    }

    private static byte[] unescape(String s, boolean query) throws EscapeException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    String bad = s.substring(i, Math.min(s.length(), i + 3));
                    throw new EscapeException("invalid URL escape " + GoQuote.quote(bad));
                }
                out.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                i += 3;
            } else if (c == '+' && query) {
                out.write(' ');
                i++;
            } else {
                // The server hands us the raw request target as ISO-8859-1 characters, one per byte; anything
                // wider came from a caller and is written as UTF-8.
                if (c < 0x100) {
                    out.write(c);
                } else {
                    byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                }
                i++;
            }
        }
        return out.toByteArray();
    }

    /** The value of an ASCII hex digit, or -1 (Go's {@code unhex}, which knows no other digits). */
    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Go's {@code url.ParseQuery} ignoring its error, as {@code Request.URL.Query()} does: names and values
     * decoded, in order of first appearance. Values are byte strings held as ISO-8859-1 characters (one char per
     * byte) so that nothing is lost; {@link Query#get} and {@link Query#getUtf8} read them.
     */
    static Query parseQuery(String rawQuery) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        String q = rawQuery == null ? "" : rawQuery;
        while (!q.isEmpty()) {
            int amp = q.indexOf('&');
            String pair = amp < 0 ? q : q.substring(0, amp);
            q = amp < 0 ? "" : q.substring(amp + 1);
            if (pair.contains(";") || pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                String key = new String(queryUnescape(k), StandardCharsets.ISO_8859_1);
                String value = new String(queryUnescape(v), StandardCharsets.ISO_8859_1);
                m.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
            } catch (EscapeException e) {
                // dropped, as Go drops it
            }
        }
        return new Query(m);
    }

    /** Decoded query parameters. */
    record Query(Map<String, List<String>> values) {
        /** The first value of {@code name} as raw bytes in ISO-8859-1 characters, or "" (Go's {@code Get}). */
        String get(String name) {
            List<String> v = values.get(name.isEmpty() ? name
                    : new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
            return v == null || v.isEmpty() ? "" : v.get(0);
        }

        /** The first value of {@code name} decoded as UTF-8 (invalid bytes become U+FFFD), or "". */
        String getUtf8(String name) {
            return new String(get(name).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
    }
}
