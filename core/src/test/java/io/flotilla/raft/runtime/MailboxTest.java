package io.flotilla.raft.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue in front of the runtime's threads: nothing lost, producers' order kept, a sleeping owner woken. */
class MailboxTest {

    @Test
    @Timeout(30)
    void everyItemFromManyProducersArrivesInEachProducersOrder() throws Exception {
        Mailbox<long[]> box = new Mailbox<>();
        int producers = 8;
        int each = 20_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long id = p;
            Thread t = new Thread(() -> {
                for (long i = 0; i < each; i++) {
                    box.add(new long[] {id, i});
                }
            });
            threads.add(t);
            t.start();
        }
        long[] next = new long[producers];
        int received = 0;
        List<long[]> round = new ArrayList<>();
        while (received < producers * each) {
            // A lost wake-up would leave the owner asleep for the whole minute and fail the test's time limit.
            long[] first = box.poll(1, TimeUnit.MINUTES);
            assertThat(first).as("an item, not a timeout").isNotNull();
            round.clear();
            round.add(first);
            box.drainTo(round, 100);
            for (long[] item : round) {
                assertThat(item[1]).isEqualTo(next[(int) item[0]]);
                next[(int) item[0]]++;
                received++;
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(box.isEmpty()).isTrue();
        assertThat(box.poll(10, TimeUnit.MILLISECONDS)).as("nothing more, after the timeout").isNull();
    }

    @Test
    void removeAllEmptiesTheBoxInOrder() {
        Mailbox<Integer> box = new Mailbox<>();
        box.add(1);
        box.add(2);
        box.add(3);
        assertThat(box.removeAll()).containsExactly(1, 2, 3);
        assertThat(box.poll()).isNull();
    }
}
