package io.flotilla.raft.testkit.cluster;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.FsmSnapshot;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.snapshot.SnapshotSink;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine for tests (hashicorp's {@code MockFSM}): it records the data of every command it applies and
 * answers each apply with the number of commands applied so far. Its snapshot is the list of commands, as
 * msgpack, like the seed's.
 */
public class MockFsm implements Fsm {
    private final List<byte[]> logs = new ArrayList<>();
    private final List<Configuration> configurations = new ArrayList<>();

    @Override
    public synchronized Object apply(LogEntry entry) {
        logs.add(entry.data() == null ? new byte[0] : entry.data());
        return logs.size();
    }

    @Override
    public synchronized FsmSnapshot snapshot() {
        return new MockSnapshot(new ArrayList<>(logs));
    }

    @Override
    public void restore(InputStream snapshot) throws IOException {
        List<byte[]> restored = new ArrayList<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(snapshot)) {
            if (u.hasNext()) {
                if (u.getNextFormat().getValueType().isNilType()) {
                    u.unpackNil();
                } else {
                    int n = u.unpackArrayHeader();
                    for (int i = 0; i < n; i++) {
                        int len = u.unpackRawStringHeader();
                        restored.add(u.readPayload(len));
                    }
                }
            }
        }
        synchronized (this) {
            logs.clear();
            logs.addAll(restored);
        }
    }

    /** The data of every command applied, in order (a copy). */
    public synchronized List<byte[]> logs() {
        List<byte[]> copy = new ArrayList<>(logs.size());
        for (byte[] b : logs) {
            copy.add(b.clone());
        }
        return copy;
    }

    /** How many commands were applied. */
    public synchronized int size() {
        return logs.size();
    }

    /** The configurations seen through {@link MockFsmConfigStore} (empty otherwise). */
    public synchronized List<Configuration> configurations() {
        return new ArrayList<>(configurations);
    }

    synchronized void addConfiguration(Configuration c) {
        configurations.add(c);
    }

    /** The seed's {@code MockSnapshot}: the commands applied when it was taken, as a msgpack array of raw strings. */
    static final class MockSnapshot implements FsmSnapshot {
        private final List<byte[]> logs;

        MockSnapshot(List<byte[]> logs) {
            this.logs = logs;
        }

        @Override
        public void persist(SnapshotSink sink) throws IOException {
            try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
                p.packArrayHeader(logs.size());
                for (byte[] b : logs) {
                    p.packRawStringHeader(b.length);
                    p.writePayload(b);
                }
                sink.write(p.toByteArray());
                sink.close();
            } catch (IOException e) {
                sink.cancel();
                throw e;
            }
        }
    }
}
