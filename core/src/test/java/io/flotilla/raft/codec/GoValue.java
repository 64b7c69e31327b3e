package io.flotilla.raft.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Go {@code %#v} renderings in {@code vectors.json} ({@code &raft.Log{Index:0xb, Data:[]uint8{...}}})
 * into plain values: a {@link Struct} per struct, {@code byte[]} for byte slices, {@code List} for other
 * slices, {@code Long} for integers (unsigned bits), {@code Boolean}, {@code String}, and {@code null} for nil.
 */
final class GoValue {
    /** A Go struct value: its type name and its fields in rendering order. */
    record Struct(String type, Map<String, Object> fields) {
        Object get(String field) {
            if (!fields.containsKey(field)) {
                throw new IllegalArgumentException(type + " has no field " + field + ": " + fields.keySet());
            }
            return fields.get(field);
        }

        long uint(String field) {
            return (Long) get(field);
        }

        byte[] bytes(String field) {
            return (byte[]) get(field);
        }

        Struct struct(String field) {
            return (Struct) get(field);
        }
    }

    private final String s;
    private int i;

    private GoValue(String s) {
        this.s = s;
    }

    static Object parse(String rendering) {
        GoValue p = new GoValue(rendering);
        Object v = p.value();
        p.ws();
        if (p.i != rendering.length()) {
            throw new IllegalArgumentException("unparsed Go value after " + p.i + ": " + rendering.substring(p.i));
        }
        return v;
    }

    /** Parses a Go-quoted string literal. */
    static String parseString(String quoted) {
        GoValue p = new GoValue(quoted);
        String v = p.string();
        if (p.i != quoted.length()) {
            throw new IllegalArgumentException("not one string: " + quoted);
        }
        return v;
    }

    private Object value() {
        ws();
        char c = s.charAt(i);
        if (c == '"') {
            return string();
        }
        if (c == '-' || Character.isDigit(c)) {
            return number();
        }
        if (c == '&') {
            i++;
        }
        String type = typeExpr();
        if (type.equals("true") || type.equals("false")) {
            return Boolean.parseBoolean(type);
        }
        if (type.equals("nil")) {
            return null;
        }
        boolean byteSlice = type.equals("[]uint8") || type.equals("[]byte");
        ws();
        if (s.charAt(i) == '(') {
            i++;
            Object inner = value();
            expect(')');
            if (inner == null) {
                return null;
            }
            if (byteSlice && inner instanceof String str) {
                return str.getBytes(StandardCharsets.UTF_8);
            }
            throw new IllegalArgumentException("unsupported conversion " + type + "(" + inner + ")");
        }
        expect('{');
        if (type.startsWith("[]")) {
            List<Object> elements = new ArrayList<>();
            while (!peek('}')) {
                elements.add(value());
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            if (byteSlice) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (Object e : elements) {
                    out.write((int) (long) (Long) e);
                }
                return out.toByteArray();
            }
            return elements;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        while (!peek('}')) {
            ws();
            String name = ident();
            expect(':');
            fields.put(name, value());
            if (!peek('}')) {
                expect(',');
            }
        }
        expect('}');
        return new Struct(type, fields);
    }

    private String typeExpr() {
        StringBuilder t = new StringBuilder();
        while (s.startsWith("[]", i) || s.charAt(i) == '*') {
            t.append(s.charAt(i) == '*' ? "*" : "[]");
            i += s.charAt(i) == '*' ? 1 : 2;
        }
        return t.append(ident()).toString();
    }

    private String ident() {
        ws();
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_')) {
            i++;
        }
        if (start == i) {
            throw new IllegalArgumentException("expected an identifier at " + i + ": " + s.substring(i));
        }
        return s.substring(start, i);
    }

    private Long number() {
        int start = i;
        if (s.startsWith("0x", i)) {
            i += 2;
            while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) {
                i++;
            }
            return Long.parseUnsignedLong(s.substring(start + 2, i), 16);
        }
        if (s.charAt(i) == '-') {
            i++;
        }
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        return Long.parseLong(s.substring(start, i));
    }

    private String string() {
        expect('"');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return out.toString(StandardCharsets.UTF_8);
            }
            if (c != '\\') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i, i + 2), 16));
                    i += 2;
                }
                default -> out.write(e);
            }
        }
    }

    private boolean peek(char c) {
        ws();
        return s.charAt(i) == c;
    }

    private void expect(char c) {
        ws();
        if (s.charAt(i) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i + ": " + s.substring(i));
        }
        i++;
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }
}
