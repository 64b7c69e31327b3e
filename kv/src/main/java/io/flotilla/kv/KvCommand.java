package io.flotilla.kv;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One log entry of the key-value service (KV-API.md): {@code set}, {@code delete} or {@code cas}, encoded as
 * compact JSON exactly as the Go reference node writes it, and decoded with exactly its rules.
 *
 * @param op     {@code set}, {@code delete} or {@code cas}
 * @param key    the key (the empty string is a valid key)
 * @param value  the new value (set, cas); {@code null} for delete
 * @param expect for cas: the value expected, or empty for "only if absent"
 */
public record KvCommand(Op op, String key, String value, Optional<String> expect) {

    /** The operations. */
    public enum Op {
        /** Store a value. */
        SET("set"),
        /** Remove a key. */
        DELETE("delete"),
        /** Compare-and-set. */
        CAS("cas");

        private final String wire;

        Op(String wire) {
            this.wire = wire;
        }

        /** The name in the JSON entry. */
        public String wire() {
            return wire;
        }
    }

    /** Thrown for an entry the state machine must count as applied but not act on. */
    public static final class BadEntryException extends Exception {
        BadEntryException(String message) {
            super(message);
        }
    }

    /** Rejects {@code null} components where they are required. */
    public KvCommand {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expect, "expect");
        if (op != Op.DELETE) {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A set. */
    public static KvCommand set(String key, String value) {
        return new KvCommand(Op.SET, key, value, Optional.empty());
    }

    /** A delete. */
    public static KvCommand delete(String key) {
        return new KvCommand(Op.DELETE, key, null, Optional.empty());
    }

    /** A compare-and-set; an empty {@code expect} means "only if absent". */
    public static KvCommand cas(String key, Optional<String> expect, String value) {
        return new KvCommand(Op.CAS, key, value, expect);
    }

    /**
     * The entry bytes, member order and escaping as the Go node writes them ({@code json.Encoder} with HTML
     * escaping off): {@code {"op":"set","key":"k","value":"v"}}.
     */
    public byte[] encode() {
        StringBuilder sb = new StringBuilder(32 + key.length() + (value == null ? 0 : value.length()));
        sb.append("{\"op\":\"").append(op.wire()).append("\",\"key\":");
        GoJsonWriter.string(sb, key, false);
        if (op == Op.CAS) {
            sb.append(",\"expect\":");
            if (expect.isPresent()) {
                GoJsonWriter.string(sb, expect.get(), false);
            } else {
                sb.append("null");
            }
        }
        if (op != Op.DELETE) {
            sb.append(",\"value\":");
            GoJsonWriter.string(sb, value, false);
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes an entry with the Go node's rules: a JSON object; case-sensitive names; unknown members ignored;
     * duplicate names, the last wins; {@code op} one of the three; {@code key} a string; {@code value} a string
     * (set, cas); {@code expect} a string, {@code null} or absent (cas).
     *
     * @throws BadEntryException if the entry breaks a rule (it still counts as applied)
     */
    public static KvCommand decode(byte[] entry) throws BadEntryException {
        KvCommand canonical = entry == null ? null : CanonicalEntry.decode(entry);
        return canonical != null ? canonical : decodeGeneral(entry);
    }

    /** {@link #decode} through the general JSON parser only (the canonical fast path is checked against it). */
    static KvCommand decodeGeneral(byte[] entry) throws BadEntryException {
        Map<String, GoJson.Member> m;
        try {
            m = GoJson.parseObject(entry == null ? new byte[0] : entry);
        } catch (GoJson.GoJsonException e) {
            throw new BadEntryException(e.getMessage());
        }
        String op = required(m, "op");
        Op parsed = switch (op) {
            case "set" -> Op.SET;
            case "delete" -> Op.DELETE;
            case "cas" -> Op.CAS;
            default -> throw new BadEntryException("unknown op \"" + op + "\"");
        };
        String key = required(m, "key");
        if (parsed == Op.DELETE) {
            return delete(key);
        }
        String value = required(m, "value");
        if (parsed == Op.SET) {
            return set(key, value);
        }
        GoJson.Member expect = m.get("expect");
        if (expect == null || expect.kind() == GoJson.Kind.NULL) {
            return cas(key, Optional.empty(), value);
        }
        if (expect.kind() != GoJson.Kind.STRING) {
            throw new BadEntryException("\"expect\" must be a string");
        }
        return cas(key, Optional.of(expect.string()), value);
    }

    /**
     * Runs {@code ./flotilla serve}: {@link ServeCommand#main}, under the main-class name the launcher first used for
     * {@code serve}, kept so scripts that start {@code io.flotilla.kv.KvCommand} directly still work.
     */
    public static void main(String[] args) {
        ServeCommand.main(args);
    }

    private static String required(Map<String, GoJson.Member> m, String name) throws BadEntryException {
        GoJson.Member member = m.get(name);
        if (member == null || member.kind() == GoJson.Kind.NULL) {
            throw new BadEntryException("\"" + name + "\" is required and must be a string");
        }
        if (member.kind() != GoJson.Kind.STRING) {
            throw new BadEntryException("\"" + name + "\" must be a string");
        }
        return member.string();
    }
}
