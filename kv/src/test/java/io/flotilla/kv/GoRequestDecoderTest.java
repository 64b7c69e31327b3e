package io.flotilla.kv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Request framing and refusals as in Go's {@code net/http} server: what the decoder reports for given bytes. */
class GoRequestDecoderTest {
    private final List<String> events = new ArrayList<>();
    private final List<GoRequestDecoder.Head> heads = new ArrayList<>();
    private final GoRequestDecoder decoder = new GoRequestDecoder(new GoRequestDecoder.Sink() {
        @Override
        public void head(GoRequestDecoder.Head head) {
            heads.add(head);
            events.add("head " + head.method() + " " + head.uri().escapedPath() + " ?" + head.uri().rawQuery());
        }

        @Override
        public void body(ByteBuf content) {
            events.add("body " + content.toString(StandardCharsets.ISO_8859_1));
            content.release();
        }

        @Override
        public void bodyEnd() {
            events.add("end");
        }

        @Override
        public void bodyError(String message, boolean poisoned) {
            events.add("body error " + message + (poisoned ? "" : " (eof)"));
        }

        @Override
        public void refuse(int status, String message) {
            events.add(status + " " + message);
        }
    });
    private final ByteBuf in = Unpooled.buffer();

    @AfterEach
    void release() {
        in.release();
    }

    private List<String> feed(String bytes) {
        in.writeBytes(bytes.getBytes(StandardCharsets.ISO_8859_1));
        decoder.decode(in);
        return events;
    }

    /** Feeds one byte at a time: the result must not depend on how the bytes arrive. */
    private List<String> trickle(String bytes) {
        for (byte b : bytes.getBytes(StandardCharsets.ISO_8859_1)) {
            in.writeByte(b);
            decoder.decode(in);
        }
        return merged();
    }

