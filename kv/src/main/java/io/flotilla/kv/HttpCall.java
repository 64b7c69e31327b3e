package io.flotilla.kv;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request being served: its parsed target, its body as it arrives, and the one answer it gets. The
 * answer may be written from any thread (requests that wait for Raft are answered when their future completes);
 * it is written once, always as one line of JSON with {@code Content-Type: application/json} except where a caller
 * says otherwise, and without a body for {@code HEAD} (with the {@code Content-Length} a {@code GET} would have).
 */
final class HttpCall {
    /** The contract's limit on request bodies: 512 KiB, the seed's SuggestedMaxDataSize. */
    static final int MAX_BODY = 512 << 10;

    private final HttpConnection connection;
    private final GoRequestDecoder.Head head;
    private final HttpMetrics metrics;
    private final Runnable onAnswered;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();
    private final GoUrl.Query query;
    private final Body body = new Body();
    private volatile String endpoint = "other";
    /** Go's {@code requestTooLarge}: the body went past the limit, so the connection closes after the answer. */
    private volatile boolean tooLarge;
    /** The handler read the whole body. */
    private volatile boolean bodyRead;

    /** @param onAnswered run once the answer has been written (or the write failed) */
    HttpCall(HttpConnection connection, GoRequestDecoder.Head head, HttpMetrics metrics, Runnable onAnswered) {
        this.connection = connection;
        this.head = head;
        this.metrics = metrics;
        this.onAnswered = onAnswered;
        this.query = GoUrl.parseQuery(head.uri().rawQuery());
    }

    String method() {
        return head.method();
    }

    /** The path as Go's {@code URL.EscapedPath()} gives it (see {@link GoRequestUri}). */
    String rawPath() {
        return head.uri().escapedPath();
    }

    /** The target was {@code *}. */
    boolean asterisk() {
        return head.uri().asterisk();
    }

    GoUrl.Query query() {
        return query;
    }

    GoRequestDecoder.Head head() {
        return head;
    }

    /** Names the route for metrics ({@code /kv/{key}}, {@code /status}, ...). */
    void endpoint(String name) {
        this.endpoint = name;
    }

    /**
     * Reads the whole body, up to {@link #MAX_BODY} bytes, blocking until it has arrived (sending
     * {@code 100 Continue} first if the client waits for it). Returns {@code null} after answering 413 (too
     * large) or 400 (a broken body, with Go's error text), or after closing a connection whose client took more
     * than {@value KvHttpServer#MAX_REQUEST_SECONDS} seconds to send it.
     */
    byte[] readBody() {
        if (head.expectContinue()) {
            connection.sendContinue(this);
        }
        long deadline = startNanos + TimeUnit.SECONDS.toNanos(KvHttpServer.MAX_REQUEST_SECONDS);
        Body.Outcome outcome;
        try {
            outcome = body.await(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = null;
        }
        if (outcome == null) {
            abandon();
            return null;
        }
        if (outcome.bytes().length > MAX_BODY) {
            tooLarge = true;
            error(413, "body larger than " + MAX_BODY + " bytes");
            return null;
        }
        if (outcome.error() != null) {
            error(400, "reading body: " + outcome.error());
            return null;
        }
        bodyRead = true;
        return outcome.bytes();
    }

    /** Where the connection's event loop hands over the body. */
    Body body() {
        return body;
    }

    boolean tooLarge() {
        return tooLarge;
    }

    boolean bodyRead() {
        return bodyRead;
    }

    /** Answers {@code {"error":msg}}. */
    void error(int status, String message) {
        json(status, new JsonObject().str("error", message).toString());
    }

    /** Answers with a JSON document (a newline is appended, as Go's encoder does). */
    void json(int status, String json) {
        send(status, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8), null);
    }

    /** Answers 405 with an {@code Allow} header listing the methods. */
    void methodNotAllowed(String... allowed) {
        String list = String.join(", ", allowed);
        String error = new JsonObject().str("error", "method " + method() + " not allowed; use "
                + String.join(" or ", allowed)).toString();
        send(405, "application/json", (error + "\n").getBytes(StandardCharsets.UTF_8), list);
    }

    /** Answers with any content type ({@code null}: none) and, when not {@code null}, an {@code Allow} header. */
    void send(int status, String contentType, byte[] content, String allow) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        ByteBuf buf = method().equals("HEAD") ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content);
        // Go answers in the request's protocol version, with canonical header names.
        FullHttpResponse response = new DefaultFullHttpResponse(
                head.minor() == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), buf);
        if (allow != null) {
            response.headers().set("Allow", allow);
        }
        if (contentType != null) {
            response.headers().set("Content-Type", contentType);
        }
        response.headers().set("Date", DateFormatter.format(new Date()));
        response.headers().set("Content-Length", Integer.toString(content.length));
        connection.answer(this, response, () -> {
            metrics.record(endpoint, method(), status, System.nanoTime() - startNanos);
            onAnswered.run();
        });
    }

    /** Gives up on the call without an answer: the connection is closed. */
    private void abandon() {
        if (answered.compareAndSet(false, true)) {
            connection.abandon(onAnswered);
        }
    }

    /** Whether an answer was written. */
    boolean answered() {
        return answered.get();
    }

    /**
     * The body as the event loop receives it: kept up to one byte past {@link #MAX_BODY} (enough to know it is
     * too large), the rest counted and dropped.
     */
    static final class Body {
        /** The body read (possibly cut at {@code MAX_BODY + 1} bytes), and Go's error text if it broke. */
        record Outcome(byte[] bytes, String error) {
        }

        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long received;
        private boolean ended;
        private String error;

        /** Adds bytes; returns whether more are wanted (the limit is not yet passed). */
        synchronized boolean add(ByteBuf content) {
            int n = content.readableBytes();
            int keep = (int) Math.max(0, Math.min(n, MAX_BODY + 1L - kept.size()));
            kept.writeBytes(ByteBufUtil.getBytes(content, content.readerIndex(), keep));
            received += n;
            if (kept.size() > MAX_BODY) {
                notifyAll();
                return false;
            }
            return true;
        }

        synchronized long received() {
            return received;
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        synchronized void fail(String message) {
            if (!ended && error == null) {
                error = message;
                notifyAll();
            }
        }

        /** Waits until the body has ended, broken or passed the limit; {@code null} at the deadline. */
        synchronized Outcome await(long deadline) throws InterruptedException {
            while (!ended && error == null && kept.size() <= MAX_BODY) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return new Outcome(kept.toByteArray(), error);
        }
    }
}
