package io.flotilla.raft.transport.net;

import io.flotilla.raft.codec.CodecLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of a {@link NetworkTransport} (hashicorp's {@code NetworkTransportConfig}, plus the limits a
 * server exposed to the network needs). Immutable; build one with {@link #builder()}.
 *
 * <p>Client side: {@code maxPool} idle connections kept per peer, {@code timeout} for each RPC (scaled up for
 * InstallSnapshot by {@code timeoutScale}), an optional {@link ServerAddressProvider}.
 *
 * <p>Server side: at most {@code maxInboundConnections} connections at once (the idlest is evicted, or a new one
 * refused, beyond that); at most {@code maxPendingPerConnection} requests of one connection handed to the handler
 * and not yet answered (then the connection is not read until answers go out); a started request must arrive
 * completely within {@code requestReadTimeout}, which also bounds a TLS handshake and each wait for snapshot data;
 * an answer must be written within {@code writeTimeout}; a connection may sit idle between requests for
 * {@code idleTimeout} (zero: forever, as in hashicorp, whose clients keep pooled connections open indefinitely).
 * {@code codecLimits} caps what one message may claim.
 */
public final class NetworkTransportConfig {
    /** hashicorp's {@code DefaultTimeoutScale}: InstallSnapshot gets one more timeout per this many bytes. */
    public static final long DEFAULT_TIMEOUT_SCALE = 256 * 1024;

    private final int maxPool;
    private final Duration timeout;
    private final long timeoutScale;
    private final ServerAddressProvider serverAddressProvider;
    private final Logger logger;
    private final CodecLimits codecLimits;
    private final int maxInboundConnections;
    private final int maxPendingPerConnection;
    private final Duration requestReadTimeout;
    private final Duration writeTimeout;
    private final Duration idleTimeout;

    private NetworkTransportConfig(Builder b) {
        this.maxPool = b.maxPool;
        this.timeout = b.timeout;
        this.timeoutScale = b.timeoutScale;
        this.serverAddressProvider = b.serverAddressProvider;
        this.logger = b.logger;
        this.codecLimits = b.codecLimits;
        this.maxInboundConnections = b.maxInboundConnections;
        this.maxPendingPerConnection = b.maxPendingPerConnection;
        this.requestReadTimeout = b.requestReadTimeout;
        this.writeTimeout = b.writeTimeout;
        this.idleTimeout = b.idleTimeout;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: pool of 3, 10 s timeout. */
    public static NetworkTransportConfig defaults() {
        return builder().build();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxPool = maxPool;
        b.timeout = timeout;
        b.timeoutScale = timeoutScale;
        b.serverAddressProvider = serverAddressProvider;
        b.logger = logger;
        b.codecLimits = codecLimits;
        b.maxInboundConnections = maxInboundConnections;
        b.maxPendingPerConnection = maxPendingPerConnection;
        b.requestReadTimeout = requestReadTimeout;
        b.writeTimeout = writeTimeout;
        b.idleTimeout = idleTimeout;
        return b;
    }

    /** Idle connections kept per peer address. */
    public int maxPool() {
        return maxPool;
    }

    /** The deadline of one RPC, from sending the request to reading the answer; zero means none. */
    public Duration timeout() {
        return timeout;
    }

    /** InstallSnapshot's deadline is {@code timeout × (size / timeoutScale)}, at least {@code timeout}. */
    public long timeoutScale() {
        return timeoutScale;
    }

    /** Where peers' current addresses come from, if anywhere. */
    public Optional<ServerAddressProvider> serverAddressProvider() {
        return Optional.ofNullable(serverAddressProvider);
    }

    /** Where the transport logs. */
    public Logger logger() {
        return logger;
    }

    /** What a received message may claim before it is rejected. */
    public CodecLimits codecLimits() {
        return codecLimits;
    }

    /** Inbound connections open at once. */
    public int maxInboundConnections() {
        return maxInboundConnections;
    }

    /** Requests of one inbound connection handed to the handler and not yet answered. */
    public int maxPendingPerConnection() {
        return maxPendingPerConnection;
    }

    /** How long a request may take to arrive once it started; also bounds TLS handshakes and snapshot reads. */
    public Duration requestReadTimeout() {
        return requestReadTimeout;
    }

    /** How long writing one answer may take. */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** How long an inbound connection may wait for its next request; zero means forever. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public String toString() {
        return "NetworkTransportConfig[maxPool=" + maxPool + ", timeout=" + timeout + ", timeoutScale="
                + timeoutScale + ", addressProvider=" + (serverAddressProvider != null)
                + ", maxInboundConnections=" + maxInboundConnections + ", maxPendingPerConnection="
                + maxPendingPerConnection + ", requestReadTimeout=" + requestReadTimeout + ", writeTimeout="
                + writeTimeout + ", idleTimeout=" + idleTimeout + "]";
    }

    /** Builds a {@link NetworkTransportConfig}. */
    public static final class Builder {
        private int maxPool = 3;
        private Duration timeout = Duration.ofSeconds(10);
        private long timeoutScale = DEFAULT_TIMEOUT_SCALE;
        private ServerAddressProvider serverAddressProvider;
        private Logger logger = LoggerFactory.getLogger(NetworkTransport.class);
        private CodecLimits codecLimits = CodecLimits.DEFAULT;
        private int maxInboundConnections = 256;
        private int maxPendingPerConnection = 256;
        private Duration requestReadTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ZERO;

        private Builder() {
        }

        /** Idle connections kept per peer address (default 3); 0 keeps none. */
        public Builder maxPool(int maxPool) {
            if (maxPool < 0) {
                throw new IllegalArgumentException("maxPool must not be negative: " + maxPool);
            }
            this.maxPool = maxPool;
            return this;
        }

        /** The deadline of one RPC (default 10 s); zero means none. */
        public Builder timeout(Duration timeout) {
            this.timeout = notNegative(timeout, "timeout");
            return this;
        }

        /** Bytes of snapshot per extra timeout for InstallSnapshot (default 256 KiB). */
        public Builder timeoutScale(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("timeoutScale must be positive: " + bytes);
            }
            this.timeoutScale = bytes;
            return this;
        }

        /** Looks peers' addresses up by id (default: none, use the addresses given). */
        public Builder serverAddressProvider(ServerAddressProvider provider) {
            this.serverAddressProvider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Where to log (default: the {@link NetworkTransport} class logger). */
        public Builder logger(Logger logger) {
            this.logger = Objects.requireNonNull(logger, "logger");
            return this;
        }

        /** Caps on received messages (default {@link CodecLimits#DEFAULT}). */
        public Builder codecLimits(CodecLimits limits) {
            this.codecLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Inbound connections open at once (default 256). */
        public Builder maxInboundConnections(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxInboundConnections must be positive: " + max);
            }
            this.maxInboundConnections = max;
            return this;
        }

        /** Unanswered requests per inbound connection before it is no longer read (default 256). */
        public Builder maxPendingPerConnection(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxPendingPerConnection must be positive: " + max);
            }
            this.maxPendingPerConnection = max;
            return this;
        }

        /** How long a started request may take to arrive (default 30 s); positive. */
        public Builder requestReadTimeout(Duration timeout) {
            this.requestReadTimeout = positive(timeout, "requestReadTimeout");
            return this;
        }

        /** How long writing one answer may take (default 30 s); positive. */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /** How long an inbound connection may wait between requests (default zero: forever). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = notNegative(timeout, "idleTimeout");
            return this;
        }

        /** The settings. */
        public NetworkTransportConfig build() {
            return new NetworkTransportConfig(this);
        }

        private static Duration notNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }

        private static Duration positive(Duration d, String name) {
            notNegative(d, name);
            if (d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
