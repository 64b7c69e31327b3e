package io.flotilla.raft.internal.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonParserTest {

    @Test
    void parsesLiterals() throws JsonException {
        assertThat(JsonParser.parse("true")).isEqualTo(JsonBoolean.TRUE);
        assertThat(JsonParser.parse("false")).isEqualTo(JsonBoolean.FALSE);
        assertThat(JsonParser.parse("null")).isEqualTo(JsonNull.NULL);
    }

    @Test
    void keepsNumbersAsTheirTextAndOffersTheNaturalJavaType() throws JsonException {
        assertThat(number("0")).isEqualTo(0L);
        assertThat(number("-12")).isEqualTo(-12L);
        assertThat(number("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(number("18446744073709551615")).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(number("1.5")).isEqualTo(1.5);
        assertThat(number("-2.5E-3")).isEqualTo(-0.0025);
        assertThat(number("1e3")).isEqualTo(1000.0);
        assertThat(JsonParser.parse("18446744073709551615")).isEqualTo(new JsonNumber("18446744073709551615"));
    }

    private static Number number(String text) throws JsonException {
        return ((JsonNumber) JsonParser.parse(text)).value();
    }

    @Test
    void parsesNestedContainersKeepingMemberOrderAndDuplicates() throws JsonException {
        JsonValue v = JsonParser.parse(" {\"b\": [1, {\"c\": null}, []], \"a\": {}, \"b\": \"again\"} \n");
        assertThat(v).isEqualTo(new JsonObject(List.of(
                new JsonObject.Member("b", new JsonArray(List.of(JsonNumber.of(1),
                        new JsonObject(List.of(new JsonObject.Member("c", JsonNull.NULL))),
                        new JsonArray(List.of())))),
                new JsonObject.Member("a", JsonObject.EMPTY),
                new JsonObject.Member("b", new JsonString("again")))));
    }

    @Test
    void decodesEveryEscape() throws JsonException {
        assertThat(string("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041\\u00e9\\u20AC\""))
                .isEqualTo("\" \\ / \b \f \n \r \t Aé€");
    }

    @Test
    void joinsSurrogatePairEscapes() throws JsonException {
        assertThat(string("\"\\ud83d\\ude00\"")).isEqualTo("😀");
        assertThat(string("\"x\\uD83D\\uDE00y\"")).isEqualTo("x😀y");
    }

    @Test
    void replacesUnpairedSurrogateEscapesLikeGo() throws JsonException {
        assertThat(string("\"\\ud83d\"")).isEqualTo("\uFFFD");
        assertThat(string("\"\\ude00x\"")).isEqualTo("\uFFFDx");
        assertThat(string("\"\\ud83d\\u0041\"")).isEqualTo("\uFFFDA");
        assertThat(string("\"\\ud83d\\ud83d\\ude00\"")).isEqualTo("\uFFFD😀");
    }

    @Test
    void readsUtf8AndReplacesMalformedBytesLikeGo() throws JsonException {
        byte[] utf8 = "\"é😀\"".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonParser.parse(utf8)).isEqualTo(new JsonString("é😀"));
        byte[] malformed = {'"', 'a', (byte) 0xff, 'b', '"'};
        assertThat(JsonParser.parse(malformed)).isEqualTo(new JsonString("a\uFFFDb"));
    }

    private static String string(String json) throws JsonException {
        return ((JsonString) JsonParser.parse(json)).value();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "{", "[", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "{\"a\"}",
            "tru", "nul", "falsy", "01", "-", "-a", "1.", "1.e5", "1e", "1e+", ".5", "+1", "NaN", "Infinity",
            "'a'", "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"", "\"\\", "\"a\nb\"", "\"tab\there\"",
            "[1]]", "[1] x", "{} {}", "\uFEFF[]", "[1,,2]", "{,}", "[\"a\":1]"})
    void rejectsMalformedInput(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text))
                .isInstanceOf(JsonException.class)
                .hasMessageStartingWith("invalid JSON at line ");
    }

    @Test
    void reportsLineAndColumnOfTheProblem() {
        assertThatThrownBy(() -> JsonParser.parse("[1,\n  x]"))
                .hasMessage("invalid JSON at line 2, column 3: unexpected 'x', expected a value");
        assertThatThrownBy(() -> JsonParser.parse("{\"a\": 1} trailing"))
                .hasMessage("invalid JSON at line 1, column 10: unexpected 't' after the JSON value");
        assertThatThrownBy(() -> JsonParser.parse("[\"abc"))
                .hasMessage("invalid JSON at line 1, column 2: unterminated string");
        assertThatThrownBy(() -> JsonParser.parse("[1,"))
                .hasMessage("invalid JSON at line 1, column 4: unexpected end of input, expected a value");
        assertThatThrownBy(() -> JsonParser.parse("\"a\u0001\""))
                .hasMessageContaining("control character U+0001 in string");
        assertThatThrownBy(() -> JsonParser.parse("\uFEFF[]"))
                .hasMessageContaining("unexpected character U+FEFF");
    }

    @Test
    void limitsNestingDepth() throws JsonException {
        String deepest = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertThat(JsonParser.parse(deepest)).isInstanceOf(JsonArray.class);

        String tooDeep = "[".repeat(JsonParser.MAX_DEPTH + 1) + "]".repeat(JsonParser.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonParser.parse(tooDeep)).hasMessageContaining("nesting deeper than 256 levels");
        String tooDeepObjects = "{\"a\":".repeat(JsonParser.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonParser.parse(tooDeepObjects)).hasMessageContaining("nesting deeper");
    }
}
