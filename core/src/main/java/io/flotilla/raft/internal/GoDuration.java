package io.flotilla.raft.internal;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Formats a duration the way Go's {@code time.Duration.String} does ({@code 1.5s}, {@code 2m3.25s},
 * {@code 250ms}, {@code 1.2µs}, {@code 0s}), for hashicorp-compatible stats.
 */
public final class GoDuration {
    private GoDuration() {
    }

    /** Go's rendering of {@code d}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long n = Math.abs(nanos);
        if (n < 1_000) {
            return sign + n + "ns";
        }
        if (n < 1_000_000) {
            return sign + decimal(n, 1_000) + "µs";
        }
        if (n < 1_000_000_000) {
            return sign + decimal(n, 1_000_000) + "ms";
        }
        StringBuilder sb = new StringBuilder(sign);
        long hours = n / 3_600_000_000_000L;
        long rest = n % 3_600_000_000_000L;
        long minutes = rest / 60_000_000_000L;
        rest = rest % 60_000_000_000L;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        sb.append(decimal(rest, 1_000_000_000)).append('s');
        return sb.toString();
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }
}
