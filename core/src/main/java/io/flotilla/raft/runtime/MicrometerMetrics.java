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

    @Override
    public void increment(String name, double amount) {
        counters.computeIfAbsent(name, n -> {
            String[] base = new String[1];
            Tags tags = tagsFor(n, base);
            return Counter.builder(base[0]).tags(tags).register(registry);
        }).increment(amount);
    }

    @Override
    public void recordNanos(String name, long nanos) {
        timers.computeIfAbsent(name, n -> {
            String[] base = new String[1];
            Tags tags = tagsFor(n, base);
            return Timer.builder(base[0]).tags(tags).register(registry);
        }).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void gauge(String name, double value) {
        summaries.computeIfAbsent(name, n -> {
            String[] base = new String[1];
            Tags tags = tagsFor(n, base);
            return DistributionSummary.builder(base[0]).tags(tags).register(registry);
        }).record(value);
    }
}
