package io.flotilla.kv;

import io.flotilla.raft.Fsm;
import io.flotilla.raft.FsmSnapshot;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.snapshot.SnapshotSink;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The replicated key-value state machine of KV-API.md. It applies every entry the way the Go reference node
 * does — a bad entry changes nothing, still advances the FSM index, and answers with an error result — so Java
 * and Go nodes in one cluster hold identical state. It remembers the index its state reflects (the last command
 * applied or the snapshot last restored).
 */
public final class KvFsm implements Fsm {
    private TreeMap<String, String> data = new TreeMap<>(KvState.BYTEWISE);
    private long index;
    private long commandsApplied;
    private long restores;

    /** What a read sees: a value (or none) and the index the state reflected. */
    public record Read(Optional<String> value, long index) {
    }

    /** The digest of the whole state with the index it reflects. */
    public record Digest(int keys, long appliedIndex, String sha256) {
    }

    @Override
    public KvResult apply(LogEntry entry) {
        KvCommand c;
        String error = null;
        try {
            c = KvCommand.decode(entry.data());
        } catch (KvCommand.BadEntryException e) {
            c = null;
            error = e.getMessage();
        }
        synchronized (this) {
            commandsApplied++;
            if (entry.index() > index) {
                index = entry.index();
            }
            if (c == null) {
                return KvResult.bad("bad entry: " + error);
            }
            Optional<String> prev = Optional.ofNullable(data.get(c.key()));
            switch (c.op()) {
                case SET -> {
                    data.put(c.key(), c.value());
                    return KvResult.ok(true, prev);
                }
                case DELETE -> {
                    data.remove(c.key());
                    return KvResult.ok(true, prev);
                }
                default -> {
                    boolean match = c.expect().equals(prev);
                    if (match) {
                        data.put(c.key(), c.value());
                    }
                    return KvResult.ok(match, prev);
                }
            }
        }
    }

    /** Reads one key together with the index the answer reflects. */
    public synchronized Read get(String key) {
        return new Read(Optional.ofNullable(data.get(key)), index);
    }

    /** The digest of the state and the index it reflects, read together. */
    public synchronized Digest digest() {
        return new Digest(data.size(), index, KvState.sha256(data));
    }

    /** A copy of the whole state. */
    public synchronized TreeMap<String, String> dump() {
        return new TreeMap<>(data);
    }

    /** The index the state reflects. */
    public synchronized long index() {
        return index;
    }

    /** Command entries applied by this process, bad ones included. */
    public synchronized long commandsApplied() {
        return commandsApplied;
    }

    /** Snapshots restored by this process. */
    public synchronized long restores() {
        return restores;
    }

    @Override
    public synchronized FsmSnapshot snapshot() {
        // A point-in-time copy; persisting it runs on another thread while applies go on.
        TreeMap<String, String> copy = new TreeMap<>(data);
        return sink -> persist(copy, sink);
    }

    private static void persist(TreeMap<String, String> state, SnapshotSink sink) throws Exception {
        try {
            OutputStream out = new BufferedOutputStream(sink, 64 * 1024);
            KvSnapshotCodec.write(state, out);
            out.flush();
            sink.close();
        } catch (Exception e) {
            sink.cancel();
            throw e;
        }
    }

    @Override
    public void restore(InputStream snapshot) throws Exception {
        restore(0, snapshot);
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream snapshot) throws Exception {
        restore(meta.index(), snapshot);
    }

    private void restore(long snapshotIndex, InputStream snapshot) throws Exception {
        // Parse completely before touching the state: a bad snapshot leaves it as it was.
        TreeMap<String, String> restored = KvSnapshotCodec.read(new BufferedInputStream(snapshot, 64 * 1024));
        synchronized (this) {
            data = restored;
            index = snapshotIndex;
            restores++;
        }
    }
}
