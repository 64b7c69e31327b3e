package io.flotilla.kv.interop;

import io.flotilla.kv.KvState;

import java.util.TreeMap;

/** What the state should be after the well-formed writes a test made, independent of any node. */
final class Model {
    private final TreeMap<String, String> data = new TreeMap<>(KvState.BYTEWISE);

    void set(String key, String value) {
        data.put(key, value);
    }

    int keys() {
        return data.size();
    }

    String sha256() {
        return KvState.sha256(data);
    }

    /**
     * Writes {@code count} keys {@code prefix-0..} through {@code leader}, recording them; returns the last index.
     */
    long putMany(KvNode leader, String prefix, int count) {
        long last = 0;
        for (int i = 0; i < count; i++) {
            String key = prefix + "-" + i;
            String value = leader.kind() + ":" + leader.id() + ":" + i;
            last = leader.put(key, value).index();
            set(key, value);
        }
        return last;
    }

    long put(KvNode leader, String key, String value) {
        long index = leader.put(key, value).index();
        set(key, value);
        return index;
    }
}
