package io.flotilla.raft.transport.net;

import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireReader;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.codec.WireWriter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

import static io.flotilla.raft.transport.net.NetTestSupport.PATIENCE;

/** A bare client socket that writes frames and reads answers with the codec, so tests control the timing. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    private final WireWriter writer;
    private final WireReader reader;

    RawClient(NetworkTransport server) throws IOException {
        this.socket = new Socket(InetAddress.getLoopbackAddress(), WireBytesTest.port(server));
        socket.setSoTimeout((int) PATIENCE.toMillis());
        this.writer = new WireWriter(socket.getOutputStream());
        this.reader = new WireReader(socket.getInputStream());
    }

    int localPort() {
        return socket.getLocalPort();
    }

    RawClient send(RpcMessage request) throws IOException {
        writer.writeRequest(request);
        writer.flush();
        return this;
    }

    RawClient sendSnapshot(RpcMessage request, byte[] data) throws IOException {
        writer.writeRequest(request);
        writer.writeSnapshotData(data, 0, data.length);
        writer.flush();
        return this;
    }

    RawClient write(byte[] raw) throws IOException {
        socket.getOutputStream().write(raw);
        socket.getOutputStream().flush();
        return this;
    }

    WireResponse receive(RpcType type) throws IOException {
        return reader.readResponse(type);
    }

    /**
     * Checks that nothing arrives within {@code millis} — a bounded negative check, not a synchronisation. Only
     * call it when every answer read so far was consumed, since it reads the socket directly.
     */
    void assertSilentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            int b = socket.getInputStream().read();
            throw new AssertionError(b >= 0 ? "unexpected byte from the server: " + b : "the server closed");
        } catch (SocketTimeoutException e) {
            // silence, as expected
        } finally {
            socket.setSoTimeout((int) PATIENCE.toMillis());
        }
    }

    /** Reads until the server closes the connection (EOF or reset); fails if it does not within the patience. */
    void awaitClosed() throws IOException {
        byte[] buf = new byte[4096];
        try {
            while (socket.getInputStream().read(buf) >= 0) {
                // discard
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + PATIENCE);
        } catch (IOException e) {
            // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
