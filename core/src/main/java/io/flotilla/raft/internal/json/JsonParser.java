package io.flotilla.raft.internal.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict JSON (RFC 8259) parser for the small files Flotilla reads: exactly one value, optionally surrounded
 * by whitespace, nested at most {@link #MAX_DEPTH} deep. Errors say what was wrong and where (line and
 * column). Strings are decoded as Go does: malformed UTF-8 and unpaired surrogate escapes become U+FFFD.
 */
public final class JsonParser {
    /** How deeply arrays and objects may nest; real inputs are two or three levels deep. */
    public static final int MAX_DEPTH = 256;

    private final String text;
    private int pos;
    private int depth;

    private JsonParser(String text) {
        this.text = text;
    }

    /** Parses UTF-8 encoded JSON. */
    public static JsonValue parse(byte[] utf8) throws JsonException {
        // The String constructor replaces malformed UTF-8 with U+FFFD, which is what Go does inside strings;
        // outside strings such a character is a syntax error either way.
        return parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /** Parses JSON text. */
    public static JsonValue parse(String text) throws JsonException {
        JsonParser parser = new JsonParser(text);
        parser.skipWhitespace();
        JsonValue value = parser.value();
        parser.skipWhitespace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected " + parser.describeCurrent() + " after the JSON value");
        }
        return value;
    }

    private JsonValue value() throws JsonException {
        if (pos >= text.length()) {
            throw error("unexpected end of input, expected a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> new JsonString(string());
            case 't' -> literal("true", JsonBoolean.TRUE);
            case 'f' -> literal("false", JsonBoolean.FALSE);
            case 'n' -> literal("null", JsonNull.NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected " + describeCurrent() + ", expected a value");
            }
        };
    }

    private JsonObject object() throws JsonException {
        enter();
        pos++;
        List<JsonObject.Member> members = new ArrayList<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return new JsonObject(members);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describeCurrent() + ", expected a string key");
            }
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.add(new JsonObject.Member(name, value()));
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == '}') {
                pos++;
                depth--;
                return new JsonObject(members);
            } else {
                throw error("unexpected " + describeCurrent() + ", expected ',' or '}'");
            }
        }
    }

    private JsonArray array() throws JsonException {
        enter();
        pos++;
        List<JsonValue> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return new JsonArray(elements);
        }
        while (true) {
            skipWhitespace();
            elements.add(value());
            skipWhitespace();
            if (peek() == ',') {
                pos++;
            } else if (peek() == ']') {
                pos++;
                depth--;
                return new JsonArray(elements);
            } else {
                throw error("unexpected " + describeCurrent() + ", expected ',' or ']'");
            }
        }
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String string() throws JsonException {
        int start = pos;
        pos++; // opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character " + codePoint(c) + " in string (it must be escaped)");
            }
            if (c != '\\') {
                out.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char e = text.charAt(pos + 1);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    unicodeEscape(out);
                    continue;
                }
                default -> throw error("invalid escape '\\" + e + "' in string");
            }
            pos += 2;
        }
    }

    /** Decodes {@code \}{@code uXXXX} at {@code pos}, joining a surrogate pair when a second escape completes it. */
    private void unicodeEscape(StringBuilder out) throws JsonException {
        char first = hex4(pos + 2);
        pos += 6;
        if (Character.isHighSurrogate(first) && text.startsWith("\\u", pos)) {
            char second = hex4(pos + 2);
            if (Character.isLowSurrogate(second)) {
                out.append(first).append(second);
                pos += 6;
                return;
            }
        }
        // A surrogate that is not half of a pair names no character; Go substitutes U+FFFD and so do we, so
        // that the string stays valid UTF-16 (and UTF-8 when written back).
        out.append(Character.isSurrogate(first) ? '\uFFFD' : first);
    }

    private char hex4(int at) throws JsonException {
        if (at + 4 > text.length()) {
            pos = Math.min(at, text.length());
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = at; i < at + 4; i++) {
            int d = hexDigit(text.charAt(i));
            if (d < 0) {
                pos = i;
                throw error("invalid hex digit " + describe(text.charAt(i)) + " in \\u escape");
            }
            v = v * 16 + d;
        }
        return (char) v;
    }

    private static int hexDigit(char c) {
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

    private JsonNumber number() throws JsonException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("invalid number: expected a digit, got " + describeCurrent());
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit after '.', got " + describeCurrent());
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit in the exponent, got " + describeCurrent());
            }
            digits();
        }
        return new JsonNumber(text.substring(start, pos));
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private JsonValue literal(String word, JsonValue value) throws JsonException {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= text.length() || text.charAt(pos) != word.charAt(i)) {
                throw error("unexpected " + describeCurrent() + " in literal '" + word + "'");
            }
            pos++;
        }
        return value;
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) {
            throw error("unexpected " + describeCurrent() + ", expected '" + c + "'");
        }
        pos++;
    }

    /** The current character, or -1 at the end. */
    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String describeCurrent() {
        return pos >= text.length() ? "end of input" : describe(text.charAt(pos));
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : "character " + codePoint(c);
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }

    private JsonException error(String message) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new JsonException("invalid JSON at line " + line + ", column " + column + ": " + message);
    }
}
