package io.flotilla.raft.transport.net;

import io.flotilla.raft.transport.Transport;
import io.flotilla.raft.transport.TransportContractTest;
import org.junit.jupiter.api.BeforeAll;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;

/** The transport contract over mutually authenticated TLS. */
class TlsTransportContractTest extends TransportContractTest {
    private static SSLContext first;
    private static SSLContext second;

    @BeforeAll
    static void makeCertificates() throws GeneralSecurityException {
        TestPki ca = TestPki.newCa("contract-ca");
        first = ca.issue("node1").context();
        second = ca.issue("node2").context();
    }

    private static Transport tls(SSLContext context) throws IOException {
        return NetworkTransport.tls("127.0.0.1:0", Optional.empty(), context,
                NetworkTransportConfig.builder().maxPool(2).timeout(Duration.ofSeconds(2)).build());
    }

    @Override
    protected Transport newTransport() throws IOException {
        return tls(first);
    }

    @Override
    protected Pair newConnectedPair() throws IOException {
        return new Pair(tls(first), tls(second));
    }
}
