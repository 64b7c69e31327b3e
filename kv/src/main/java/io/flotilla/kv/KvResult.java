package io.flotilla.kv;

import java.util.Optional;

/**
 * What applying an entry yields (returned to the proposer): {@code {"ok":true|false,"prev":"old"|null}}, or
 * {@code {"ok":false,"error":"bad entry: ..."}} for an entry that breaks the rules.
 *
 * @param ok    whether the operation took effect (set and delete always; cas only on a match)
 * @param prev  the value before, if any
 * @param error for a bad entry, why; else {@code null}
 */
public record KvResult(boolean ok, Optional<String> prev, String error) {
    static KvResult ok(boolean ok, Optional<String> prev) {
        return new KvResult(ok, prev, null);
    }

    static KvResult bad(String error) {
        return new KvResult(false, Optional.empty(), error);
    }

    /** Whether the entry was malformed. */
    public boolean isBadEntry() {
        return error != null;
    }

    /** The result as Go's {@code json.Marshal} renders it. */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        if (error != null) {
            sb.append("{\"ok\":false,\"error\":");
            GoJsonWriter.string(sb, error, true);
            return sb.append('}').toString();
        }
        sb.append("{\"ok\":").append(ok).append(",\"prev\":");
        if (prev.isPresent()) {
            GoJsonWriter.string(sb, prev.get(), true);
        } else {
            sb.append("null");
        }
        return sb.append('}').toString();
    }
}
