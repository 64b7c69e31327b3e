package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Plain TCP for a {@link NetworkTransport} (hashicorp's {@code TCPStreamLayer}): listens on a bind address and
 * dials peers with a timeout. Every socket has {@code TCP_NODELAY} on, because the transport flushes once per
 * message and Raft's messages are latency-sensitive.
 *
 * <p>The advertised address is the one given, else the listener's own; an unspecified bind address
 * (0.0.0.0, ::) without an advertised address is refused with {@link NotAdvertisableException}. Port 0 binds
 * an ephemeral port, which {@link #address()} then reports.
 */
public final class TcpStreamLayer implements StreamLayer {
    /** Pending connections the kernel queues before {@link #accept()} takes them. */
    private static final int BACKLOG = 128;

    private final ServerSocket listener;
    private final ServerAddress advertised;

    private TcpStreamLayer(ServerSocket listener, ServerAddress advertised) {
        this.listener = listener;
        this.advertised = advertised;
    }

    /**
     * Listens on {@code bindAddress} ({@code host:port}, as Go writes it: {@code 127.0.0.1:7000}, {@code [::1]:0})
     * and advertises the listener's address.
     *
     * @throws NotAdvertisableException if the bind address is unspecified (0.0.0.0 or ::)
     * @throws IOException              if the address is malformed or cannot be bound
     */
    public static TcpStreamLayer bind(String bindAddress) throws IOException {
        return bind(bindAddress, Optional.empty());
    }

    /**
     * Listens on {@code bindAddress} and advertises {@code advertise}, for example when binding 0.0.0.0.
     *
     * @throws NotAdvertisableException if {@code advertise} is unspecified (0.0.0.0 or ::)
     */
    public static TcpStreamLayer bind(String bindAddress, InetSocketAddress advertise) throws IOException {
        return bind(bindAddress, Optional.of(advertise));
    }

    /** Listens on {@code bindAddress} and advertises {@code advertise} if present, else the listener's address. */
    public static TcpStreamLayer bind(String bindAddress, Optional<InetSocketAddress> advertise) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertise, "advertise");
        ServerSocket listener = listen(HostPort.parseBind(bindAddress));
        try {
            return new TcpStreamLayer(listener, advertisedAddress(listener, advertise));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    static ServerSocket listen(InetSocketAddress bind) throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.bind(bind, BACKLOG);
        } catch (IOException e) {
            listener.close();
            throw new IOException("failed to listen on " + HostPort.format(bind) + ": " + e.getMessage(), e);
        }
        return listener;
    }

    /** hashicorp's rule: the advertised address if set, else the listener's; either must be dialable. */
    static ServerAddress advertisedAddress(ServerSocket listener, Optional<InetSocketAddress> advertise)
            throws IOException {
        InetSocketAddress addr = advertise.orElseGet(() -> (InetSocketAddress) listener.getLocalSocketAddress());
        if (addr.isUnresolved()) {
            throw new IOException("advertise address " + addr.getHostString() + " is not resolved");
        }
        if (HostPort.isUnspecified(addr)) {
            throw new NotAdvertisableException();
        }
        return new ServerAddress(HostPort.format(addr));
    }

    @Override
    public Socket accept() throws IOException {
        Socket socket = listener.accept();
        try {
            configure(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public Socket dial(ServerAddress address, Duration timeout) throws IOException {
        return connect(address, timeout);
    }

    static Socket connect(ServerAddress address, Duration timeout) throws IOException {
        InetSocketAddress target = HostPort.parseDial(address);
        Socket socket = new Socket();
        try {
            configure(socket);
            socket.connect(target, millis(timeout));
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new SocketTimeoutException("dial tcp " + address + ": i/o timeout");
        } catch (IOException e) {
            socket.close();
            throw new IOException("dial tcp " + address + ": " + e.getMessage(), e);
        }
        return socket;
    }

    static void configure(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        // Go's dialer and listener turn keep-alives on, which is what notices a peer that vanished.
        socket.setKeepAlive(true);
    }

    /** A timeout in milliseconds for socket calls: 0 means none, and anything positive is at least 1. */
    static int millis(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return 0;
        }
        long ms = Math.max(1, timeout.toMillis());
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    @Override
    public ServerAddress address() {
        return advertised;
    }

    /** The address the listener is bound to (which may differ from the advertised one). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }

    @Override
    public String toString() {
        return "TcpStreamLayer[" + advertised + "]";
    }
}
