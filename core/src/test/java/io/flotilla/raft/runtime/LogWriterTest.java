package io.flotilla.raft.runtime;

import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.engine.EngineMetrics;
import io.flotilla.raft.engine.Input;
import io.flotilla.raft.engine.Output;
import io.flotilla.raft.storage.InmemStore;
import io.flotilla.raft.storage.LogCache;
import io.flotilla.raft.storage.LogStore;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Where log writes run: on the caller for a store that writes in memory, on the writer's thread otherwise. */
class LogWriterTest {
    private static Output.AppendLog append(long seq, long index) {
        return new Output.AppendLog(seq, List.of(new LogEntry(index, 1, LogType.COMMAND, new byte[] {1})));
    }

    private static LogWriter writer(LogStore store, List<Input> replies) {
        return new LogWriter(store, replies::add, EngineMetrics.NOOP, LoggerFactory.getLogger(LogWriterTest.class),
                "test-log-writer");
    }

    @Test
    void anInMemoryStoreIsWrittenBeforeSubmitReturns() throws IOException {
        for (LogStore store : List.of(new InmemStore(), new LogCache(16, new InmemStore()))) {
            List<Input> replies = new CopyOnWriteArrayList<>();
            try (LogWriter w = writer(store, replies)) {
                w.start();
                w.submit(append(7, 1));
                assertThat(store.lastIndex()).isEqualTo(1);
                assertThat(replies).containsExactly(new Input.LogPersisted(7));
            }
        }
    }

    @Test
    void aStoreThatDoesIoIsWrittenOnTheWritersThread() throws IOException {
        Thread caller = Thread.currentThread();
        List<Thread> writers = new CopyOnWriteArrayList<>();
        InmemStore memory = new InmemStore();
        // A store that (like a disk store) does not declare its writes in-memory, recording who writes.
        LogStore recording = new LogStore() {
            @Override
            public long firstIndex() throws IOException {
                return memory.firstIndex();
            }

            @Override
            public long lastIndex() throws IOException {
                return memory.lastIndex();
            }

            @Override
            public Optional<LogEntry> getLog(long index) throws IOException {
                return memory.getLog(index);
            }

            @Override
            public void storeLogs(List<LogEntry> entries) throws IOException {
                writers.add(Thread.currentThread());
                memory.storeLogs(entries);
            }

            @Override
            public void deleteRange(long min, long max) throws IOException {
                memory.deleteRange(min, max);
            }
        };
        List<Input> replies = new CopyOnWriteArrayList<>();
        try (LogWriter w = writer(recording, replies)) {
            w.start();
            w.submit(append(3, 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> !replies.isEmpty());
            assertThat(replies).containsExactly(new Input.LogPersisted(3));
            assertThat(writers).hasSize(1).doesNotContain(caller);
        }
    }
}
