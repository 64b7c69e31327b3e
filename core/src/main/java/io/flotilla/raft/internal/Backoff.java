package io.flotilla.raft.internal;

import java.time.Duration;

/**
 * hashicorp's failure backoff: rounds 1 and 2 wait {@code base}, each later round doubles it, and the doubling
 * stops at round {@code limit}.
 */
public final class Backoff {
    private Backoff() {
    }

    /**
     * The wait before retrying after {@code round} consecutive failures.
     *
     * @param base  the first wait
     * @param round consecutive failures so far
     * @param limit the round after which the wait stops growing
     */
    public static Duration backoff(Duration base, long round, long limit) {
        long power = Math.min(round, limit);
        Duration wait = base;
        while (power > 2) {
            wait = wait.multipliedBy(2);
            power--;
        }
        return wait;
    }
}
