package io.flotilla.raft;

/**
 * The header every RPC carries (hashicorp's {@code RPCHeader}); on the wire its field is flattened into the
 * message as {@code ProtocolVersion}.
 *
 * @param protocolVersion the sender's protocol version (0..3)
 */
public record RpcHeader(int protocolVersion) {
    /** The header of a protocol-3 sender. */
    public static final RpcHeader V3 = new RpcHeader(ProtocolVersion.MAX);
    /** A zero header, as hashicorp sends on InstallSnapshot and TimeoutNow responses. */
    public static final RpcHeader ZERO = new RpcHeader(0);
}
