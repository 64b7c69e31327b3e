package io.flotilla.kv;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A small client for the service's HTTP API, used by the demo and the end-to-end tests: one call, one answer,
 * nothing hidden (no retries, no leader following — callers decide what to do with a 503 and its hints).
 */
public final class KvClient {
    private final HttpClient http;
    private final Duration timeout;

    /** A client whose calls give up after {@code timeout}. */
    public KvClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * An answer.
     *
     * @param status  the HTTP status
     * @param body    the body as text
     * @param headers the response headers
     */
    public record Answer(int status, String body, HttpHeaders headers) {
        /** The body as a JSON object. */
        public Map<String, Object> json() {
            return JsonReader.object(body);
        }

        /** A header's first value. */
        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** A member of the JSON body as a number. */
        public long number(String name) {
            Object v = json().get(name);
            if (!(v instanceof Long l)) {
                throw new IllegalStateException(name + " is not a number in " + body);
            }
            return l;
        }

        /** A member of the JSON body as text ({@code null} stays {@code null}). */
        public String text(String name) {
            Object v = json().get(name);
            return v == null ? null : v.toString();
        }
    }

    /**
     * Sends one request.
     *
     * @param httpAddr {@code host:port} of a node's HTTP API
     * @param target   path and query, already escaped ({@code /kv/a%2Fb?consistency=stale})
     * @param body     the body, or {@code null} for none
     * @throws IOException if the node cannot be reached or does not answer in time
     */
    public Answer send(String method, String httpAddr, String target, byte[] body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + httpAddr + target))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body(), r.headers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** {@code GET target}. */
    public Answer get(String httpAddr, String target) throws IOException {
        return send("GET", httpAddr, target, null);
    }

    /** {@code POST target} without a body. */
    public Answer post(String httpAddr, String target) throws IOException {
        return send("POST", httpAddr, target, null);
    }

    /** {@code PUT /kv/{key}} with the value as the body. */
    public Answer put(String httpAddr, String key, String value) throws IOException {
        return send("PUT", httpAddr, "/kv/" + escape(key), value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code GET /kv/{key}} (linearizable). */
    public Answer read(String httpAddr, String key) throws IOException {
        return get(httpAddr, "/kv/" + escape(key));
    }

    /** A key or query value percent-encoded so that it reaches the node unchanged. */
    public static String escape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
