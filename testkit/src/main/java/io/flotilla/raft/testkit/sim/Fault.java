package io.flotilla.raft.testkit.sim;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of trouble the simulator can make; a run enables any subset. */
public enum Fault {
    /** Messages are lost (the sender sees a transport failure). */
    DROP,
    /** Requests are delivered twice (the copy later, and its answer too). */
    DUPLICATE,
    /** Some messages take much longer than usual. */
    DELAY,
    /** Messages on one link may overtake each other (otherwise each link is FIFO). */
    REORDER,
    /** The network splits into groups that cannot talk, then heals. */
    PARTITION,
    /** A link works in one direction only, for a while. */
    ONEWAY,
    /** Nodes crash (losing whatever the disk had not acknowledged) and restart later; also crashes in the middle of
     * an fsync of the term or vote. */
    CRASH,
    /** The leader is asked to add and remove voters and non-voters. */
    MEMBERSHIP,
    /** The leader is asked to hand leadership over. */
    TRANSFER,
    /** Nodes take snapshots often and compact their logs, so lagging nodes need InstallSnapshot. */
    SNAPSHOT,
    /** Disk syncs are sometimes slow; a crash may keep some writes that were never acknowledged. */
    DISK;

    /** Every fault. */
    public static Set<Fault> all() {
        return EnumSet.allOf(Fault.class);
    }

    /** Parses a comma-separated list ("all", "none", or names like "drop,partition"). */
    public static Set<Fault> parse(String list) {
        String s = list.trim().toLowerCase(Locale.ROOT);
        if (s.equals("all") || s.isEmpty()) {
            return all();
        }
        EnumSet<Fault> set = EnumSet.noneOf(Fault.class);
        if (s.equals("none")) {
            return set;
        }
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                set.add(Fault.valueOf(p.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fault '" + p + "'; known: " + describeAll());
            }
        }
        return set;
    }

    /** The names, comma-separated, as {@link #parse} accepts them. */
    public static String format(Set<Fault> faults) {
        if (faults.containsAll(all())) {
            return "all";
        }
        if (faults.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Fault f : values()) {
            if (faults.contains(f)) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(f.name().toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }

    static String describeAll() {
        return String.join(",", java.util.Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList());
    }
}
