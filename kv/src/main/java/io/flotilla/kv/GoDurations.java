package io.flotilla.kv;

import java.time.Duration;
import java.util.Map;

/**
 * Parses durations exactly as Go's {@code time.ParseDuration} does ({@code 1s}, {@code 500ms}, {@code 1m30s},
 * {@code 1.5h}, {@code 0}), so the flags and the {@code ?timeout=} parameter accept what the Go node accepts.
 */
public final class GoDurations {
    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L, // micro sign
            "\u03bcs", 1_000L, // Greek small letter mu
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);

    private GoDurations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with Go's message ({@code time: invalid duration "x"}, ...)
     */
    public static Duration parse(String text) {
        String s = text;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        // Go works in uint64 nanoseconds and allows up to 1<<63 before the sign is applied.
        final long limit = Long.MIN_VALUE; // 1<<63 as an unsigned value
        long d = 0;
        while (!s.isEmpty()) {
            char c0 = s.charAt(0);
            if (!(c0 == '.' || (c0 >= '0' && c0 <= '9'))) {
                throw invalid(text);
            }
            // leading integer
            int i = 0;
            long v = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (Long.compareUnsigned(v, Long.divideUnsigned(limit, 10)) > 0) {
                    throw invalid(text); // overflow
                }
                v = v * 10 + (s.charAt(i) - '0');
                if (Long.compareUnsigned(v, limit) > 0) {
                    throw invalid(text);
                }
                i++;
            }
            boolean pre = i > 0;
            s = s.substring(i);
            // fraction
            long f = 0;
            double scale = 1;
            boolean post = false;
            if (!s.isEmpty() && s.charAt(0) == '.') {
                s = s.substring(1);
                int j = 0;
                boolean overflow = false;
                while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                    if (!overflow) {
                        if (Long.compareUnsigned(f, Long.MAX_VALUE / 10) > 0) {
                            overflow = true;
                        } else {
                            long y = f * 10 + (s.charAt(j) - '0');
                            if (Long.compareUnsigned(y, limit) > 0) {
                                overflow = true;
                            } else {
                                f = y;
                                scale *= 10;
                            }
                        }
                    }
                    j++;
                }
                post = j > 0;
                s = s.substring(j);
            }
            if (!pre && !post) {
                throw invalid(text);
            }
            int u = 0;
            while (u < s.length() && !(s.charAt(u) == '.' || (s.charAt(u) >= '0' && s.charAt(u) <= '9'))) {
                u++;
            }
            if (u == 0) {
                throw new IllegalArgumentException("time: missing unit in duration " + GoQuote.quote(text));
            }
            String unitName = s.substring(0, u);
            s = s.substring(u);
            Long unit = UNITS.get(unitName);
            if (unit == null) {
                throw new IllegalArgumentException("time: unknown unit " + GoQuote.quote(unitName) + " in duration "
                        + GoQuote.quote(text));
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(limit, unit)) > 0) {
                throw invalid(text);
            }
            v *= unit;
            if (f > 0) {
                v += (long) (f * (unit / scale));
                if (Long.compareUnsigned(v, limit) > 0) {
                    throw invalid(text);
                }
            }
            d += v;
            if (Long.compareUnsigned(d, limit) > 0) {
                throw invalid(text);
            }
        }
        if (neg) {
            return Duration.ofNanos(-d);
        }
        if (d == limit) {
            throw invalid(text);
        }
        return Duration.ofNanos(d);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration " + GoQuote.quote(text));
    }
}
