package io.flotilla.raft.transport.net;

import io.flotilla.raft.ServerAddress;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * TLS with mutual authentication for a {@link NetworkTransport}: both ends present a certificate and both
 * verify the other's against their trust store, so a peer without a trusted certificate can neither connect
 * nor deliver an RPC. The bytes inside the TLS session are exactly the plain TCP transport's.
 *
 * <p>The listener accepts plain TCP and wraps each connection in a server-mode {@link SSLSocket} that
 * requires a client certificate ({@code needClientAuth}); the handshake runs later on the connection's own
 * thread (see {@link StreamLayer}). Dialling connects, wraps in a client-mode socket and completes the handshake
 * within the dial timeout. Peers are authenticated by their certificate chain; host names are not checked
 * unless the {@code customizer} asks for it, e.g. {@code p -> p.setEndpointIdentificationAlgorithm("HTTPS")}.
 */
public final class TlsStreamLayer implements StreamLayer {
    private final ServerSocket listener;
    private final ServerAddress advertised;
    private final SSLSocketFactory factory;
    private final Consumer<SSLParameters> customizer;

    private TlsStreamLayer(ServerSocket listener, ServerAddress advertised, SSLContext context,
                           Consumer<SSLParameters> customizer) {
        this.listener = listener;
        this.advertised = advertised;
        this.factory = context.getSocketFactory();
        this.customizer = customizer;
    }

    /**
     * Listens on {@code bindAddress} with the given TLS context, advertising the listener's address.
     *
     * @param context holds this node's key and certificate, and the certificates it trusts for peers
     * @throws NotAdvertisableException if the bind address is unspecified (0.0.0.0 or ::)
     */
    public static TlsStreamLayer bind(String bindAddress, SSLContext context) throws IOException {
        return bind(bindAddress, Optional.empty(), context, p -> { });
    }

    /**
     * Listens on {@code bindAddress} with the given TLS context.
     *
     * @param advertise  the address peers dial, if not the listener's
     * @param context    this node's key and certificate, and the certificates it trusts for peers
     * @param customizer adjusts the {@link SSLParameters} of every socket, client and server side (protocols,
     *                   cipher suites, endpoint identification); client authentication is required regardless
     */
    public static TlsStreamLayer bind(String bindAddress, Optional<InetSocketAddress> advertise, SSLContext context,
                                      Consumer<SSLParameters> customizer) throws IOException {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertise, "advertise");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(customizer, "customizer");
        ServerSocket listener = TcpStreamLayer.listen(HostPort.parseBind(bindAddress));
        try {
            return new TlsStreamLayer(listener, TcpStreamLayer.advertisedAddress(listener, advertise), context,
                    customizer);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * A TLS context from key material in memory.
     *
     * @param keyStore    this node's private key and certificate chain
     * @param keyPassword the password of the key entry
     * @param trustStore  the certificates (usually one CA) that peers' certificates must chain to
     */
    public static SSLContext sslContext(KeyStore keyStore, char[] keyPassword, KeyStore trustStore)
            throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * A TLS context from key store files (PKCS#12, or any type {@link KeyStore#getInstance(java.io.File, char[])}
     * recognises).
     *
     * @param keyStore           this node's key and certificate; its password also unlocks the key entry
     * @param keyStorePassword   its password
     * @param trustStore         the trusted certificates
     * @param trustStorePassword its password
     */
    public static SSLContext sslContext(Path keyStore, char[] keyStorePassword, Path trustStore,
                                        char[] trustStorePassword) throws IOException, GeneralSecurityException {
        return sslContext(load(keyStore, keyStorePassword), keyStorePassword, load(trustStore, trustStorePassword));
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no key store at " + file);
        }
        return KeyStore.getInstance(file.toFile(), password);
    }

    @Override
    public Socket accept() throws IOException {
        Socket raw = listener.accept();
        try {
            TcpStreamLayer.configure(raw);
            SSLSocket tls = (SSLSocket) factory.createSocket(raw, (InputStream) null, true);
            tls.setUseClientMode(false);
            SSLParameters params = tls.getSSLParameters();
            customizer.accept(params);
            params.setNeedClientAuth(true);
            tls.setSSLParameters(params);
            return tls;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    @Override
    public Socket dial(ServerAddress address, Duration timeout) throws IOException {
        Socket raw = TcpStreamLayer.connect(address, timeout);
        try {
            InetSocketAddress remote = (InetSocketAddress) raw.getRemoteSocketAddress();
            SSLSocket tls = (SSLSocket) factory.createSocket(raw, remote.getHostString(), remote.getPort(), true);
            tls.setUseClientMode(true);
            SSLParameters params = tls.getSSLParameters();
            customizer.accept(params);
            tls.setSSLParameters(params);
            tls.setSoTimeout(TcpStreamLayer.millis(timeout));
            try {
                tls.startHandshake();
            } catch (IOException e) {
                throw new IOException("tls handshake with " + address + " failed: " + e.getMessage(), e);
            }
            tls.setSoTimeout(0);
            return tls;
        } catch (IOException | RuntimeException e) {
            Sockets.abort(raw);
            throw e;
        }
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
        return "TlsStreamLayer[" + advertised + "]";
    }
}
