package io.flotilla.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a JSON object exactly as Go's {@code encoding/json} does when it decodes into
 * {@code map[string]json.RawMessage} — the way the reference Go node reads log entries. Mixed Go/Java clusters
 * stay consistent only if both sides accept and reject the same entries and decode the same strings, odd
 * bytes included, so this follows Go 1.19's scanner and {@code unquote} rather than a general-purpose JSON
 * library: whitespace is space, tab, CR and LF only; nesting deeper than 10000 is an error; the whole input must
 * be one value; invalid UTF-8 bytes and unpaired surrogate escapes become U+FFFD (one per byte); duplicate names:
 * the last wins.
 */
final class GoJson {
    /** Go's {@code maxNestingDepth}. */
    static final int MAX_DEPTH = 10000;

    /** What a member's raw value is, as far as the FSM cares. */
    enum Kind {
        /** A JSON string (its decoded value is in {@link Member#string()}). */
        STRING,
        /** JSON {@code null}. */
        NULL,
        /** Anything else: number, boolean, object or array. */
        OTHER
    }

    /**
     * One member of the object.
     *
     * @param kind   what the value is
     * @param string the decoded string when {@code kind == STRING}, else {@code null}
     */
    record Member(Kind kind, String string) {
    }

    /** Thrown when the input is not a JSON object Go would accept. */
    static final class GoJsonException extends Exception {
        GoJsonException(String message) {
            super(message);
        }
    }

    private final byte[] in;
    private int pos;

    private GoJson(byte[] in) {
        this.in = in;
    }

    /**
     * Parses {@code input} as a JSON object.
     *
     * @throws GoJsonException if it is not valid JSON, or not an object (JSON {@code null} included)
     */
    static Map<String, Member> parseObject(byte[] input) throws GoJsonException {
        GoJson p = new GoJson(input);
        try {
            p.validate();
        } catch (GoJsonException e) {
            // the Go node wraps json.Unmarshal's error: fmt.Errorf("not a JSON object: %v", err)
            throw new GoJsonException("not a JSON object: " + e.getMessage());
        }
        p.pos = 0;
        p.skipSpace();
        if (p.peek() != '{') {
            if (p.startsWith("null")) {
                throw new GoJsonException("not a JSON object: null");
            }
            throw new GoJsonException("not a JSON object: json: cannot unmarshal " + p.describeValue()
                    + " into Go value of type map[string]json.RawMessage");
        }
        return p.readObjectMembers();
    }

    // ------------------------------------------------------------------------------------------------------
    // Validation: Go's scanner, iteratively (deep nesting must not overflow our stack).

    private void validate() throws GoJsonException {
        pos = 0;
        skipSpace();
        if (pos >= in.length) {
            throw new GoJsonException("unexpected end of JSON input");
        }
        ArrayDeque<Character> stack = new ArrayDeque<>();
        // state: expecting a value
        boolean expectValue = true;
        while (true) {
            if (expectValue) {
                skipSpace();
                int c = peek();
                if (c < 0) {
                    throw new GoJsonException("unexpected end of JSON input");
                }
                if (c == '{') {
                    pos++;
                    push(stack, '{');
                    skipSpace();
                    if (peek() == '}') {
                        pos++;
                        stack.pop();
                        expectValue = false;
                    } else {
                        readKeyAndColon();
                    }
                    continue;
                }
                if (c == '[') {
                    pos++;
                    push(stack, '[');
                    skipSpace();
                    if (peek() == ']') {
                        pos++;
                        stack.pop();
                        expectValue = false;
                    }
                    continue;
                }
                scanScalar();
                expectValue = false;
            } else {
                skipSpace();
                if (stack.isEmpty()) {
                    if (pos < in.length) {
                        throw new GoJsonException("invalid character " + quoteChar(in[pos]) + " after top-level value");
                    }
                    return;
                }
                int c = peek();
                if (c < 0) {
                    throw new GoJsonException("unexpected end of JSON input");
                }
                char top = stack.peek();
                if (c == ',') {
                    pos++;
                    if (top == '{') {
                        skipSpace();
                        readKeyAndColon();
                    }
                    expectValue = true;
                } else if ((top == '{' && c == '}') || (top == '[' && c == ']')) {
                    pos++;
                    stack.pop();
                } else {
                    throw new GoJsonException("invalid character " + quoteChar((byte) c) + " after "
                            + (top == '{' ? "object key:value pair" : "array element"));
                }
            }
        }
    }

