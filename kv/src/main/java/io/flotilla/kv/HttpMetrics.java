package io.flotilla.kv;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts and times HTTP requests per endpoint, method and status ({@code http.server.requests}, which Prometheus
 * shows as {@code http_server_requests_seconds_count}/{@code _sum}/{@code _max}).
 */
final class HttpMetrics {
    private static final java.util.Set<String> METHODS = java.util.Set.of(
            "GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE");

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String endpoint, String method, int status, long nanos) {
        // Methods are client-chosen strings: fold unknown ones so a client cannot create unbounded series.
        String m = METHODS.contains(method) ? method : "other";
        String key = endpoint + ' ' + m + ' ' + status;
        timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                        .description("HTTP requests served, by endpoint, method and status")
                        .tag("endpoint", endpoint)
                        .tag("method", m)
                        .tag("status", Integer.toString(status))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
