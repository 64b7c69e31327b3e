package io.flotilla.raft.transport;

import io.flotilla.raft.ServerAddress;

import java.time.Duration;

/** The transport contract (hashicorp's {@code transport_test.go}, kind {@code TTInmem}) on the in-memory transport. */
class InmemTransportContractTest extends TransportContractTest {
    @Override
    protected Transport newTransport() {
        return new InmemTransport();
    }

    @Override
    protected Pair newConnectedPair() {
        InmemTransport receiver = new InmemTransport(ServerAddress.NONE, Duration.ofSeconds(2));
        InmemTransport sender = new InmemTransport(ServerAddress.NONE, Duration.ofSeconds(2));
        receiver.connect(sender.localAddress(), sender);
        sender.connect(receiver.localAddress(), receiver);
        return new Pair(receiver, sender);
    }
}
