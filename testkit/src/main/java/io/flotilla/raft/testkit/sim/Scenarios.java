package io.flotilla.raft.testkit.sim;

import io.flotilla.raft.ConfigurationChangeCommand;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.Server;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static io.flotilla.raft.testkit.sim.Simulation.MS;

/**
 * The built-in scenarios: {@code chaos} (random faults from the enabled set) and ports of hashicorp's fuzzy tests
 * (inventory §6.2/§6.3), with their second-scale timings scaled down tenfold to the simulator's 100 ms heartbeat.
 * Every scenario runs under the full set of invariants, a client workload, and the final convergence and
 * linearizability checks.
 */
public final class Scenarios {
    private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    static {
        add(new Chaos());
        add(new Hunt());
        add(new MembershipChurn());
        add(new Fuzzy("simple", "TestRaft_NoIssueSanity: 5 voters, steady load, no faults", 5, 5, 3_000 * MS) {
        });
        add(new LeaderPartitions());
        add(new Fuzzy("add-membership", "TestRaft_AddMembership: 3 voters under load, add two more", 5, 3,
                3_000 * MS) {
            @Override
            public void start(Simulation sim) {
                addVoterWhenPossible(sim, sim.node(3), 500 * MS);
                addVoterWhenPossible(sim, sim.node(4), 1_000 * MS);
            }
        });
        add(new Fuzzy("add-remove-not-leader",
                "TestRaft_AddRemoveNodesNotLeader: 3 -> 5 voters, then remove two followers", 5, 3, 4_000 * MS) {
            @Override
            public void start(Simulation sim) {
                addVoterWhenPossible(sim, sim.node(3), 300 * MS);
                addVoterWhenPossible(sim, sim.node(4), 600 * MS);
                sim.after(1_500 * MS, () -> removeFollowers(sim, 2));
            }
        });
        add(new Fuzzy("remove-leader", "TestRaft_RemoveLeader: 5 voters under load, remove the leader", 5, 5,
                3_000 * MS) {
            @Override
            public void start(Simulation sim) {
                retry(sim, 1_000 * MS, () -> removeLeader(sim));
            }
        });
        add(new Fuzzy("remove-partitioned-node",
                "TestRaft_RemovePartitionedNode: partition a follower off, remove it, heal", 5, 5, 4_000 * MS) {
            @Override
            public void start(Simulation sim) {
                retry(sim, 1_000 * MS, () -> {
                    SimNode l = sim.leader();
                    if (l == null) {
                        return false;
                    }
                    SimNode victim = followers(sim, l).get(2);
                    sim.partition(List.of(victim));
                    removeWhenPossible(sim, victim, 0);
                    sim.after(1_000 * MS, sim::healPartition);
                    return true;
                });
            }
        });
        add(new Fuzzy("leadership-transfer",
                "TestRaft_FuzzyLeadershipTransfer: 5 voters under load, hand leadership over repeatedly", 5, 5,
                3_000 * MS) {
            @Override
            public void start(Simulation sim) {
                for (int i = 1; i <= 4; i++) {
                    sim.after(i * 500 * MS, () -> sim.transferLeadership(sim.leader(), Optional.empty()));
                }
            }
        });
        add(new SlowVoter("slow-send-vote",
                "TestRaft_SlowSendVote: RequestVotes to n1 and n2 are delayed 100-200ms before sending", false,
                Set.of(0, 1)));
        add(new SlowVoter("slow-recv-vote",
                "TestRaft_SlowRecvVote: vote answers from n2, n5 and n4 are delayed 100-200ms", true,
                Set.of(1, 4, 3)));
    }

    private Scenarios() {
    }

    private static void add(Scenario s) {
        ALL.put(s.name(), s);
    }

    /** The scenario names, chaos first. */
    public static List<String> names() {
        return new ArrayList<>(ALL.keySet());
    }