    private static void push(ArrayDeque<Character> stack, char c) throws GoJsonException {
        stack.push(c);
        if (stack.size() > MAX_DEPTH) {
            throw new GoJsonException("invalid character " + quoteChar((byte) c) + " exceeded max depth");
        }
    }

    private void readKeyAndColon() throws GoJsonException {
        if (peek() != '"') {
            if (peek() < 0) {
                throw new GoJsonException("unexpected end of JSON input");
            }
            throw new GoJsonException("invalid character " + quoteChar(in[pos]) + " looking for beginning of object key string");
        }
        scanString();
        skipSpace();
        if (peek() != ':') {
            if (peek() < 0) {
                throw new GoJsonException("unexpected end of JSON input");
            }
            throw new GoJsonException("invalid character " + quoteChar(in[pos]) + " after object key");
        }
        pos++;
    }

    private void scanScalar() throws GoJsonException {
        int c = peek();
        if (c == '"') {
            scanString();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            scanNumber();
        } else if (c == 't') {
            scanLiteral("true");
        } else if (c == 'f') {
            scanLiteral("false");
        } else if (c == 'n') {
            scanLiteral("null");
        } else {
            throw new GoJsonException("invalid character " + quoteChar((byte) c) + " looking for beginning of value");
        }
    }

    /**
     * A literal, byte by byte as Go's scanner checks it. At the end of the input Go's scanner feeds a space to
     * the current state, so a cut literal reports {@code invalid character ' ' in literal ...}.
     */
    private void scanLiteral(String literal) throws GoJsonException {
        pos++;
        for (int i = 1; i < literal.length(); i++) {
            int c = peek();
            if (c != literal.charAt(i)) {
                throw new GoJsonException("invalid character " + quoteChar(c < 0 ? (byte) ' ' : (byte) c)
                        + " in literal " + literal + " (expecting " + quoteChar((byte) literal.charAt(i)) + ")");
            }
            pos++;
        }
    }

    private void scanString() throws GoJsonException {
        pos++; // opening quote
        while (true) {
            if (pos >= in.length) {
                throw new GoJsonException("unexpected end of JSON input");
            }
            int c = in[pos] & 0xff;
            if (c == '"') {
                pos++;
                return;
            }
            if (c < 0x20) {
                throw new GoJsonException("invalid character " + quoteChar((byte) c) + " in string literal");
            }
            if (c == '\\') {
                pos++;
                if (pos >= in.length) {
                    throw new GoJsonException("invalid character ' ' in string escape code");
                }
                int e = in[pos] & 0xff;
                switch (e) {
                    case 'b', 'f', 'n', 'r', 't', '\\', '/', '"' -> pos++;
                    case 'u' -> {
                        pos++;
                        for (int i = 0; i < 4; i++) {
                            if (pos >= in.length) {
                                throw new GoJsonException("invalid character ' ' in \\u hexadecimal character escape");
                            }
                            if (hex(in[pos]) < 0) {
                                throw new GoJsonException("invalid character " + quoteChar(in[pos])
                                        + " in \\u hexadecimal character escape");
                            }
                            pos++;
                        }
                    }
                    default -> throw new GoJsonException("invalid character " + quoteChar((byte) e)
                            + " in string escape code");
                }
                continue;
            }
            pos++;
        }
    }

