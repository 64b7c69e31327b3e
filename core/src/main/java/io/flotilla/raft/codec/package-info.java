/**
 * The msgpack codec of the network transport: the exact bytes hashicorp/raft 1.1.2's {@code NetworkTransport}
 * puts on a TCP stream (go-msgpack 0.5.5 with a zero {@code MsgpackHandle}), and the configuration and legacy
 * peers blobs that travel inside log entries and snapshots.
 *
 * <p>Entry points: {@link io.flotilla.raft.codec.WireWriter} and {@link io.flotilla.raft.codec.WireReader} for
 * streams, {@link io.flotilla.raft.codec.RpcCodec} for single messages as byte arrays, and
 * {@link io.flotilla.raft.codec.ConfigurationCodec} for the configuration blobs. Decoding accepts what the Go
 * decoder accepts; anything else, and anything over the {@link io.flotilla.raft.codec.CodecLimits}, raises
 * {@link io.flotilla.raft.codec.CodecException} and nothing else.
 */
package io.flotilla.raft.codec;
