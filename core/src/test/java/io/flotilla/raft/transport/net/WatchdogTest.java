package io.flotilla.raft.transport.net;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Write deadlines: fired once, on time, never after a disarm, and an earlier deadline is not kept waiting. */
class WatchdogTest {

    @Test
    void anEarlierDeadlineArmedWhileTheThreadSleepsFiresOnTime() throws Exception {
        try (Watchdog w = new Watchdog("test-watchdog")) {
            CountDownLatch late = new CountDownLatch(1);
            w.arm(System.nanoTime() + TimeUnit.MINUTES.toNanos(1), late::countDown);
            CountDownLatch early = new CountDownLatch(1);
            long armedAt = System.nanoTime();
            w.arm(armedAt + TimeUnit.MILLISECONDS.toNanos(50), early::countDown);
            assertThat(early.await(5, TimeUnit.SECONDS)).isTrue();
            long waited = System.nanoTime() - armedAt;
            assertThat(waited).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            // Not woken, the thread would sleep out its idle second first.
            assertThat(waited).isLessThan(TimeUnit.MILLISECONDS.toNanos(800));
            assertThat(late.getCount()).isOne();
        }
    }

    @Test
    void aDisarmedDeadlineNeverFiresAndEachFiresOnce() throws Exception {
        try (Watchdog w = new Watchdog("test-watchdog")) {
            AtomicInteger disarmedRuns = new AtomicInteger();
            AtomicInteger fired = new AtomicInteger();
            for (int i = 0; i < 1000; i++) {
                w.arm(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20), disarmedRuns::incrementAndGet).disarm();
                w.arm(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(i % 30), fired::incrementAndGet);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> fired.get() == 1000);
            CountDownLatch after = new CountDownLatch(1);
            w.arm(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(40), after::countDown);
            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(disarmedRuns).hasValue(0);
            assertThat(fired).hasValue(1000);
        }
    }

    @Test
    void noDeadlineAndAClosedWatchdogArmNothing() throws Exception {
        Watchdog w = new Watchdog("test-watchdog");
        AtomicInteger runs = new AtomicInteger();
        w.arm(0, runs::incrementAndGet);
        w.close();
        w.awaitTermination(5000);
        w.arm(System.nanoTime(), runs::incrementAndGet).disarm();
        assertThat(runs).hasValue(0);
    }
}
