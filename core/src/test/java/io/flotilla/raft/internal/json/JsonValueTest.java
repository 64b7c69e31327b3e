package io.flotilla.raft.internal.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Go-style typed decoding that readers of meta.json and peers.json rely on. */
class JsonValueTest {

    private static JsonObject object(String json) throws JsonException {
        return JsonParser.parse(json).asObject("test");
    }

    @Test
    void fieldsMatchCaseInsensitivelyAndTheLastOneWins() throws JsonException {
        JsonObject o = object("{\"ID\":\"a\",\"id\":\"b\",\"Other\":1,\"iD\":\"c\"}");
        assertThat(o.field("id").asString("id")).isEqualTo("c");
        assertThat(o.field("Id").asString("Id")).isEqualTo("c");
        assertThat(o.get("ID")).contains(new JsonString("a"));
        assertThat(o.get("Id")).isEmpty();
    }

    @Test
    void missingAndNullFieldsReadAsZeroValues() throws JsonException {
        JsonObject o = object("{\"n\":null}");
        for (String name : new String[] {"n", "missing"}) {
            JsonValue v = o.field(name);
            assertThat(v).isEqualTo(JsonNull.NULL);
            assertThat(v.asString(name)).isEmpty();
            assertThat(v.asUint64(name)).isZero();
            assertThat(v.asInt64(name)).isZero();
            assertThat(v.asInt(name)).isZero();
            assertThat(v.asBoolean(name)).isFalse();
            assertThat(v.asBase64(name)).isNull();
            assertThat(v.asArray(name)).isEmpty();
            assertThat(v.asObject(name)).isEqualTo(JsonObject.EMPTY);
        }
    }

    @Test
    void unsignedIntegersCoverTheFullRange() throws JsonException {
        assertThat(JsonParser.parse("18446744073709551615").asUint64("x")).isEqualTo(-1L);
        assertThat(JsonParser.parse("9223372036854775808").asUint64("x")).isEqualTo(Long.MIN_VALUE);
        for (String bad : new String[] {"-1", "18446744073709551616", "1.0", "1e2", "-0"}) {
            assertThatThrownBy(() -> JsonParser.parse(bad).asUint64("Index"))
                    .isInstanceOf(JsonException.class)
                    .hasMessage("Index: number " + bad + " is not an unsigned 64-bit integer");
        }
    }

    @Test
    void signedIntegersAreRangeChecked() throws JsonException {
        assertThat(JsonParser.parse("-9223372036854775808").asInt64("x")).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonParser.parse("-0").asInt64("x")).isZero();
        assertThatThrownBy(() -> JsonParser.parse("9223372036854775808").asInt64("Size"))
                .hasMessage("Size: number 9223372036854775808 is not a 64-bit integer");
        assertThat(JsonParser.parse("2147483647").asInt("x")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> JsonParser.parse("2147483648").asInt("Version"))
                .hasMessage("Version: number 2147483648 is out of range");
    }

    @Test
    void wrongTypesAreErrorsNamingWhatWasRead() {
        assertThatThrownBy(() -> JsonParser.parse("\"1\"").asUint64("Index"))
                .hasMessage("Index: expected a number, got string");
        assertThatThrownBy(() -> JsonParser.parse("1").asString("ID")).hasMessage("ID: expected a string, got number");
        assertThatThrownBy(() -> JsonParser.parse("\"true\"").asBoolean("non_voter"))
                .hasMessage("non_voter: expected true or false, got string");
        assertThatThrownBy(() -> JsonParser.parse("{}").asArray("top level"))
                .hasMessage("top level: expected an array, got object");
        assertThatThrownBy(() -> JsonParser.parse("[]").asObject("Configuration"))
                .hasMessage("Configuration: expected an object, got array");
        assertThatThrownBy(() -> JsonParser.parse("\"not base64!\"").asBase64("CRC"))
                .hasMessageStartingWith("CRC: invalid base64");
    }

    @Test
    void bytesAreStandardBase64() throws JsonException {
        assertThat(JsonParser.parse("\"AAEC/w==\"").asBase64("x")).containsExactly(0, 1, 2, 0xff);
        assertThat(JsonParser.parse("\"\"").asBase64("x")).isEmpty();
    }
}
