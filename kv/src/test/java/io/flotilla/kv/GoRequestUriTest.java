package io.flotilla.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Request targets read as Go reads them. The vectors were printed by Go 1.19's {@code url.ParseRequestURI} (its
 * {@code EscapedPath()}, {@code RawQuery} or error) for each target; targets are one char per byte.
 */
class GoRequestUriTest {
    private record Vector(String target, String escapedPath, String rawQuery, String error) {
    }

    private final List<Vector> vectors = new ArrayList<>();

    private void v(String target, String escapedPath, String rawQuery, String error) {
        vectors.add(new Vector(target, escapedPath, rawQuery, error));
    }

    @Test
    void matchesGoParseRequestUri() throws Exception {
        v("/kv/a{b", "/kv/a%7Bb", "", null);
        v("/kv/a}b", "/kv/a%7Db", "", null);
        v("/kv/a\"b", "/kv/a%22b", "", null);
        v("/kv/a|b", "/kv/a%7Cb", "", null);
        v("/kv/a\\b", "/kv/a%5Cb", "", null);
        v("/kv/a^b", "/kv/a%5Eb", "", null);
        v("/kv/a`b", "/kv/a%60b", "", null);
        v("/kv/a<b>", "/kv/a%3Cb%3E", "", null);
        v("/kv/a#b", "/kv/a%23b", "", null);
        v("/kv/a;b", "/kv/a;b", "", null);
        v("/kv/a!b", "/kv/a!b", "", null);
        v("/kv/a*b", "/kv/a*b", "", null);
        v("/kv/a'b", "/kv/a'b", "", null);
        v("/kv/a(b)", "/kv/a(b)", "", null);
        v("/kv/a[b]", "/kv/a[b]", "", null);
        v("/kv/a@b", "/kv/a@b", "", null);
        v("/kv/a$b", "/kv/a$b", "", null);
        v("/kv/a&b", "/kv/a&b", "", null);
        v("/kv/a+b", "/kv/a+b", "", null);
        v("/kv/a,b", "/kv/a,b", "", null);
        v("/kv/a=b", "/kv/a=b", "", null);
        v("/kv/a:b", "/kv/a:b", "", null);
        v("/kv/a%2Fb", "/kv/a%2Fb", "", null);
        v("/kv/a%25b", "/kv/a%25b", "", null);
        v("/kv/\u00e2\u0082\u00ac", "/kv/%E2%82%AC", "", null);
        v("/kv/\u00ff", "/kv/%FF", "", null);
        v("/kv/%E2%82%AC{", "/kv/%E2%82%AC%7B", "", null);
        v("/%6Bv/a{b", "/kv/a%7Bb", "", null);
        v("/kv/a?b#c", "/kv/a", "b#c", null);
        v("/kv/a#b?c", "/kv/a%23b", "c", null);
        v("/kv/a?", "/kv/a", "", null);
        v("/kv/a??", "/kv/a", "?", null);
        v("/kv/a?b?c", "/kv/a", "b?c", null);
        v("/kv/?", "/kv/", "", null);
        v("/kv/a b", "/kv/a%20b", "", null);
        v("/kv/a%zz", null, null, "parse \"/kv/a%zz\": invalid URL escape \"%zz\"");
        v("/kv/a%2", null, null, "parse \"/kv/a%2\": invalid URL escape \"%2\"");
        v("/kv/a\u0001", null, null, "parse \"/kv/a\\x01\": net/url: invalid control character in URL");
        v("/kv/a\u007f", null, null, "parse \"/kv/a\\x7f\": net/url: invalid control character in URL");
        v("kv/a", null, null, "parse \"kv/a\": invalid URI for request");
        v("", null, null, "parse \"\": empty url");
        v("*", "*", "", null);
        v(":x", null, null, "parse \":x\": missing protocol scheme");
        v("http://h/kv/a?x=1", "/kv/a", "x=1", null);
        v("http://h", "", "", null);
        v("http:opaque?q", "", "q", null);
        v("HTTP://u@h:80/kv/%7E", "/kv/%7E", "", null);
        v("http://h:abc/kv/a", null, null, "parse \"http://h:abc/kv/a\": invalid port \":abc\" after host");
        v("http://[::1]:8080/kv/a", "/kv/a", "", null);
        v("http://[::1/kv/a", null, null, "parse \"http://[::1/kv/a\": missing ']' in host");
        v("http://h{/kv/a", null, null, "parse \"http://h{/kv/a\": invalid character \"{\" in host name");
        v("http://a b@h/kv/a", null, null, "parse \"http://a b@h/kv/a\": net/url: invalid userinfo");
        v("http://h%41/kv/a", null, null, "parse \"http://h%41/kv/a\": invalid URL escape \"%41\"");
        v("http://[fe80::1%25en0]/kv/a", "/kv/a", "", null);
        v("/kv/~._-", "/kv/~._-", "", null);
        v("/kv/%7e", "/kv/%7e", "", null);
        v("1http://h/x", null, null, "parse \"1http://h/x\": invalid URI for request");
        v("a+b:/x", "/x", "", null);
        for (Vector vec : vectors) {
            if (vec.error() != null) {
                assertThatThrownBy(() -> GoRequestUri.parse(vec.target())).as(vec.target())
                        .isInstanceOf(GoRequestUri.BadTargetException.class).hasMessage(vec.error());
            } else {
                GoRequestUri u = GoRequestUri.parse(vec.target());
                assertThat(u.escapedPath()).as(vec.target()).isEqualTo(vec.escapedPath());
                assertThat(u.rawQuery()).as(vec.target()).isEqualTo(vec.rawQuery());
                assertThat(u.asterisk()).as(vec.target()).isEqualTo(vec.target().equals("*"));
            }
        }
    }

    @Test
    void keysAreTheDecodedPathAsInGo() throws Exception {
        assertThat(key("/kv/a{b")).isEqualTo("a{b");
        assertThat(key("/kv/a#b")).isEqualTo("a#b");
        assertThat(key("/kv/a%2Fb")).isEqualTo("a/b");
        assertThat(key("/kv/a%25b")).isEqualTo("a%b");
        assertThat(key("/kv/a+b")).isEqualTo("a+b");
        assertThat(key("/kv/\u00e2\u0082\u00ac")).isEqualTo("\u20ac"); // raw UTF-8 bytes of the euro sign
        assertThat(key("/%6Bv/a{b")).isEqualTo("a{b"); // Go escapes the path again: /kv/a%7Bb
    }

    private static String key(String target) throws Exception {
        String p = GoRequestUri.parse(target).escapedPath();
        assertThat(p).startsWith("/kv/");
        return new String(GoUrl.pathUnescape(p.substring(4)), StandardCharsets.UTF_8);
    }
}
