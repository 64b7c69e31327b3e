package io.flotilla.kv;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP worker pool: idle threads first, then new ones up to the limit, then a queue; nothing rejected. */
class ElasticPoolTest {
    @Test
    void growsToItsLimitThenQueuesAndNeverRejects() throws Exception {
        ThreadPoolExecutor pool = KvHttpServer.elasticPool(1, 4, Executors.defaultThreadFactory());
        try {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(4);
            AtomicInteger done = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                pool.execute(() -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.incrementAndGet();
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.getPoolSize()).isEqualTo(4);
            assertThat(pool.getQueue()).hasSize(6);
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(done.get()).isEqualTo(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reusesAnIdleThreadRatherThanStartingOne() throws Exception {
        ThreadPoolExecutor pool = KvHttpServer.elasticPool(1, 4, Executors.defaultThreadFactory());
        try {
            LinkedTransferQueue<Runnable> queue = (LinkedTransferQueue<Runnable>) pool.getQueue();
            for (int i = 0; i < 20; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                pool.execute(ran::countDown);
                assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!queue.hasWaitingConsumer()) { // the thread is back, waiting for work
                    assertThat(System.nanoTime()).isLessThan(deadline);
                    Thread.onSpinWait();
                }
            }
            assertThat(pool.getLargestPoolSize()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
