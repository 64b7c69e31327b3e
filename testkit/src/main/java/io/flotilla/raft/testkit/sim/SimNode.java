package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.Configuration;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.engine.Engine;
import io.flotilla.raft.engine.Output;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One simulated server: its disk (what survives a crash), and while it runs, its engine, in-memory log view, pending
 * log writes, state machine and pending RPC replies.
 */
final class SimNode {
    /** A snapshot on the simulated disk. */
    record StoredSnapshot(long index, long term, Configuration configuration, long configurationIndex, byte[] data) {
    }

    /** A log operation not yet durable, with the snapshot a reset leaves behind. */
    record PendingOp(Output.LogOperation op, long resetIndex, long resetTerm) {
    }

    /** What survives a crash: stable values, the durable log and the snapshots. */
    static final class Disk {
        long term;
        long voteTerm;
        byte[] voteCandidate;
        SimLog log = new SimLog();
        final List<StoredSnapshot> snapshots = new ArrayList<>();

        StoredSnapshot newestSnapshot() {
            return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
        }

        void addSnapshot(StoredSnapshot s) {
            StoredSnapshot newest = newestSnapshot();
            if (newest != null && newest.index() >= s.index()) {
                return; // an older or equal snapshot adds nothing
            }
            snapshots.add(s);
            while (snapshots.size() > 2) {
                snapshots.remove(0);
            }
        }

        /** Whether the durable state holds the entry at {@code index} with {@code term} (log or snapshot). */
        boolean holds(long index, long term) {
            StoredSnapshot s = newestSnapshot();
            if (s != null && s.index() >= index) {
                return true;
            }
            LogEntry e = log.get(index);
            return e != null && e.term() == term;
        }
    }

    final int idx;
    final ServerId id;
    final ServerAddress address;
    final String name;
    final Disk disk = new Disk();

    boolean up;
    /** Set when the node was shut down by its engine (removed leader) rather than crashed. */
    boolean shutDown;
    /** Ever started (bootstrapped or added): nodes never started stay down in the final phase. */
    boolean started;
    int incarnation;
    Engine engine;
    SimLog memLog = new SimLog();
    final ArrayDeque<PendingOp> pendingOps = new ArrayDeque<>();
    boolean syncScheduled;
    KvFsm fsm = new KvFsm();
    long applied;
    long commit;
    long snapIndex;
    long snapTerm;
    boolean snapshotScheduled;
    /** Index and term of the snapshot being installed (for the ResetLog it causes). */
    long installIndex = -1;
    long installTerm;
    /** Configuration entry indexes held in {@link #memLog}. */
    final TreeSet<Long> configIndexes = new TreeSet<>();
    /** RPCs this node received and has not answered, by reply id. */
    final Map<Long, Simulation.Rpc> pendingReplies = new LinkedHashMap<>();
    /** Highest term this node's engine has reported (across restarts). */
    long maxTermSeen;

    SimNode(int idx) {
        this.idx = idx;
        this.name = "n" + (idx + 1);
        this.id = ServerId.of(name);
        this.address = ServerAddress.of(name);
    }

    void rebuildConfigIndexes() {
        configIndexes.clear();
        for (LogEntry e : memLog.entries()) {
            if (e.type() == LogType.CONFIGURATION) {
                configIndexes.add(e.index());
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
