package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

/**
 * Turns a server's identity into the bytes that name it in RPCs ({@code Leader}, {@code Candidate}) and in
 * the legacy peers encoding, and back. Every transport is one; hashicorp's NetworkTransport encodes the
 * address (or the address provider's answer for the id).
 */
public interface PeerCodec {
    /** The bytes that name this peer on the wire. */
    byte[] encodePeer(ServerId id, ServerAddress address);

    /** The address named by bytes produced by {@link #encodePeer}. */
    ServerAddress decodePeer(byte[] encoded);

    /** The codec hashicorp's transports use: the address as UTF-8 bytes. */
    PeerCodec ADDRESS = new PeerCodec() {
        @Override
        public byte[] encodePeer(ServerId id, ServerAddress address) {
            return Bytes.utf8(address.value());
        }

        @Override
        public ServerAddress decodePeer(byte[] encoded) {
            return new ServerAddress(new String(encoded, java.nio.charset.StandardCharsets.UTF_8));
        }
    };
}
