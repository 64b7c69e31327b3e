package io.flotilla.raft.internal.json;

import java.math.BigInteger;
import java.util.Objects;

/**
 * A JSON number, kept as its literal text so that conversions are exact: a 64-bit unsigned index never
 * passes through a {@code double}.
 *
 * @param text the literal as it appeared, already checked against JSON's number grammar
 */
public record JsonNumber(String text) implements JsonValue {
    /** Rejects {@code null}. */
    public JsonNumber {
        Objects.requireNonNull(text, "text");
    }

    /** A number for an integer. */
    public static JsonNumber of(long value) {
        return new JsonNumber(Long.toString(value));
    }

    /** Whether the literal has no fraction and no exponent. */
    public boolean isInteger() {
        return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
    }

    /**
     * The value as the narrowest natural Java type: {@link Long} for integers that fit, {@link BigInteger} for
     * larger integers, {@link Double} otherwise (infinite if out of its range).
     */
    public Number value() {
        if (isInteger()) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return new BigInteger(text);
            }
        }
        return Double.parseDouble(text);
    }

    @Override
    public String kind() {
        return "number";
    }
}
