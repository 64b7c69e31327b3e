package io.flotilla.raft;

import java.util.Objects;

/**
 * The latest cluster configuration and the log index it came from (hashicorp's {@code ConfigurationFuture}).
 * It may not be committed yet.
 *
 * @param configuration the configuration
 * @param index         its log index (0 if none)
 */
public record ConfigurationInfo(Configuration configuration, long index) {
    /** Rejects a {@code null} configuration. */
    public ConfigurationInfo {
        Objects.requireNonNull(configuration, "configuration");
    }
}
