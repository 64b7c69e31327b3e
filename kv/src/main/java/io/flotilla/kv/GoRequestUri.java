package io.flotilla.kv;

import java.nio.charset.StandardCharsets;

/**
 * A request target read as Go's {@code url.ParseRequestURI} reads it in {@code net/http}'s server, reduced to what
 * the handlers use: the path in the form Go's {@code URL.EscapedPath()} gives it, and the raw query.
 *
 * <p>The target is taken raw, one character per byte (ISO-8859-1): nothing is split off as a fragment ({@code #}
 * stays in the path), the query starts at the first {@code ?} (a target ending in its only {@code ?} has an empty
 * query), bytes of 0x80 and above pass through, and control bytes, bad {@code %} escapes and targets that are
 * neither {@code *}, a path nor an absolute URL are refused. Absolute URLs ({@code http://host/kv/a}) give their
 * path, as in Go, after the same checks of the authority.
 *
 * @param escapedPath Go's {@code EscapedPath()}: the path as sent when that is a valid escaping of it, else the
 *                    decoded path escaped again ({@code /kv/a{b} becomes {@code /kv/a%7Bb}); either way
 *                    {@link GoUrl#pathUnescape} of it is the decoded path
 * @param rawQuery    everything after the first {@code ?}, or "" when there is none
 * @param asterisk    the target was {@code *} ({@code OPTIONS *})
 */
record GoRequestUri(String escapedPath, String rawQuery, boolean asterisk) {

    /** A target Go's server refuses with 400 before any handler runs; the message is Go's error text. */
    static final class BadTargetException extends Exception {
        BadTargetException(String message) {
            super(message);
        }
    }

    /** Parses {@code target}, the second word of the request line, one character per byte. */
    static GoRequestUri parse(String target) throws BadTargetException {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw bad(target, "net/url: invalid control character in URL");
            }
        }
        if (target.isEmpty()) {
            throw bad(target, "empty url");
        }
        if (target.equals("*")) {
            return new GoRequestUri("*", "", true);
        }
        String scheme = "";
        String rest = target;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
                continue;
            }
            if (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
                if (i == 0) {
                    break;
                }
                continue;
            }
            if (c == ':') {
                if (i == 0) {
                    throw bad(target, "missing protocol scheme");
                }
                scheme = target.substring(0, i);
                rest = target.substring(i + 1);
            }
            break;
        }

        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }

        if (!rest.startsWith("/")) {
            if (scheme.isEmpty()) {
                throw bad(target, "invalid URI for request");
            }
            return new GoRequestUri("", query, false); // opaque ("http:x"): Go leaves the path empty
        }
        if (!scheme.isEmpty() && rest.startsWith("//")) {
            String authority = rest.substring(2);
            int slash = authority.indexOf('/');
            rest = slash < 0 ? "" : authority.substring(slash);
            checkAuthority(target, slash < 0 ? authority : authority.substring(0, slash));
        }
        byte[] path;
        try {
            path = GoUrl.pathUnescape(rest);
        } catch (GoUrl.EscapeException e) {
            throw bad(target, e.getMessage());
        }
        return new GoRequestUri(validEncoded(rest) ? rest : escape(path), query, false);
    }

    private static BadTargetException bad(String target, String why) {
        return new BadTargetException("parse " + quote(target) + ": " + why);
    }

    /** Go's {@code parseAuthority}: user info (if any) of allowed characters, then a host that Go accepts. */
    private static void checkAuthority(String target, String authority) throws BadTargetException {
        int at = authority.lastIndexOf('@');
        String host = at < 0 ? authority : authority.substring(at + 1);
        if (host.startsWith("[")) {
            int close = host.lastIndexOf(']');
            if (close < 0) {
                throw bad(target, "missing ']' in host");
            }
            checkPort(target, host.substring(close + 1));
            int zone = host.substring(0, close).indexOf("%25");
            if (zone >= 0) {
                checkHost(target, host.substring(0, zone), false);
                checkHost(target, host.substring(zone, close), true);
                checkHost(target, host.substring(close), false);
            } else {
                checkHost(target, host, false);
            }
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                checkPort(target, host.substring(colon));
            }
            checkHost(target, host, false);
        }
        if (at >= 0) {
            for (int i = 0; i < at; i++) {
                char c = authority.charAt(i);
                if (!(isAlnum(c) || "-._:~!$&'()*+,;=%@".indexOf(c) >= 0)) {
                    throw bad(target, "net/url: invalid userinfo");
                }
            }
        }
    }

    private static void checkPort(String target, String colonPort) throws BadTargetException {
        if (colonPort.isEmpty()) {
            return;
        }
        boolean ok = colonPort.charAt(0) == ':';
        for (int i = 1; ok && i < colonPort.length(); i++) {
            ok = colonPort.charAt(i) >= '0' && colonPort.charAt(i) <= '9';
        }
        if (!ok) {
            throw bad(target, "invalid port " + quote(colonPort) + " after host");
        }
    }

    /** Go's {@code unescape} in host (or zone) mode, for its errors only. */
    private static void checkHost(String target, String s, boolean zone) throws BadTargetException {
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || GoUrl.hex(s.charAt(i + 1)) < 0 || GoUrl.hex(s.charAt(i + 2)) < 0) {
                    throw bad(target, "invalid URL escape " + quote(s.substring(i, Math.min(s.length(), i + 3))));
                }
                String esc = s.substring(i, i + 3);
                int v = GoUrl.hex(s.charAt(i + 1)) << 4 | GoUrl.hex(s.charAt(i + 2));
                boolean refused = zone
                        ? !esc.equals("%25") && v != ' ' && hostNeedsEscape((char) v)
                        : GoUrl.hex(s.charAt(i + 1)) < 8 && !esc.equals("%25");
                if (refused) {
                    throw bad(target, "invalid URL escape " + quote(esc));
                }
                i += 3;
            } else {
                if (c < 0x80 && hostNeedsEscape(c)) {
                    throw bad(target, "invalid character " + quote(String.valueOf(c)) + " in host name");
                }
                i++;
            }
        }
    }

    private static boolean hostNeedsEscape(char c) {
        return !(isAlnum(c) || "!$&'()*+,;=:[]<>\"-_.~".indexOf(c) >= 0);
    }

    /** Go's {@code validEncoded(s, encodePath)}: nothing in {@code s} would be escaped by {@link #escape}. */
    static boolean validEncoded(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ("!$&'()*+,;=:@[]%".indexOf(c) < 0 && pathNeedsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    /** Go's {@code escape(s, encodePath)} of decoded bytes. */
    static String escape(byte[] path) {
        StringBuilder sb = new StringBuilder(path.length);
        for (byte b : path) {
            char c = (char) (b & 0xff);
            if (pathNeedsEscape(c)) {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Go's {@code %q} of a byte string held one character per byte. */
    private static String quote(String latin1) {
        return GoQuote.quote(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Go's {@code shouldEscape(c, encodePath)}. */
    private static boolean pathNeedsEscape(char c) {
        if (isAlnum(c)) {
            return false;
        }
        return switch (c) {
            case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@' -> false;
            default -> true; // '?' and everything else
        };
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
