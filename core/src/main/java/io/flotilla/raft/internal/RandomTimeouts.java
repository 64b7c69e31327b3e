package io.flotilla.raft.internal;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Randomized timeouts and ids as hashicorp/raft draws them.
 */
public final class RandomTimeouts {
    private static final SecureRandom SEEDS = new SecureRandom();

    private RandomTimeouts() {
    }

    /**
     * A duration uniformly drawn from {@code [d, 2d)}, so that servers do not time out in lock step; zero stays
     * zero (hashicorp's "never fires").
     */
    public static Duration randomTimeout(Duration d, RandomGenerator random) {
        long nanos = d.toNanos();
        if (nanos <= 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(nanos + random.nextLong(nanos));
    }

    /** A seed drawn from a cryptographic source, for randomness that differs per process. */
    public static long newSeed() {
        return SEEDS.nextLong();
    }

    /** A fresh pseudo-random generator seeded with {@link #newSeed()}. */
    public static Random newRandom() {
        return new Random(newSeed());
    }

    /** A random UUID in hashicorp's {@code %08x-%04x-%04x-%04x-%12x} format (no version bits set). */
    public static String generateUuid() {
        byte[] b = new byte[16];
        SEEDS.nextBytes(b);
        HexFormat hex = HexFormat.of();
        return hex.formatHex(b, 0, 4) + "-" + hex.formatHex(b, 4, 6) + "-" + hex.formatHex(b, 6, 8) + "-"
                + hex.formatHex(b, 8, 10) + "-" + hex.formatHex(b, 10, 16);
    }
}
