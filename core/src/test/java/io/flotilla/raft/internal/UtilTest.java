package io.flotilla.raft.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports util_test.go. TestMin/TestMax have no counterpart: Java's Math.min/max are used directly. */
class UtilTest {

    @Test
    @DisplayName("TestRandomTimeout: uniformly within [d, 2d)")
    void randomTimeout() {
        Random random = new Random(42);
        Duration d = Duration.ofMillis(1);
        for (int i = 0; i < 10_000; i++) {
            Duration t = RandomTimeouts.randomTimeout(d, random);
            assertThat(t).isGreaterThanOrEqualTo(d).isLessThan(d.multipliedBy(2));
        }
    }

    @Test
    @DisplayName("TestRandomTimeout_NoTime: zero stays zero")
    void randomTimeoutOfZero() {
        assertThat(RandomTimeouts.randomTimeout(Duration.ZERO, new Random())).isEqualTo(Duration.ZERO);
    }

    @Test
    @DisplayName("TestNewSeed: seeds differ")
    void newSeed() {
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seeds.add(RandomTimeouts.newSeed());
        }
        assertThat(seeds).hasSize(1000);
    }

    @Test
    @DisplayName("TestGenerateUUID: distinct and well formed")
    void generateUuid() {
        String first = RandomTimeouts.generateUuid();
        for (int i = 0; i < 100; i++) {
            String id = RandomTimeouts.generateUuid();
            assertThat(id).isNotEqualTo(first)
                    .matches("[\\da-f]{8}-[\\da-f]{4}-[\\da-f]{4}-[\\da-f]{4}-[\\da-f]{12}");
        }
    }

    @Test
    @DisplayName("TestBackoff")
    void backoff() {
        assertThat(Backoff.backoff(Duration.ofMillis(10), 1, 8)).isEqualTo(Duration.ofMillis(10));
        assertThat(Backoff.backoff(Duration.ofMillis(20), 2, 8)).isEqualTo(Duration.ofMillis(20));
        assertThat(Backoff.backoff(Duration.ofMillis(10), 8, 8)).isEqualTo(Duration.ofMillis(640));
        assertThat(Backoff.backoff(Duration.ofMillis(10), 9, 8)).isEqualTo(Duration.ofMillis(640));
        assertThat(Backoff.backoff(Duration.ofMillis(10), 12, 12)).isEqualTo(Duration.ofMillis(10240));
    }
}
