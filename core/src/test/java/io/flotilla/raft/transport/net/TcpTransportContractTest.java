package io.flotilla.raft.transport.net;

import io.flotilla.raft.transport.Transport;
import io.flotilla.raft.transport.TransportContractTest;

import java.io.IOException;
import java.time.Duration;

/** The transport contract ({@code transport_test.go} and our interfaces' promises) over plain TCP. */
class TcpTransportContractTest extends TransportContractTest {
    @Override
    protected Transport newTransport() throws IOException {
        return NetworkTransport.tcp("127.0.0.1:0", 2, Duration.ofSeconds(2));
    }

    @Override
    protected Pair newConnectedPair() throws IOException {
        return new Pair(newTransport(), newTransport());
    }
}
