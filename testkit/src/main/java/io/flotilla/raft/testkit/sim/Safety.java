package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.Configuration;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RaftState;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.Server;
import io.flotilla.raft.engine.Configurations;
import io.flotilla.raft.engine.Output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The safety invariants, checked incrementally as the simulator executes each engine's outputs and after every step.
 * Each check is cheap (proportional to what the step did), so all of them run after every step.
 *
 * <ul>
 *   <li><b>election-safety</b>: at most one node is leader in a term (over the whole run, across restarts).</li>
 *   <li><b>log-matching</b>: every appended entry is registered by (index, term) with its content and the term of
 *       the entry before it; a second entry with the same (index, term) must have the same content and the same
 *       predecessor term. By induction this is Raft's Log Matching property for all logs at all times (logs change
 *       only by appends at the end, suffix truncation, prefix compaction and reset, and a restart restores an
 *       earlier state of the same log).</li>
 *   <li><b>commit-safety</b>: the first time any node commits an index, the entry is recorded; every other node that
 *       commits the index must hold the same entry.</li>
 *   <li><b>leader-completeness</b>: when a node becomes leader of term T, its log (or snapshot) holds every entry
 *       committed by a leader of an earlier term; and when an entry is first committed in term U, every current
 *       leader of a later term must hold it.</li>
 *   <li><b>state-machine-safety</b>: state machines chain-hash every entry they apply; at each index every node's
 *       chain must be the same (so no two nodes apply different entries at an index, and snapshots restore
 *       exactly the state their index had).</li>
 *   <li><b>durability</b>: committed entries are never lost. (a) When a leader advances its commit index to c, a
 *       quorum of the voters of its latest configuration (the quorum the commit was counted in) must durably hold
 *       entry c on their simulated disks (log entry with that term, or a snapshot covering it) — so a crash of any
 *       minority cannot lose it; (b) no log operation (truncation, reset by snapshot) may ever remove a committed
 *       entry from any log — only compaction behind a snapshot may. Together: a committed entry stays on a quorum's
 *       durable storage for the rest of the run.</li>
 *   <li><b>term-monotonic</b> / <b>vote-monotonic</b>: the durable term and vote never go backwards, a node never
 *       records two different votes in one term, and (across restarts) no node grants votes to two candidates in one
 *       term on the wire.</li>
 *   <li><b>configuration</b>: per node, at most one configuration entry in its log is above the cluster's commit
 *       index; the engine's committed configuration is really committed; its latest configuration is the last one
 *       in its log.</li>
 *   <li><b>engine-contract</b> (optional, {@link SimOptions#contractChecks()}): what the engine's Output Javadoc
 *       promises — a term or vote is persisted before any message uses it; the engine's picture of its log (last
 *       index, term) matches the log the outputs built; commit never exceeds the log.</li>
 * </ul>
 */
final class Safety {
    private final Simulation sim;
    private final Map<Long, SimNode> leaderOfTerm = new HashMap<>();
    private final Map<Long, Registered> entries = new HashMap<>();
    private final ArrayList<LogEntry> committed = new ArrayList<>();
    private long[] commitTerm = new long[64];
    private long globalCommit;
    private long[] chainAt = new long[64];
    private boolean[] chainKnown = new boolean[64];
    private final Map<String, String> wireVotes = new HashMap<>();
    final Set<Long> committedOps = new HashSet<>();

    private record Registered(LogEntry entry, long prevTerm) {
    }

    Safety(Simulation sim) {
        this.sim = sim;
        committed.add(null); // index 0
    }

    private Violation fail(String invariant, String message) {
        return new Violation(invariant, message);
    }

    private static long key(long index, long term) {
        return index * 1_000_003L + term * 0x9E3779B97F4A7C15L;
    }

    // ------------------------------------------------------------------------------------------------------
    // After each step

    void afterStep(SimNode n, boolean wasLeader) {
        long term = n.engine.currentTerm();
        RaftState state = n.engine.state();
        if (term < n.maxTermSeen) {
            throw fail("term-monotonic", n.name + " term went from " + n.maxTermSeen + " back to " + term);
        }
        n.maxTermSeen = term;
        if (state == RaftState.LEADER) {
            SimNode prev = leaderOfTerm.putIfAbsent(term, n);
            if (prev != null && prev != n) {
                throw fail("election-safety", "two leaders in term " + term + ": " + prev.name + " and " + n.name);
            }
            if (!wasLeader) {
                newLeader(n, term);
            }
        }
        if (sim.opts.contractChecks()) {
            if (term != n.disk.term) {
                throw fail("engine-contract", n.name + " runs in term " + term + " but its durable term is "
                        + n.disk.term);
            }
            long expectLast = Math.max(n.memLog.lastIndex(), n.snapIndex);
            if (n.engine.lastIndex() != expectLast) {
                throw fail("engine-contract", n.name + " thinks its last index is " + n.engine.lastIndex()
                        + " but its log ends at " + n.memLog.lastIndex() + " (snapshot " + n.snapIndex + ")");
            }
            if (n.engine.commitIndex() != n.commit) {
                throw fail("engine-contract", n.name + " commit index " + n.engine.commitIndex()
                        + " differs from what its Commit outputs said (" + n.commit + ")");
            }
        }
        checkConfigurations(n);
    }

    private void newLeader(SimNode n, long term) {
        for (long i = Math.max(n.snapIndex + 1, 1); i <= globalCommit; i++) {
            if (commitTerm[(int) i] >= term) {
                continue;
            }
            LogEntry mine = n.memLog.get(i);
            LogEntry c = committed.get((int) i);
            if (mine == null || !mine.equals(c)) {
                throw fail("leader-completeness", n.name + " became leader of term " + term + " without entry "
                        + describe(c) + " committed in term " + commitTerm[(int) i] + "; it has " + describe(mine)
                        + " (log [" + n.memLog.firstIndex() + ", " + n.memLog.lastIndex() + "], snapshot "
                        + n.snapIndex + ")");
            }
        }
    }

    private void checkConfigurations(SimNode n) {
        Configurations cs = n.engine.configurations();
        if (cs.committedIndex() > cs.latestIndex()) {
            throw fail("configuration", n.name + " committed configuration index " + cs.committedIndex()
                    + " is above its latest " + cs.latestIndex());
        }
        if (cs.committedIndex() > globalCommit && cs.committedIndex() > n.snapIndex) {
            throw fail("configuration", n.name + " treats the configuration at " + cs.committedIndex()
                    + " as committed but the cluster has committed only through " + globalCommit);
        }
        if (!n.configIndexes.isEmpty()) {
            long lastInLog = n.configIndexes.last();
            if (cs.latestIndex() != lastInLog && cs.latestIndex() < lastInLog) {
                throw fail("configuration", n.name + " latest configuration is at " + cs.latestIndex()
                        + " but its log has a configuration entry at " + lastInLog);
            }
            int uncommitted = n.configIndexes.tailSet(globalCommit, false).size();
            if (uncommitted > 1) {
                throw fail("configuration", n.name + " log holds " + uncommitted
                        + " uncommitted configuration entries " + n.configIndexes.tailSet(globalCommit, false)
                        + " (cluster commit index " + globalCommit + ")");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Stable store

    void persistTerm(SimNode n, long term) {
        if (term < n.disk.term) {
            throw fail("term-monotonic", n.name + " persists term " + term + " below its durable term " + n.disk.term);
        }
    }

    void persistVote(SimNode n, long term, byte[] candidate) {
        if (term < n.disk.voteTerm) {
            throw fail("vote-monotonic", n.name + " persists a vote in term " + term + " after one in term "
                    + n.disk.voteTerm);
        }
        if (term == n.disk.voteTerm && n.disk.voteCandidate != null && !Arrays.equals(candidate, n.disk.voteCandidate)) {
            throw fail("vote-monotonic", n.name + " votes for " + new String(candidate) + " in term " + term
                    + " after voting for " + new String(n.disk.voteCandidate));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Log

    void appended(SimNode n, java.util.List<LogEntry> es, long prevTerm) {
        long prev = prevTerm;
        for (LogEntry e : es) {
            long k = key(e.index(), e.term());
            Registered r = entries.get(k);
            if (r == null) {
                entries.put(k, new Registered(e, prev));
            } else if (r.entry.index() == e.index() && r.entry.term() == e.term()) {
                if (!r.entry.equals(e)) {
                    throw fail("log-matching", n.name + " appends " + describe(e) + " but another log has "
                            + describe(r.entry) + " at the same index and term");
                }
                if (r.prevTerm != prev && prev >= 0 && r.prevTerm >= 0) {
                    throw fail("log-matching", n.name + " appends " + describe(e) + " after an entry of term " + prev
                            + " but another log has it after an entry of term " + r.prevTerm);
                }
            }
            prev = e.term();
        }
    }

    void removing(SimNode n, long from, long to, String why) {
        long top = Math.min(to, globalCommit);
        for (long i = Math.max(from, 1); i <= top; i++) {
            LogEntry e = n.memLog.get(i);
            if (e != null && e.equals(committed.get((int) i))) {
                throw fail("durability", n.name + " removes committed entry " + describe(e) + " (" + why + ")");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Messages

    void sending(SimNode n, RpcMessage m) {
        if (!sim.opts.contractChecks()) {
            return;
        }
        long term = -1;
        if (m instanceof AppendEntriesRequest a) {
            term = a.term();
        } else if (m instanceof RequestVoteRequest v) {
            term = v.term();
            if (n.disk.voteTerm != term || !Arrays.equals(n.disk.voteCandidate, v.candidate())) {
                if (n.engine.configurations().latest().hasVote(n.id)) {
                    throw fail("engine-contract", n.name + " asks for votes in term " + term
                            + " before its own vote for itself is durable");
                }
            }
        } else if (m instanceof InstallSnapshotRequest s) {
            term = s.term();
        }
        if (term > n.disk.term) {
            throw fail("engine-contract", n.name + " sends " + m.getClass().getSimpleName() + " in term " + term
                    + " before that term is durable (durable term " + n.disk.term + ")");
        }
    }

    void responding(SimNode n, Simulation.Rpc r, Output.Respond out) {
        RpcMessage resp = out.response();
        if (resp instanceof RequestVoteResponse v && v.granted() && r.request instanceof RequestVoteRequest req) {
            String key = n.name + "/" + v.term();
            String cand = new String(req.candidate());
            String prev = wireVotes.putIfAbsent(key, cand);
            if (prev != null && !prev.equals(cand)) {
                throw fail("vote-monotonic", n.name + " granted its vote in term " + v.term() + " to " + prev
                        + " and to " + cand);
            }
            if (sim.opts.contractChecks() && (n.disk.voteTerm != v.term()
                    || !Arrays.equals(n.disk.voteCandidate, req.candidate()))) {
                throw fail("engine-contract", n.name + " grants its vote to " + cand + " in term " + v.term()
                        + " before the vote is durable (durable vote: term " + n.disk.voteTerm + ")");
            }
        }
        if (sim.opts.contractChecks() && resp != null) {
            long term = -1;
            if (resp instanceof AppendEntriesResponse a) {
                term = a.term();
            } else if (resp instanceof RequestVoteResponse v) {
                term = v.term();
            } else if (resp instanceof InstallSnapshotResponse s) {
                term = s.term();
            }
            if (term > n.disk.term) {
                throw fail("engine-contract", n.name + " answers in term " + term + " before that term is durable");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Commit and apply

    void committed(SimNode n, LogEntry e) {
        int i = (int) e.index();
        if (i < committed.size()) {
            LogEntry c = committed.get(i);
            if (c != null) {
                if (!c.equals(e)) {
                    throw fail("commit-safety", n.name + " commits " + describe(e) + " but " + describe(c)
                            + " was committed at that index");
                }
                return;
            }
        }
        while (committed.size() <= i) {
            committed.add(null);
        }
        if (committed.get(i - 1) == null && i > 1 && i - 1 > globalCommit) {
            // Commit indexes only grow contiguously per node, so a gap means an earlier index is unknown here; that
            // is fine (a node that restored a snapshot commits from above it).
        }
        committed.set(i, e);
        if (i >= commitTerm.length) {
            commitTerm = Arrays.copyOf(commitTerm, Math.max(i + 1, commitTerm.length * 2));
        }
        long term = n.engine.currentTerm();
        commitTerm[i] = term;
        globalCommit = Math.max(globalCommit, i);
        if (e.type() == LogType.COMMAND) {
            committedOps.add(KvCommand.decode(e.data()).opId());
        }
        // Leaders of later terms must already hold it.
        for (SimNode other : sim.nodes) {
            if (other.up && other != n && other.engine.state() == RaftState.LEADER
                    && other.engine.currentTerm() > term && i > other.snapIndex) {
                LogEntry theirs = other.memLog.get(i);
                if (theirs == null || !theirs.equals(e)) {
                    throw fail("leader-completeness", other.name + " leads term " + other.engine.currentTerm()
                            + " without " + describe(e) + " which " + n.name + " just committed in term " + term);
                }
            }
        }
    }

    void leaderCommitDurable(SimNode leader, long index, Configuration latest) {
        LogEntry e = committed.get((int) index);
        int holders = 0;
        StringBuilder who = new StringBuilder();
        for (Server s : latest.servers()) {
            if (!s.isVoter()) {
                continue;
            }
            SimNode v = sim.nodeById(s.id());
            if (v != null && v.disk.holds(index, e.term())) {
                holders++;
                who.append(' ').append(v.name);
            }
        }
        if (holders < latest.quorumSize()) {
            throw fail("durability", leader.name + " commits index " + index + " but only [" + who.toString().trim()
                    + "] of the voters " + latest + " hold it durably (quorum " + latest.quorumSize() + ")");
        }
    }

    void applied(SimNode n, long index, long chain) {
        recordChain(n, index, chain, "applies");
    }

    void restoredFromSnapshot(SimNode n, long index, long chain) {
        recordChain(n, index, chain, "restores a snapshot at");
    }

    private void recordChain(SimNode n, long index, long chain, String what) {
        int i = (int) index;
        if (i >= chainAt.length) {
            int len = Math.max(i + 1, chainAt.length * 2);
            chainAt = Arrays.copyOf(chainAt, len);
            chainKnown = Arrays.copyOf(chainKnown, len);
        }
        if (chainKnown[i]) {
            if (chainAt[i] != chain) {
                LogEntry c = i < committed.size() ? committed.get(i) : null;
                throw fail("state-machine-safety", n.name + " " + what + " index " + index
                        + " reaching a state different from another node's at that index (committed entry there: "
                        + describe(c) + ", this node's log has " + describe(n.memLog.get(index)) + ")");
            }
        } else {
            chainKnown[i] = true;
            chainAt[i] = chain;
        }
    }

    static String describe(LogEntry e) {
        if (e == null) {
            return "nothing";
        }
        String what = e.type().toString();
        if (e.type() == LogType.COMMAND) {
            KvCommand c = KvCommand.decode(e.data());
            what = c.kind() + "(" + c.key() + (c.value() == null ? "" : "=" + c.value()) + ")#" + c.opId();
        }
        return e.index() + "/" + e.term() + " " + what;
    }
}