    /** The scenario with this name. */
    public static Scenario byName(String name) {
        Scenario s = ALL.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + names());
        }
        return s;
    }

    /** Random faults from the enabled set, for as many steps as allowed. */
    static final class Chaos implements Scenario {
        @Override
        public String name() {
            return "chaos";
        }

        @Override
        public String description() {
            return "random crashes, partitions, one-way links, message loss/duplication/delay/reordering, slow disks, "
                    + "membership changes, leadership transfers and snapshots, from the enabled faults";
        }

        @Override
        public void start(Simulation sim) {
            sim.startNemesis();
        }
    }

    /**
     * Chaos tuned to make leadership churn: small clusters, one entry per AppendEntries, one request in flight, and a
     * nemesis that strikes every few tens of milliseconds, mostly at the leader. This is where Raft's subtle commit
     * and election rules (Figure 8) are exercised hardest.
     */
    static final class Hunt implements Scenario {
        @Override
        public String name() {
            return "hunt";
        }

        @Override
        public String description() {
            return "leadership churn: 3 nodes, 1 entry per AppendEntries, a nemesis striking every 10-80ms, mostly "
                    + "at the leader (crashes, partitions, lost/duplicated/late messages)";
        }

        @Override
        public Set<Fault> faults(Set<Fault> requested) {
            EnumSet<Fault> f = EnumSet.copyOf(requested.isEmpty() ? Fault.all() : requested);
            f.remove(Fault.MEMBERSHIP);
            f.remove(Fault.SNAPSHOT);
            return f;
        }

        @Override
        public int nodes(int suggested) {
            return 3;
        }

        @Override
        public void configure(Simulation sim) {
            sim.maxAppendEntries = 1;
            sim.maxInflight = 1 + sim.rng.nextInt(2);
            sim.nemesisMin = 10 * MS;
            sim.nemesisMax = 80 * MS;
            sim.heartbeatTimeout = 50 * MS;
            sim.electionTimeout = 50 * MS;
            sim.leaseTimeout = 25 * MS;
            sim.leaderBias = true;
            if (sim.crashAtPersistP > 0) {
                sim.crashAtPersistP = 0.05 + 0.1 * sim.rng.nextDouble();
            }
        }

        @Override
        public void start(Simulation sim) {
            sim.startNemesis();
        }
    }

    /** Chaos where the nemesis mostly changes membership: voters and non-voters come and go, the leader included. */
    static final class MembershipChurn implements Scenario {
        @Override
        public String name() {
            return "membership-churn";
        }

        @Override
        public String description() {
            return "5-7 nodes with spares; the nemesis mostly adds, promotes, demotes and removes servers (the leader "
                    + "too), among crashes, partitions and snapshots";
        }

        @Override
        public Set<Fault> faults(Set<Fault> requested) {
            EnumSet<Fault> f = EnumSet.copyOf(requested.isEmpty() ? Fault.all() : requested);
            f.add(Fault.MEMBERSHIP);
            return f;
        }

        @Override
        public int nodes(int suggested) {
            return 5 + suggested % 3;
        }

        @Override
        public int initialVoters(int suggested, int universe) {
            return Math.min(suggested, universe - 1);
        }

        @Override
        public void configure(Simulation sim) {
            sim.membershipWeight = 6;
        }

        @Override
        public void start(Simulation sim) {
            sim.startNemesis();
        }
    }

    /** A scripted port of a hashicorp fuzzy test. */
    abstract static class Fuzzy implements Scenario {
        private final String name;
        private final String description;
        private final int nodes;
        private final int voters;
        private final long duration;

        Fuzzy(String name, String description, int nodes, int voters, long duration) {
            this.name = name;
            this.description = description;
            this.nodes = nodes;
            this.voters = voters;
            this.duration = duration;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return description;
        }

        /** The fuzzy tests inject no random faults of their own; snapshots stay on (small thresholds). */
        @Override
        public Set<Fault> faults(Set<Fault> requested) {
            EnumSet<Fault> f = EnumSet.noneOf(Fault.class);
            if (requested.contains(Fault.SNAPSHOT)) {
                f.add(Fault.SNAPSHOT);
            }
            return f;
        }

        @Override
        public int nodes(int suggested) {
            return nodes;
        }

        @Override
        public int initialVoters(int suggested, int universe) {
            return voters;
        }

        @Override
        public void configure(Simulation sim) {
            sim.heartbeatTimeout = 100 * MS;
            sim.electionTimeout = 100 * MS;
            sim.leaseTimeout = 50 * MS;
        }

        @Override
        public void start(Simulation sim) {
        }

        @Override
        public long duration() {
            return duration;
        }
    }

    /** TestRaft_LeaderPartitions: ten rounds of cutting the leader and some others off, then healing. */
    static final class LeaderPartitions extends Fuzzy {
        LeaderPartitions() {
            super("partition", "TestRaft_LeaderPartitions: 10 rounds of partitioning the leader plus 0-3 others, "
                    + "then healing none (10%), all (90%)", 5, 5, 10_000 * MS);
        }

        @Override
        public void start(Simulation sim) {
            round(sim, 0);
        }

        private void round(Simulation sim, int i) {
            if (i >= 10) {
                sim.after(0, sim::healPartition);
                return;
            }
            sim.after(100 * MS, () -> {
                SimNode l = sim.leader();
                if (l != null) {
                    List<SimNode> side = new ArrayList<>();
                    side.add(l);
                    List<SimNode> others = followers(sim, l);
                    int extra = sim.rng.nextInt(4);
                    for (int k = 0; k < extra && k < others.size(); k++) {
                        side.add(others.get(k));
                    }
                    sim.partition(side);
                }
                sim.after(400 * MS, () -> {
                    if (sim.rng.nextInt(10) != 0) {
                        sim.healPartition();
                    }
                    sim.after(500 * MS, () -> round(sim, i + 1));
                });
            });
        }
    }

    /** TestRaft_SlowSendVote / TestRaft_SlowRecvVote, plus a leader crash so that more elections happen. */
    static final class SlowVoter extends Fuzzy {
        private final boolean responses;
        private final Set<Integer> slow;

        SlowVoter(String name, String description, boolean responses, Set<Integer> slow) {
            super(name, description, 5, 5, 3_000 * MS);
            this.responses = responses;
            this.slow = slow;
        }

        @Override
        public void start(Simulation sim) {
            sim.delayRule = (from, to, m, response) -> {
                if (!responses && !response && m instanceof RequestVoteRequest && slow.contains(to.idx)) {
                    return sim.rng.nextLong(100 * MS, 200 * MS);
                }
                if (responses && response && m instanceof RequestVoteResponse && slow.contains(from.idx)) {
                    return sim.rng.nextLong(100 * MS, 200 * MS);
                }
                return 0;
            };
            for (int i = 1; i <= 2; i++) {
                sim.after(i * 1_000 * MS, () -> {
                    SimNode l = sim.leader();
                    if (l != null) {
                        sim.crash(l, "scenario: force an election");
                        sim.after(300 * MS, () -> sim.restart(l));
                    }
                });
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers

    /** The leader's followers in the leader's configuration, in node order. */
    static List<SimNode> followers(Simulation sim, SimNode leader) {
        List<SimNode> out = new ArrayList<>();
        for (Server s : leader.engine.configurations().latest().servers()) {
            SimNode n = sim.nodeById(s.id());
            if (n != null && n != leader) {
                out.add(n);
            }
        }
        return out;
    }

    /** Runs {@code attempt} after {@code delay} and then every 100 ms until it returns true (at most 50 times). */
    static void retry(Simulation sim, long delay, BooleanSupplier attempt) {
        retry(sim, delay, attempt, 50);
    }

    private static void retry(Simulation sim, long delay, BooleanSupplier attempt, int left) {
        sim.after(delay, () -> {
            if (sim.healing || left <= 0) {
                return;
            }
            if (!attempt.getAsBoolean()) {
                retry(sim, 100 * MS, attempt, left - 1);
            }
        });
    }

    static void addVoterWhenPossible(Simulation sim, SimNode n, long delay) {
        retry(sim, delay, () -> {
            SimNode l = sim.leader();
            if (l == null) {
                return false;
            }
            if (l.engine.configurations().committed().hasVote(n.id)) {
                return true;
            }
            sim.changeMembership(l, ConfigurationChangeCommand.ADD_STAGING, n, 0);
            return false;
        });
    }

    static void removeWhenPossible(Simulation sim, SimNode n, long delay) {
        retry(sim, delay, () -> {
            SimNode l = sim.leader();
            if (l == null) {
                return false;
            }
            if (l.engine.configurations().committed().server(n.id).isEmpty()) {
                return true;
            }
            sim.changeMembership(l, ConfigurationChangeCommand.REMOVE_SERVER, n, 0);
            return false;
        });
    }

    static void removeFollowers(Simulation sim, int count) {
        SimNode l = sim.leader();
        if (l == null) {
            sim.after(100 * MS, () -> removeFollowers(sim, count));
            return;
        }
        List<SimNode> f = followers(sim, l);
        for (int i = 0; i < count && i < f.size(); i++) {
            removeWhenPossible(sim, f.get(f.size() - 1 - i), i * 300 * MS);
        }
    }

    static boolean removeLeader(Simulation sim) {
        SimNode l = sim.leader();
        if (l == null) {
            return false;
        }
        removeWhenPossible(sim, l, 0);
        return true;
    }
}
