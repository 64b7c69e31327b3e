package io.flotilla.kv;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.x requests from a connection's bytes the way Go's {@code net/http} server (Go 1.19) reads them, so
 * that the Java node accepts, refuses and frames exactly what the Go node does: {@code readRequest} (request
 * line, target, MIME headers), {@code readTransfer} (Content-Length, chunked), the server's checks on the result
 * ({@code Host}, header names and values, protocol version, {@code Expect}), and the chunked body reader with its
 * error texts.
 *
 * <p>Why not Netty's {@code HttpRequestDecoder}: it splits the request line on any run of whitespace, skips
 * leading blank lines and control bytes, applies its own header and transfer-coding rules, and reports body
 * errors as decoder failures; each of those answers some hostile request differently from Go.
 *
 * <p>One request at a time: after a request's body has ended the decoder reads nothing more until
 * {@link #next()}, so pipelined requests are answered in order. Not thread-safe: it runs on the connection's
 * event loop.
 */
final class GoRequestDecoder {
    /** Go's {@code DefaultMaxHeaderBytes} plus the 4096 bytes of slack its server adds (initialReadLimitSize). */
    static final int MAX_HEAD = (1 << 20) + 4096;
    /** Go's {@code maxLineLength} for chunk-size lines, and its bufio buffer (how far a trailer may look ahead). */
    private static final int MAX_CHUNK_LINE = 4096;

    /** What the decoder found, in order. */
    interface Sink {
        /** A request's head, accepted. Its body (if any) follows, then {@link #bodyEnd()} or {@link #bodyError}. */
        void head(Head head);

        /** Bytes of the body; the sink owns (and must release) {@code content}. */
        void body(ByteBuf content);

        void bodyEnd();

        /**
         * The body is broken ({@code message} is Go's error text); nothing more is read. {@code poisoned}: Go's
         * body reader keeps failing afterwards (a framing error), unlike a body of known length cut short by
         * the end of input, which Go's reader then reports as ended.
         */
        void bodyError(String message, boolean poisoned);

        /** The request is refused before any handler would run; nothing more is read. */
        void refuse(int status, String message);
    }

    /**
     * A request head as Go's server hands it to a handler.
     *
     * @param method        the method, as sent
     * @param uri           the parsed target
     * @param minor         the protocol's minor version (the major one is 1)
     * @param headers       values by canonical header name ({@code Host} excluded, as Go removes it)
     * @param contentLength the body's length, 0 for none, -1 when chunked
     * @param close         Go's {@code Request.Close}: the connection closes after this request
     * @param keepAlive10   an HTTP/1.0 request asking for keep-alive
     * @param expectContinue {@code Expect: 100-continue} on an HTTP/1.1 request with a body
     */
    record Head(String method, GoRequestUri uri, int minor, Map<String, List<String>> headers, long contentLength,
                boolean close, boolean keepAlive10, boolean expectContinue) {
    }

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, DONE, FAILED }

    private final Sink sink;
    private State state = State.HEAD;
    private long remaining;
    /** While reading a head: how many bytes were scanned, and where the line being scanned starts. */
    private int scanned;
    private int lineOffset;
    private String lastMethod = "";

    GoRequestDecoder(Sink sink) {
        this.sink = sink;
    }

    /** Whether a request's body is still being read. */
    boolean inBody() {
        return state == State.FIXED || state == State.CHUNK_SIZE || state == State.CHUNK_DATA
                || state == State.CHUNK_END || state == State.TRAILER;
    }

    /** Lets the decoder read the next request (the previous one has been answered). */
    void next() {
        if (state == State.DONE) {
            state = State.HEAD;
        }
    }

    /** Decodes what it can from {@code in}, consuming what it decoded. */
    void decode(ByteBuf in) {
        while (true) {
            switch (state) {
                case HEAD -> {
                    if (!readHead(in)) {
                        return;
                    }
                }
                case FIXED -> {
                    if (!passBody(in)) {
                        return;
                    }
                    if (remaining == 0) {
                        endBody();
                    }
                }
                case CHUNK_SIZE -> {
                    if (!readChunkSize(in)) {
                        return;
                    }
                }
                case CHUNK_DATA -> {
                    if (!passBody(in)) {
                        return;
                    }
                    if (remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case CHUNK_END -> {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    if (in.readByte() != '\r' || in.readByte() != '\n') {
                        failBody("malformed chunked encoding");
                        return;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILER -> {
                    if (!readTrailer(in)) {
                        return;
                    }
                }
                default -> {
                    return; // DONE: waiting for next(); FAILED: nothing more is read
                }
            }
        }
    }

    /**
     * Hands the sink as much of the {@code remaining} body bytes (of the body or of the chunk) as {@code in} holds;
     * {@code false} if it held none.
     */
    private boolean passBody(ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (n == 0) {
            return false;
        }
        sink.body(in.readRetainedSlice(n));
        remaining -= n;
        return true;
    }

    /** The peer will send nothing more: a request cut short is refused or its body broken, as in Go. */
    void endOfInput(ByteBuf in) {
        switch (state) {
            case HEAD -> {
                if (in.isReadable()) {
                    refuse(400, "unexpected EOF");
                }
            }
            case FIXED -> failBody("unexpected EOF", false);
            case CHUNK_SIZE, CHUNK_DATA, CHUNK_END -> failBody("unexpected EOF");
            case TRAILER -> failBody("http: unexpected EOF reading trailer");
            default -> {
            }
        }
    }

    private void endBody() {
        state = State.DONE;
        sink.bodyEnd();
    }

    private void failBody(String message) {
        failBody(message, true);
    }

    private void failBody(String message, boolean poisoned) {
        state = State.FAILED;
        sink.bodyError(message, poisoned);
    }

    private void refuse(int status, String message) {
        state = State.FAILED;
        sink.refuse(status, message);
    }

    // ----------------------------------------------------------------------------------------------------------
    // the head

    /** Returns whether a head was read (or refused). */
    private boolean readHead(ByteBuf in) {
        if (lastMethod.equals("POST")) {
            // Go tolerates up to 4 stray CR/LF bytes after a POST body (RFC 7230 section 3).
            int skip = 0;
            while (skip < 4 && skip < in.readableBytes()) {
                byte b = in.getByte(in.readerIndex() + skip);
                if (b != '\r' && b != '\n') {
                    break;
                }
                skip++;
            }
            if (skip == in.readableBytes() && skip < 4) {
                return false; // Go peeks 4 bytes before deciding
            }
            in.skipBytes(skip);
            lastMethod = "";
        }
        // Scanning resumes where it stopped (offsets from the reader index, which stays put until the head is
        // complete), so a head sent in many small pieces is scanned once.
        int from = in.readerIndex();
        int limit = Math.min(in.writerIndex(), from + MAX_HEAD);
        for (int i = from + scanned; i < limit; i++) {
            if (in.getByte(i) != '\n') {
                continue;
            }
            int lineStart = from + lineOffset;
            lineOffset = i + 1 - from;
            if (lineStart == from) {
                // The request line is checked as soon as it is complete, as Go reads it before the headers.
                String error = checkRequestLine(line(in, lineStart, i));
                if (error != null) {
                    refuse(400, error);
                    return true;
                }
            } else if (i == lineStart || i == lineStart + 1 && in.getByte(lineStart) == '\r') {
                byte[] head = new byte[i + 1 - from];
                in.readBytes(head);
                scanned = 0;
                lineOffset = 0;
                parseHead(lines(head));
                return true;
            }
        }
        scanned = limit - from;
        if (in.readableBytes() >= MAX_HEAD) {
            refuse(431, "request header fields too large");
            return true;
        }
        return false;
    }

    /** The line from {@code start} to the {@code \n} at {@code nl}, without it or a {@code \r} before it. */
    private static String line(ByteBuf in, int start, int nl) {
        int end = nl > start && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
        return in.toString(start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** The lines of a head, without their {@code \n} or {@code \r\n} (bufio's ReadLine), one char per byte. */
    private static List<String> lines(byte[] head) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n') {
                int end = i > start && head[i - 1] == '\r' ? i - 1 : i;
                lines.add(new String(head, start, end - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return lines;
    }

    /** Go's checks of the request line, in its order; the error text, or {@code null}. */
    private static String checkRequestLine(String line) {
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp2 < 0) {
            return "malformed HTTP request " + quote(line);
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String proto = line.substring(sp2 + 1);
        if (!isToken(method)) {
            return "invalid method " + quote(method);
        }
        if (parseVersion(proto) == null) {
            return "malformed HTTP version " + quote(proto);
        }
        try {
            requestUri(method, target);
        } catch (GoRequestUri.BadTargetException e) {
            return e.getMessage();
        }
        return null;
    }

    /** CONNECT host:port names an authority: Go parses it as {@code "http://" + target}. */
    private static GoRequestUri requestUri(String method, String target) throws GoRequestUri.BadTargetException {
        return method.equals("CONNECT") && !target.startsWith("/")
                ? GoRequestUri.parse("http://" + target) : GoRequestUri.parse(target);
    }

    /** Parses a complete head whose request line {@link #checkRequestLine} accepted. */
    private void parseHead(List<String> lines) {
        String line = lines.get(0);
        int sp1 = line.indexOf(' ');
        int sp2 = line.indexOf(' ', sp1 + 1);
        String method = line.substring(0, sp1);
        int[] version = parseVersion(line.substring(sp2 + 1));
        GoRequestUri uri;
        try {
            uri = requestUri(method, line.substring(sp1 + 1, sp2));
        } catch (GoRequestUri.BadTargetException e) {
            throw new IllegalStateException("checked before", e);
        }

        Map<String, List<String>> headers = new LinkedHashMap<>();
        String error = readMimeHeader(lines, headers);
        if (error != null) {
            refuse(400, error);
            return;
        }
        List<String> hosts = headers.remove("Host");
        if (hosts != null && hosts.size() > 1) {
            refuse(400, "too many Host headers");
            return;
        }
        boolean close = shouldClose(version, headers);

        // readTransfer
        long length;
        boolean chunked = false;
        List<String> te = headers.remove("Transfer-Encoding");
        if (te != null && version[0] == 1 && version[1] >= 1) {
            if (te.size() != 1) {
                refuse(501, "too many transfer encodings: " + quoteList(te));
                return;
            }
            if (!te.get(0).equalsIgnoreCase("chunked")) {
                refuse(501, "unsupported transfer encoding: " + quote(te.get(0)));
                return;
            }
            headers.remove("Content-Length"); // the transfer coding overrides it
            chunked = true;
        }
        List<String> cls = headers.get("Content-Length");
        if (cls != null && cls.size() > 1) {
            String first = cls.get(0).strip();
            for (String cl : cls) {
                if (!cl.strip().equals(first)) {
                    refuse(400, "http: message cannot contain multiple Content-Length headers; got "
                            + quoteList(cls));
                    return;
                }
            }
            headers.put("Content-Length", new ArrayList<>(List.of(first)));
            cls = headers.get("Content-Length");
        }
        if (chunked) {
            length = -1;
        } else {
            String cl = cls == null ? "" : trimSpaceTab(cls.get(0));
            if (cl.isEmpty()) {
                headers.remove("Content-Length");
                length = 0;
            } else {
                length = parseContentLength(cl);
                if (length < 0) {
                    refuse(400, "bad Content-Length " + quote(cl));
                    return;
                }
            }
        }
        List<String> trailer = headers.get("Trailer");
        if (chunked && trailer != null) {
            for (String v : trailer) {
                for (String key : v.split(",")) {
                    String k = canonicalKey(trimSpaceTab(key));
                    if (k.equals("Transfer-Encoding") || k.equals("Trailer") || k.equals("Content-Length")) {
                        refuse(400, "bad trailer key " + quote(k));
                        return;
                    }
                }
            }
        }

        // conn.readRequest's checks on the parsed request
        if (version[0] != 1) {
            refuse(505, "unsupported protocol version");
            return;
        }
        if (version[1] >= 1 && (hosts == null || hosts.isEmpty()) && !method.equals("CONNECT")) {
            refuse(400, "missing required Host header");
            return;
        }
        if (hosts != null && hosts.size() == 1 && !validHost(hosts.get(0))) {
            refuse(400, "malformed Host header");
            return;
        }
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (!isToken(h.getKey())) {
                refuse(400, "invalid header name");
                return;
            }
            for (String v : h.getValue()) {
                if (!validValue(v)) {
                    refuse(400, "invalid header value");
                    return;
                }
            }
        }

        String expect = first(headers, "Expect");
        boolean expectContinue = false;
        if (hasToken(expect, "100-continue")) {
            expectContinue = version[1] >= 1 && length != 0;
        } else if (!expect.isEmpty()) {
            refuse(417, "expectation failed");
            return;
        }
        boolean keepAlive10 = version[1] == 0 && hasToken(first(headers, "Connection"), "keep-alive");

        lastMethod = method;
        state = length == 0 ? State.DONE : chunked ? State.CHUNK_SIZE : State.FIXED;
        remaining = Math.max(length, 0);
        sink.head(new Head(method, uri, version[1], headers, length, close, keepAlive10, expectContinue));
        if (length == 0) {
            sink.bodyEnd();
        }
    }

    /**
     * Go 1.19's {@code textproto.ReadMIMEHeader} over the lines after the request line: no leading space on the
     * first, a colon on each, continuation lines (starting with space or tab) joined with one space, empty names
     * skipped, values trimmed of spaces and tabs. Returns its error text, or {@code null}.
     */
    private static String readMimeHeader(List<String> lines, Map<String, List<String>> headers) {
        int i = 1;
        if (i < lines.size() && !lines.get(i).isEmpty() && isSpaceTab(lines.get(i).charAt(0))) {
            return "malformed MIME header initial line: " + lines.get(i);
        }
        while (i < lines.size() && !lines.get(i).isEmpty()) {
            String kv = lines.get(i++);
            if (kv.indexOf(':') < 0) {
                return "malformed MIME header: missing colon: " + quote(kv);
            }
            StringBuilder sb = new StringBuilder(trimSpaceTab(kv));
            while (i < lines.size() && !lines.get(i).isEmpty() && isSpaceTab(lines.get(i).charAt(0))) {
                sb.append(' ').append(trimSpaceTab(lines.get(i++)));
            }
            String line = sb.toString();
            int colon = line.indexOf(':');
            String key = canonicalKey(line.substring(0, colon));
            if (key.isEmpty()) {
                continue;
            }
            String value = line.substring(colon + 1);
            int v = 0;
            while (v < value.length() && isSpaceTab(value.charAt(v))) {
                v++;
            }
            headers.computeIfAbsent(key, k -> new ArrayList<>()).add(value.substring(v));
        }
        return null;
    }

    /** Go's {@code CanonicalMIMEHeaderKey}: {@code content-length} is {@code Content-Length}; others unchanged. */
    static String canonicalKey(String k) {
        for (int i = 0; i < k.length(); i++) {
            if (!isTokenChar(k.charAt(i))) {
                return k;
            }
        }
        StringBuilder sb = new StringBuilder(k.length());
        boolean upper = true;
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (upper && c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            } else if (!upper && c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            sb.append(c);
            upper = c == '-';
        }
        return sb.toString();
    }

    /** {@code HTTP/1.1}, {@code HTTP/1.0}, or {@code HTTP/} followed by one digit, a dot, one digit. */
    private static int[] parseVersion(String v) {
        if (v.equals("HTTP/1.1")) {
            return new int[] {1, 1};
        }
        if (v.equals("HTTP/1.0")) {
            return new int[] {1, 0};
        }
        if (!v.startsWith("HTTP/") || v.length() != 8 || v.charAt(6) != '.' || !isDigit(v.charAt(5))
                || !isDigit(v.charAt(7))) {
            return null;
        }
        return new int[] {v.charAt(5) - '0', v.charAt(7) - '0'};
    }

    private static boolean shouldClose(int[] version, Map<String, List<String>> headers) {
        if (version[0] < 1) {
            return true;
        }
        List<String> conn = headers.getOrDefault("Connection", List.of());
        boolean hasClose = conn.stream().anyMatch(v -> hasToken(v, "close"));
        if (version[0] == 1 && version[1] == 0) {
            return hasClose || conn.stream().noneMatch(v -> hasToken(v, "keep-alive"));
        }
        return hasClose;
    }

    /** Go's {@code strconv.ParseUint(cl, 10, 63)}; -1 if it fails. */
    private static long parseContentLength(String cl) {
        long n = 0;
        for (int i = 0; i < cl.length(); i++) {
            char c = cl.charAt(i);
            if (!isDigit(c) || n > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    // ----------------------------------------------------------------------------------------------------------
    // chunked bodies (net/http/internal's chunkedReader, then body.readTrailer)

    private boolean readChunkSize(ByteBuf in) {
        int nl = in.indexOf(in.readerIndex(), Math.min(in.writerIndex(), in.readerIndex() + MAX_CHUNK_LINE), (byte) '\n');
        if (nl < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) {
                failBody("header line too long");
                return true;
            }
            return false;
        }
        int len = nl + 1 - in.readerIndex();
        String line = in.readCharSequence(len, StandardCharsets.ISO_8859_1).toString();
        if (len >= MAX_CHUNK_LINE) {
            failBody("header line too long");
            return true;
        }
        int end = line.length();
        while (end > 0 && " \t\r\n".indexOf(line.charAt(end - 1)) >= 0) {
            end--;
        }
        line = line.substring(0, end);
        int semi = line.indexOf(';');
        if (semi >= 0) {
            line = line.substring(0, semi);
        }
        long size = 0;
        for (int i = 0; i < line.length(); i++) {
            int d = hex(line.charAt(i));
            if (d < 0) {
                failBody("invalid byte in chunk length");
                return true;
            }
            if (i == 16) {
                failBody("http chunk length too large");
                return true;
            }
            size = size << 4 | d;
        }
        if (size == 0) {
            state = State.TRAILER;
        } else if (size < 0) {
            // 16 hex digits above 7fff...: more than anyone could send; Go would wait for it forever
            failBody("http chunk length too large");
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean readTrailer(ByteBuf in) {
        if (in.readableBytes() < 2) {
            return false;
        }
        int r = in.readerIndex();
        if (in.getByte(r) == '\r' && in.getByte(r + 1) == '\n') {
            in.skipBytes(2);
            endBody();
            return true;
        }
        int limit = Math.min(in.writerIndex(), r + MAX_CHUNK_LINE);
        int found = -1;
        for (int i = r; i + 4 <= limit; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                found = i + 4;
                break;
            }
        }
        if (found < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) {
                failBody("http: suspiciously long trailer after chunked body");
                return true;
            }
            return false;
        }
        // ReadMIMEHeader stops at the first empty line, which a bare "\n\n" may end before the CRLFCRLF
        int end = found;
        for (int i = r, lineStart = r; i < found; i++) {
            if (in.getByte(i) == '\n') {
                if (i == lineStart || i == lineStart + 1 && in.getByte(lineStart) == '\r') {
                    end = i + 1;
                    break;
                }
                lineStart = i + 1;
            }
        }
        byte[] trailer = new byte[end - r];
        in.readBytes(trailer);
        List<String> lines = new ArrayList<>();
        lines.add(""); // readMimeHeader skips the first line: it is the request line for a head
        lines.addAll(lines(trailer));
        String error = readMimeHeader(lines, new LinkedHashMap<>());
        if (error != null) {
            failBody(error);
        } else {
            endBody();
        }
        return true;
    }

    // ----------------------------------------------------------------------------------------------------------
    // character classes (httpguts)

    private static int hex(char c) {
        return isDigit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSpaceTab(char c) {
        return c == ' ' || c == '\t';
    }

    private static String trimSpaceTab(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpaceTab(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpaceTab(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    static boolean isTokenChar(char c) {
        return c < 0x7f && c > 0x20 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean validValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean validHost(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || "!$%&()*+,-.:;=[]'_~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** httpguts' {@code headerValueContainsToken}: comma-separated, case-insensitive, spaces and tabs trimmed. */
    static boolean hasToken(String v, String token) {
        for (String part : v.split(",", -1)) {
            if (trimSpaceTab(part).toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static String first(Map<String, List<String>> headers, String key) {
        List<String> v = headers.get(key);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }

    private static String quote(String latin1) {
        return GoQuote.quote(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String quoteList(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            sb.append(sb.length() > 1 ? " " : "").append(quote(v));
        }
        return sb.append(']').toString();
    }
}