    /** Events with consecutive body pieces joined. */
    private List<String> merged() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            int last = out.size() - 1;
            if (e.startsWith("body ") && !e.startsWith("body error") && last >= 0 && out.get(last).startsWith("body ")
                    && !out.get(last).startsWith("body error")) {
                out.set(last, out.get(last) + e.substring(5));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void rawTargetsAndKeepAlive() {
        assertThat(feed("GET /kv/a{b}#c?consistency=stale HTTP/1.1\r\nHost: x\r\n\r\n"))
                .containsExactly("head GET /kv/a%7Bb%7D%23c ?consistency=stale", "end");
        assertThat(heads.get(0).close()).isFalse();
        assertThat(heads.get(0).minor()).isEqualTo(1);
    }

    @Test
    void requestLineMustBeMethodSpaceTargetSpaceVersion() {
        assertThat(feed("PUT /kv/a b HTTP/1.1\r\n")).containsExactly("400 malformed HTTP version \"b HTTP/1.1\"");
    }

    @Test
    void requestLineRefusals() {
        for (String[] c : new String[][] {
                {"GET  /x HTTP/1.1\r\n", "400 malformed HTTP version \"/x HTTP/1.1\""},
                {"GET /x HTTP/1.1 \r\n", "400 malformed HTTP version \"HTTP/1.1 \""},
                {"GET /x\r\n", "400 malformed HTTP request \"GET /x\""},
                {"\r\n", "400 malformed HTTP request \"\""},
                {"G(T /x HTTP/1.1\r\n", "400 invalid method \"G(T\""},
                {"GET /x HTTP/1.1.1\r\n", "400 malformed HTTP version \"HTTP/1.1.1\""},
                {"GET /kv/%zz HTTP/1.1\r\n", "400 parse \"/kv/%zz\": invalid URL escape \"%zz\""},
                {"GET /kv/a\tb HTTP/1.1\r\n", "400 parse \"/kv/a\\tb\": net/url: invalid control character in URL"},
                {"GET kv HTTP/1.1\r\n", "400 parse \"kv\": invalid URI for request"},
        }) {
            GoRequestDecoderTest t = new GoRequestDecoderTest();
            try {
                assertThat(t.feed(c[0])).as(c[0]).containsExactly(c[1]);
            } finally {
                t.release();
            }
        }
    }

    @Test
    void headRefusals() {
        for (String[] c : new String[][] {
                {"GET /x HTTP/1.1\r\n\r\n", "400 missing required Host header"},
                {"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 too many Host headers"},
                {"GET /x HTTP/1.1\r\nHost: a{\r\n\r\n", "400 malformed Host header"},
                {"GET /x HTTP/1.1\r\nHost: a\r\nX Y: 1\r\n\r\n", "400 invalid header name"},
                {"GET /x HTTP/1.1\r\nHost: a\r\nX: \u0001\r\n\r\n", "400 invalid header value"},
                {"GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "400 malformed MIME header: missing colon: \"NoColon\""},
                {"GET /x HTTP/1.1\r\n Host: a\r\n\r\n", "400 malformed MIME header initial line:  Host: a"},
                {"GET /x HTTP/2.0\r\nHost: a\r\n\r\n", "505 unsupported protocol version"},
                {"GET /x HTTP/1.1\r\nHost: a\r\nExpect: fly\r\n\r\n", "417 expectation failed"},
                {"PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "501 unsupported transfer encoding: \"gzip\""},
                {"PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", "400 bad Content-Length \"-1\""},
                {"PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                        "400 http: message cannot contain multiple Content-Length headers; got [\"1\" \"2\"]"},
        }) {
            GoRequestDecoderTest t = new GoRequestDecoderTest();
            try {
                assertThat(t.feed(c[0])).as(c[0]).containsExactly(c[1]);
            } finally {
                t.release();
            }
        }
    }

    @Test
    void headOverOneMebibyteIs431() {
        char[] big = new char[GoRequestDecoder.MAX_HEAD];
        Arrays.fill(big, 'a');
        assertThat(feed("GET /x HTTP/1.1\r\nHost: a\r\nX: " + new String(big))).containsExactly(
                "431 request header fields too large");
    }

    @Test
    void longHeaderUnderTheLimitIsFine() {
        char[] big = new char[(1 << 20) - 100];
        Arrays.fill(big, 'a');
        assertThat(feed("GET /x HTTP/1.1\r\nHost: a\r\nX: " + new String(big) + "\r\n\r\n"))
                .containsExactly("head GET /x ?", "end");
    }

    @Test
    void chunkedBodiesByteByByteWithExtensionsAndTrailers() {
        assertThat(trickle("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nxyz\r\n1 \r\nw\r\n0\r\nTrailer-A: 1\r\n\r\n"))
                .containsExactly("head PUT /kv/a ?", "body xyzw", "end");
    }

    @Test
    void chunkedOverridesContentLength() {
        assertThat(feed("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nxyz\r\n0\r\n\r\n")).containsExactly("head PUT /kv/a ?", "body xyz", "end");
        assertThat(heads.get(0).contentLength()).isEqualTo(-1);
    }

    @Test
    void brokenChunksGiveGoErrors() {
        for (String[] c : new String[][] {
                {"zz\r\n", "body error invalid byte in chunk length"},
                {"11111111111111111\r\n", "body error http chunk length too large"},
                {"3\r\nxyzAB", "body error malformed chunked encoding"},
        }) {
            GoRequestDecoderTest t = new GoRequestDecoderTest();
            try {
                assertThat(t.feed("PUT /kv/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + c[0]))
                        .as(c[0]).endsWith(c[1]);
            } finally {
                t.release();
            }
        }
    }

    @Test
    void fixedBodyCutShortByEndOfInput() {
        feed("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nxyz");
        decoder.endOfInput(in);
        assertThat(events).containsExactly("head PUT /kv/a ?", "body xyz", "body error unexpected EOF (eof)");
    }

    @Test
    void pipelinedRequestsWaitForNext() {
        feed("POST /apply HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\n"
                + "GET /health HTTP/1.0\r\n\r\n");
        assertThat(events).containsExactly("head POST /apply ?", "body ab", "end");
        decoder.next();
        decoder.decode(in);
        // the CRLF after a POST body is skipped, as Go does
        assertThat(events).containsExactly("head POST /apply ?", "body ab", "end", "head GET /health ?", "end");
        assertThat(heads.get(1).close()).isTrue(); // HTTP/1.0 without keep-alive
        assertThat(in.isReadable()).isFalse();
    }

    @Test
    void expectContinueOnlyWithABodyOnHttp11() {
        feed("PUT /kv/a HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n");
        assertThat(heads.get(0).expectContinue()).isTrue();
        GoRequestDecoderTest t = new GoRequestDecoderTest();
        try {
            t.feed("PUT /kv/a HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n");
            assertThat(t.heads.get(0).expectContinue()).isFalse();
            assertThat(t.heads.get(0).keepAlive10()).isTrue();
        } finally {
            t.release();
        }
    }

    @Test
    void bareLineFeedsAndFoldedHeaders() {
        assertThat(feed("GET /health HTTP/1.1\nHost: x\nX-A: 1\n  2\n\n")).containsExactly("head GET /health ?", "end");
        assertThat(heads.get(0).headers().get("X-A")).containsExactly("1 2");
    }
}
