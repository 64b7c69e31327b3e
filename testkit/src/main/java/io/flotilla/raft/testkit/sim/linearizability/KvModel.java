package io.flotilla.raft.testkit.sim.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sequential specification of a key-value store with read, write and compare-and-set, where keys are
 * independent registers: histories are partitioned by key and each key starts absent.
 */
public final class KvModel implements Model<KvModel.Register, KvInput, KvOutput> {
    /** The value of one key; {@code value} is {@code null} when absent. */
    public record Register(String value) {
    }

    private static final Register ABSENT = new Register(null);

    @Override
    public Register initialState() {
        return ABSENT;
    }

    @Override
    public Optional<Register> step(Register state, KvInput input, KvOutput output) {
        return switch (input.kind()) {
            case READ -> output == null || Objects.equals(output.value(), state.value())
                    ? Optional.of(state) : Optional.empty();
            case WRITE -> Optional.of(new Register(input.value()));
            case CAS -> {
                boolean matches = Objects.equals(state.value(), input.expected());
                if (output == null) {
                    // Unknown outcome: it did whatever a cas does in this state.
                    yield Optional.of(matches ? new Register(input.value()) : state);
                }
                if (output.ok()) {
                    yield matches ? Optional.of(new Register(input.value())) : Optional.empty();
                }
                yield matches ? Optional.empty() : Optional.of(state);
            }
        };
    }

    @Override
    public List<List<Operation<KvInput, KvOutput>>> partition(List<Operation<KvInput, KvOutput>> history) {
        Map<String, List<Operation<KvInput, KvOutput>>> byKey = new LinkedHashMap<>();
        for (Operation<KvInput, KvOutput> op : history) {
            byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
        }
        return new ArrayList<>(byKey.values());
    }

    @Override
    public String describePart(List<Operation<KvInput, KvOutput>> part) {
        return part.isEmpty() ? "empty" : "key=" + part.get(0).input().key();
    }
}
