package io.flotilla.raft.testkit.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The last events of a run, kept cheaply (references to immutable inputs and outputs) and formatted only when a
 * run fails: virtual time, node, direction and the input, output or simulator event.
 */
final class Trace {
    private final Object[] items;
    private final long[] times;
    private final String[] nodes;
    private final char[] kinds;
    private int next;
    private long count;

    Trace(int capacity) {
        int c = Math.max(1, capacity);
        items = new Object[c];
        times = new long[c];
        nodes = new String[c];
        kinds = new char[c];
    }

    /** Records an input ({@code '>'}), output ({@code '<'}) or simulator event ({@code '*'}). */
    void add(long time, String node, char kind, Object item) {
        items[next] = item;
        times[next] = time;
        nodes[next] = node;
        kinds[next] = kind;
        next = (next + 1) % items.length;
        count++;
    }

    /** Renders byte arrays that records print by identity (vote candidates, leader ids, proposals) readably. */
    private static String format(Object o) {
        if (o instanceof io.flotilla.raft.engine.Output.PersistVote v) {
            return "PersistVote[term=" + v.term() + ", candidate=" + new String(v.candidate(),
                    java.nio.charset.StandardCharsets.UTF_8) + "]";
        }
        if (o instanceof io.flotilla.raft.engine.Output.SendSnapshot s) {
            return "SendSnapshot[peer=" + s.peer() + ", correlation=" + s.correlation() + ", term=" + s.term() + "]";
        }
        if (o instanceof io.flotilla.raft.engine.Input.Propose p) {
            StringBuilder sb = new StringBuilder("Propose[");
            for (io.flotilla.raft.engine.Input.Proposal x : p.proposals()) {
                sb.append("request=").append(x.requestId()).append(' ');
                if (x.data() != null && x.type() == io.flotilla.raft.LogType.COMMAND) {
                    KvCommand c = KvCommand.decode(x.data());
                    sb.append(c.kind()).append('(').append(c.key()).append(c.value() == null ? "" : "=" + c.value())
                            .append(")#").append(c.opId());
                }
            }
            return sb.append(']').toString();
        }
        return String.valueOf(o);
    }

    List<String> lines() {
        int n = (int) Math.min(count, items.length);
        List<String> out = new ArrayList<>(n);
        int start = (int) ((next - n + items.length) % items.length);
        for (int i = 0; i < n; i++) {
            int k = (start + i) % items.length;
            String what = switch (kinds[k]) {
                case '>' -> "in  ";
                case '<' -> "out ";
                default -> "sim ";
            };
            out.add(String.format("%12.3fms %-4s %s%s", times[k] / 1e6, nodes[k], what, abbreviate(items[k])));
        }
        return out;
    }

    private static String abbreviate(Object o) {
        String s = format(o);
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
