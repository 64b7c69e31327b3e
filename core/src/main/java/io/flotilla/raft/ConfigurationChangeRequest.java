package io.flotilla.raft;

import java.util.Objects;

/**
 * A request to change the cluster configuration, as the leader applies it with
 * {@link Configuration#next(long, ConfigurationChangeRequest)}.
 *
 * @param command   what to do
 * @param serverId  the server concerned
 * @param address   its address (ignored by commands that do not need one)
 * @param prevIndex if non-zero, the change applies only if the latest configuration is still at this index
 */
public record ConfigurationChangeRequest(ConfigurationChangeCommand command, ServerId serverId,
                                         ServerAddress address, long prevIndex) {
    /** Rejects {@code null} components. */
    public ConfigurationChangeRequest {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(address, "address");
    }
}
