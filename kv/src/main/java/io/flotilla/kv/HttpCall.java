package io.flotilla.kv;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request being served: its parsed target, and the one answer it gets. The answer may be written from
 * any thread (requests that wait for Raft are answered when their future completes); it is written once, always
 * as one line of JSON with {@code Content-Type: application/json} except where a caller says otherwise, and
 * without a body for {@code HEAD}.
 */
final class HttpCall {
    private static final Logger log = LoggerFactory.getLogger(HttpCall.class);

    /** The contract's limit on request bodies: 512 KiB, the seed's SuggestedMaxDataSize. */
    static final int MAX_BODY = 512 << 10;

    private final HttpExchange exchange;
    private final HttpMetrics metrics;
    private final Runnable onAnswered;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();
    private final String method;
    private final String rawPath;
    private final GoUrl.Query query;
    private volatile String endpoint = "other";

    /** @param onAnswered run once the answer has been written (or the write failed) */
    HttpCall(HttpExchange exchange, HttpMetrics metrics, Runnable onAnswered) {
        this.exchange = exchange;
        this.metrics = metrics;
        this.onAnswered = onAnswered;
        this.method = exchange.getRequestMethod();
        String p = exchange.getRequestURI().getRawPath();
        this.rawPath = p == null ? "" : p;
        this.query = GoUrl.parseQuery(exchange.getRequestURI().getRawQuery());
    }

    String method() {
        return method;
    }

    /** The path as sent, escapes and all. */
    String rawPath() {
        return rawPath;
    }

    GoUrl.Query query() {
        return query;
    }

    /** Names the route for metrics ({@code /kv/{key}}, {@code /status}, ...). */
    void endpoint(String name) {
        this.endpoint = name;
    }

    /**
     * Reads the whole body, up to {@link #MAX_BODY} bytes. Returns {@code null} after answering 413 (too large) or
     * 400 (the read failed).
     */
    byte[] readBody() {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                error(413, "body larger than " + MAX_BODY + " bytes");
                return null;
            }
            return body;
        } catch (IOException e) {
            error(400, "reading body: " + e.getMessage());
            return null;
        }
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
        String error = new JsonObject().str("error", "method " + method + " not allowed; use "
                + String.join(" or ", allowed)).toString();
        send(405, "application/json", (error + "\n").getBytes(StandardCharsets.UTF_8), list);
    }

    /** Answers with any content type. */
    void send(int status, String contentType, byte[] body, String allow) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (allow != null) {
                exchange.getResponseHeaders().set("Allow", allow);
            }
            if (method.equals("HEAD")) {
                // The JDK sends no Content-Length for HEAD unless we set it; Go sends the length of the body
                // it would have written.
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
                exchange.sendResponseHeaders(status, -1);
            } else {
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The client went away; nothing left to tell it.
            log.debug("writing the answer to {} {} failed: {}", method, rawPath, e.toString());
        } finally {
            exchange.close();
            metrics.record(endpoint, method, status, System.nanoTime() - startNanos);
            onAnswered.run();
        }
    }

    /** Whether an answer was written. */
    boolean answered() {
        return answered.get();
    }
}