    private void scanNumber() throws GoJsonException {
        if (peek() == '-') {
            pos++;
        }
        int c = peek();
        if (c == '0') {
            pos++;
        } else if (c >= '1' && c <= '9') {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw numberError("in numeric literal");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw numberError("after decimal point in numeric literal");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw numberError("in exponent of numeric literal");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
    }

    private GoJsonException numberError(String where) {
        // At the end of the input Go's scanner feeds a space to the number's state.
        byte c = pos >= in.length ? (byte) ' ' : in[pos];
        return new GoJsonException("invalid character " + quoteChar(c) + " " + where);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    // ------------------------------------------------------------------------------------------------------
    // Reading the (already validated) top-level object's members.

    private Map<String, Member> readObjectMembers() {
        Map<String, Member> members = new HashMap<>();
        pos++; // '{'
        skipSpace();
        if (peek() == '}') {
            return members;
        }
        while (true) {
            skipSpace();
            String key = readString();
            skipSpace();
            pos++; // ':'
            skipSpace();
            int c = peek();
            Member m;
            if (c == '"') {
                m = new Member(Kind.STRING, readString());
            } else if (startsWith("null")) {
                pos += 4;
                m = new Member(Kind.NULL, null);
            } else {
                skipValue();
                m = new Member(Kind.OTHER, null);
            }
            members.put(key, m); // duplicates: the last one wins, as in Go
            skipSpace();
            if (peek() == ',') {
                pos++;
                continue;
            }
            return members; // '}'
        }
    }

    /** Skips one valid value without recursion. */
    private void skipValue() {
        int depth = 0;
        do {
            skipSpace();
            int c = peek();
            if (c == '{' || c == '[') {
                depth++;
                pos++;
            } else if (c == '}' || c == ']') {
                depth--;
                pos++;
            } else if (c == '"') {
                scanStringUnchecked();
            } else if (c == ',' || c == ':') {
                pos++;
            } else {
                // number, true, false, null: up to the next delimiter
                while (pos < in.length && !isDelimiter(in[pos])) {
                    pos++;
                }
            }
            skipSpace();
        } while (depth > 0);
    }

    private static boolean isDelimiter(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ':' || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private void scanStringUnchecked() {
        pos++;
        while (in[pos] != '"') {
            pos += in[pos] == '\\' ? 2 : 1;
        }
        pos++;
    }

    /** Go's {@code unquote}: escapes decoded, invalid UTF-8 and lone surrogates replaced by U+FFFD. */
    private String readString() {
        int start = pos + 1;
        scanStringUnchecked();
        int end = pos - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        int r = start;
        while (r < end) {
            int c = in[r] & 0xff;
            if (c == '\\') {
                int e = in[r + 1] & 0xff;
                switch (e) {
                    case '"', '\\', '/' -> {
                        out.write(e);
                        r += 2;
                    }
                    case 'b' -> {
                        out.write('\b');
                        r += 2;
                    }
                    case 'f' -> {
                        out.write('\f');
                        r += 2;
                    }
                    case 'n' -> {
                        out.write('\n');
                        r += 2;
                    }
                    case 'r' -> {
                        out.write('\r');
                        r += 2;
                    }
                    case 't' -> {
                        out.write('\t');
                        r += 2;
                    }
                    default -> { // 'u'
                        int rr = u4(r);
                        r += 6;
                        if (rr >= 0xD800 && rr < 0xE000) {
                            int rr1 = r + 6 <= end && in[r] == '\\' && in[r + 1] == 'u' ? u4(r) : -1;
                            if (rr < 0xDC00 && rr1 >= 0xDC00 && rr1 < 0xE000) {
                                r += 6;
                                writeRune(out, 0x10000 + ((rr - 0xD800) << 10) + (rr1 - 0xDC00));
                                continue;
                            }
                            rr = 0xFFFD;
                        }
                        writeRune(out, rr);
                    }
                }
                continue;
            }
            if (c < 0x80) {
                out.write(c);
                r++;
                continue;
            }
            int size = GoUtf8.validRuneLength(in, r, end);
            if (size == 0) {
                writeRune(out, 0xFFFD);
                r++;
            } else {
                out.write(in, r, size);
                r += size;
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private int u4(int at) {
        int v = 0;
        for (int i = 2; i < 6; i++) {
            v = v * 16 + hex(in[at + i]);
        }
        return v;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static void writeRune(ByteArrayOutputStream out, int cp) {
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
    }

    // ------------------------------------------------------------------------------------------------------

    private void skipSpace() {
        while (pos < in.length) {
            byte b = in[pos];
            if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private int peek() {
        return pos < in.length ? in[pos] & 0xff : -1;
    }

    private boolean startsWith(String literal) {
        if (pos + literal.length() > in.length) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (in[pos + i] != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String describeValue() {
        int c = peek();
        return switch (c) {
            case '[' -> "array";
            case '"' -> "string";
            case 't', 'f' -> "bool";
            default -> "number";
        };
    }

    /**
     * Go's {@code quoteChar}: {@code strconv.Quote(string(c))} between single quotes, where {@code string(c)} of a
     * byte is the rune with that value (so byte 0xff reads as the printable U+00FF, and byte 0x85 as the escape of U+0085).
     */
    private static String quoteChar(byte b) {
        int c = b & 0xff;
        if (c == '\'') {
            return "'\\''";
        }
        if (c == '"') {
            return "'\"'";
        }
        String q = GoQuote.quote(String.valueOf((char) c));
        return "'" + q.substring(1, q.length() - 1) + "'";
    }
}
