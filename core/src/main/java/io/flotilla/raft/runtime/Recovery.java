package io.flotilla.raft.runtime;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.Fsm;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.SnapshotMeta;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.ConfigurationCodec;
import io.flotilla.raft.engine.Configurations;
import io.flotilla.raft.engine.RestoredState;
import io.flotilla.raft.snapshot.SnapshotStore;
import io.flotilla.raft.snapshot.SnapshotStream;
import io.flotilla.raft.storage.LogStore;
import io.flotilla.raft.storage.StableStore;
import org.slf4j.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds a node's state from its stores at startup (hashicorp's {@code NewRaft} and {@code restoreSnapshot}):
 * the persisted term and vote, the newest snapshot that can be restored (falling back to older ones when the
 * newest is corrupt), and a scan of the log for its terms and configuration entries.
 */
public final class Recovery {
    private static final int SCAN_CHUNK = 4096;

    /**
     * What was recovered.
     *
     * @param state    the engine's starting state
     * @param snapshot the snapshot the FSM was restored from (or whose metadata was used), if any
     */
    public record Result(RestoredState state, Optional<SnapshotMeta> snapshot) {
    }

    private Recovery() {
    }

    /**
     * Reads the stores.
     *
     * @param fsm        restored from the newest usable snapshot, unless {@code restoreFsm} is false
     * @param repair     whether to delete a log that ends before the snapshot (it is useless and would leave a gap)
     */
    public static Result recover(Fsm fsm, boolean restoreFsm, boolean repair, LogStore logs, StableStore stable,
                                 SnapshotStore snapshots, PeerCodec peers, Logger log) throws IOException {
        long currentTerm = stable.getUint64(StableKeys.CURRENT_TERM);
        long lastVoteTerm = stable.getUint64(StableKeys.LAST_VOTE_TERM);
        byte[] lastVoteCand = stable.get(StableKeys.LAST_VOTE_CAND).orElse(null);

        SnapshotMeta snapshot = null;
        List<SnapshotMeta> metas = snapshots.list();
        for (SnapshotMeta meta : metas) {
            if (!restoreFsm) {
                snapshot = meta;
                break;
            }
            try (SnapshotStream s = snapshots.open(meta.id())) {
                fsm.restore(s.meta(), s.data());
                snapshot = s.meta();
                log.info("restored from snapshot id={} index={}", meta.id(), meta.index());
                break;
            } catch (Exception e) {
                log.error("failed to restore snapshot, trying an older one id={} error={}", meta.id(), e.toString());
            }
        }
        if (!metas.isEmpty() && snapshot == null) {
            throw new IOException("failed to load any existing snapshots");
        }
        long snapIndex = snapshot == null ? 0 : snapshot.index();
        long snapTerm = snapshot == null ? 0 : snapshot.term();
        Configurations configurations = Configurations.NONE;
        if (snapshot != null) {
            if (snapshot.version() > 0) {
                configurations = Configurations.of(snapshot.configuration(), snapshot.configurationIndex());
            } else {
                configurations = Configurations.of(decodePeers(snapshot.peers(), peers), snapshot.index());
            }
        }

        long first = logs.firstIndex();
        long last = logs.lastIndex();
        if (last > 0 && snapIndex > 0 && (last < snapIndex || disagreesWithSnapshot(logs, first, snapIndex, snapTerm))) {
            // A log that ends before the snapshot is useless; one whose entry at the snapshot's index has another
            // term was replaced by an installed snapshot whose log reset a crash lost. Either way the snapshot wins.
            if (repair) {
                log.info("discarding log entries superseded by the snapshot first={} last={} snapshot-index={}",
                        first, last, snapIndex);
                logs.deleteRange(first, last);
            }
            first = 0;
            last = 0;
        }
        List<long[]> runs = new ArrayList<>();
        if (last > 0) {
            for (long i = first; i <= last; ) {
                long to = Math.min(last, i + SCAN_CHUNK - 1);
                List<LogEntry> chunk = logs.getLogs(i, to);
                if (chunk.size() != to - i + 1) {
                    throw new IOException("failed to get log at index " + (i + chunk.size()) + ": log not found");
                }
                for (LogEntry e : chunk) {
                    if (runs.isEmpty() || runs.get(runs.size() - 1)[1] != e.term()) {
                        if (!runs.isEmpty() && e.term() < runs.get(runs.size() - 1)[1]) {
                            throw new IOException("corrupt log: term " + e.term() + " at index " + e.index()
                                    + " is below the term before it");
                        }
                        runs.add(new long[] {e.index(), e.term()});
                    }
                    if (e.index() > snapIndex) {
                        configurations = processConfigurationEntry(configurations, e, peers, log);
                    }
                }
                i = to + 1;
            }
        }
        RestoredState state = new RestoredState(currentTerm, lastVoteTerm, lastVoteCand, snapIndex, snapTerm,
                last > 0 ? first : 0, last, runs, configurations);
        return new Result(state, Optional.ofNullable(snapshot));
    }

    private static boolean disagreesWithSnapshot(LogStore logs, long first, long snapIndex, long snapTerm)
            throws IOException {
        if (snapIndex < first) {
            return false;
        }
        Optional<LogEntry> atSnapshot = logs.getLog(snapIndex);
        return atSnapshot.isEmpty() || atSnapshot.get().term() != snapTerm;
    }

    private static Configurations processConfigurationEntry(Configurations c, LogEntry e, PeerCodec peers,
                                                            Logger log) throws IOException {
        if (e.type() == LogType.CONFIGURATION) {
            try {
                return c.appended(ConfigurationCodec.decodeConfiguration(e.data()), e.index());
            } catch (CodecException ex) {
                throw new IOException("failed to decode configuration at index " + e.index() + ": " + ex.getMessage(),
                        ex);
            }
        }
        if (e.type() == LogType.ADD_PEER_DEPRECATED || e.type() == LogType.REMOVE_PEER_DEPRECATED) {
            return c.appended(decodePeers(e.data(), peers), e.index());
        }
        return c;
    }

    private static Configuration decodePeers(byte[] data, PeerCodec peers) throws IOException {
        try {
            return ConfigurationCodec.decodePeers(data, peers);
        } catch (CodecException ex) {
            throw new IOException("failed to decode peers: " + ex.getMessage(), ex);
        }
    }

    /**
     * hashicorp's {@code HasExistingState}: whether anything was ever stored (a term, a log entry or a snapshot).
     */
    public static boolean hasExistingState(LogStore logs, StableStore stable, SnapshotStore snapshots)
            throws IOException {
        return stable.getUint64(StableKeys.CURRENT_TERM) > 0 || logs.lastIndex() > 0 || !snapshots.list().isEmpty();
    }
}
