package io.flotilla.raft.internal.json;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonWriterTest {

    @Test
    void writesCompactly() {
        String json = new JsonWriter().beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").value(true).nullValue().beginObject().endObject().endArray()
                .name("c").beginArray().endArray()
                .endObject().toString();
        assertThat(json).isEqualTo("{\"a\":1,\"b\":[\"x\",true,null,{}],\"c\":[]}");
    }

    @Test
    void writesUnsignedAndSignedIntegers() {
        assertThat(new JsonWriter().beginArray().unsignedValue(-1L).value(-1L).unsignedValue(Long.MIN_VALUE)
                .endArray().toString()).isEqualTo("[18446744073709551615,-1,9223372036854775808]");
    }

    @Test
    void writesBytesAsPaddedBase64AndNilAsNull() {
        assertThat(new JsonWriter().beginArray().base64(new byte[] {(byte) 0xc0}).base64(new byte[0]).base64(null)
                .endArray().toString()).isEqualTo("[\"wA==\",\"\",null]");
    }

    @Test
    void escapesStringsExactlyAsGo() throws IOException {
        // strings.json was written by Go 1.19's json.Marshal (see go-written/generate.go.txt).
        byte[] go;
        try (InputStream in = getClass().getResourceAsStream("/io/flotilla/raft/snapshot/go-written/strings.json")) {
            go = in.readAllBytes();
        }
        String goText = new String(go, StandardCharsets.UTF_8);
        JsonValue parsed = JsonParser.parse(go);
        assertThat(JsonWriter.write(parsed) + "\n").isEqualTo(goText);
        assertThat(((JsonArray) parsed).elements().get(2)).isEqualTo(new JsonString("\u0000\u0007\b\f\u007f"));
    }

    @Test
    void escapesHtmlControlAndSeparatorCharacters() {
        assertThat(JsonWriter.write(new JsonString("<a&b>\"\\\n\r\t\b\f\u0000\u001f\u2028\u2029é😀")))
                .isEqualTo("\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\r\\t\\u0008\\u000c\\u0000\\u001f\\u2028\\u2029é😀\"");
    }

    @Test
    void writesUnpairedSurrogatesAsReplacementCharacter() {
        assertThat(JsonWriter.write(new JsonString("a\uD83Db\uDE00"))).isEqualTo("\"a\\ufffdb\\ufffd\"");
    }

    @Test
    void writesValueTrees() throws JsonException {
        String text = "{\"k\":[1,-2.5e3,\"s\",true,false,null,{\"x\":{}}],\"k\":18446744073709551615}";
        assertThat(JsonWriter.write(JsonParser.parse(text))).isEqualTo(text);
    }

    @Test
    void rejectsMisuse() {
        assertThatThrownBy(() -> new JsonWriter().beginObject().value(1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().name("a"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().value(1).value(2))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().endObject())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("a").endObject())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("a").name("b"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().toString())
                .isInstanceOf(IllegalStateException.class);
    }

    @Property
    void stringsSurviveARoundTrip(@ForAll String s) throws JsonException {
        String expected = replaceUnpairedSurrogates(s);
        JsonValue back = JsonParser.parse(JsonWriter.write(new JsonArray(List.of(new JsonString(s)))));
        assertThat(back).isEqualTo(new JsonArray(List.of(new JsonString(expected))));
    }

    private static String replaceUnpairedSurrogates(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
