package io.flotilla.raft.runtime;

import io.flotilla.raft.engine.EngineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Reports the engine's and runtime's metrics to Micrometer under hashicorp's names ({@code raft.apply},
 * {@code raft.commitTime}, ...), with the hashicorp types: counters, timers, and gauges/samples as distribution
 * summaries. Every meter is tagged with the node id; hashicorp's per-peer families
 * ({@code raft.replication.appendEntries.rpc.<peer>} and friends) become one meter with a {@code peer} tag.
 */
public final class MicrometerMetrics implements EngineMetrics {
    private static final List<String> PER_PEER = List.of(
            "raft.replication.appendEntries.rpc.",
            "raft.replication.appendEntries.logs.",
            "raft.replication.heartbeat.",
            "raft.replication.installSnapshot.");

    private final MeterRegistry registry;
    private final Tags nodeTags;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> summaries = new ConcurrentHashMap<>();

    /**
     * @param registry where meters go
     * @param nodeId   this node's id, used as the {@code node} tag
     */
    public MicrometerMetrics(MeterRegistry registry, String nodeId) {
        this.registry = registry;
        this.nodeTags = Tags.of("node", nodeId);
    }

    private Tags tagsFor(String name, String[] baseName) {
        for (String prefix : PER_PEER) {
            if (name.startsWith(prefix)) {
                baseName[0] = prefix.substring(0, prefix.length() - 1);
                return nodeTags.and("peer", name.substring(prefix.length()));
            }
        }
        baseName[0] = name;
        return nodeTags;
    }

    // Every method looks the meter up with get() before computeIfAbsent(): for a key already present, the latter can
    // lock its bin, and these run per entry on the hot path.

    @Override
    public void increment(String name, double amount) {
        Counter c = counters.get(name);
        if (c == null) {
            c = counters.computeIfAbsent(name, this::newCounter);
        }
        c.increment(amount);
    }

    private Counter newCounter(String name) {
        String[] base = new String[1];
        Tags tags = tagsFor(name, base);
        return Counter.builder(base[0]).tags(tags).register(registry);
    }

    private Timer newTimer(String name) {
        String[] base = new String[1];
        Tags tags = tagsFor(name, base);
        return Timer.builder(base[0]).tags(tags).register(registry);
    }

    private DistributionSummary newSummary(String name) {
        String[] base = new String[1];
        Tags tags = tagsFor(name, base);
        return DistributionSummary.builder(base[0]).tags(tags).register(registry);
    }

    @Override
    public void recordNanos(String name, long nanos) {
        Timer t = timers.get(name);
        if (t == null) {
            t = timers.computeIfAbsent(name, this::newTimer);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void gauge(String name, double value) {
        DistributionSummary d = summaries.get(name);
        if (d == null) {
            d = summaries.computeIfAbsent(name, this::newSummary);
        }
        d.record(value);
    }
}
