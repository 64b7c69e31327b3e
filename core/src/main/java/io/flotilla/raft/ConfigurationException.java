package io.flotilla.raft;

/**
 * Thrown when a cluster configuration is invalid or a membership change cannot be applied
 * (hashicorp's {@code checkConfiguration} and {@code nextConfiguration} errors, with their texts).
 */
public class ConfigurationException extends RaftException {
    /** An exception with the given message. */
    public ConfigurationException(String message) {
        super(message);
    }
}
