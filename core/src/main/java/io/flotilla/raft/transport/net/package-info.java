/**
 * The network transport: hashicorp/raft 1.1.2's NetworkTransport protocol over TCP or mutually authenticated
 * TLS, byte for byte, so Flotilla and Go nodes can share a cluster.
 *
 * <p>Entry points: {@link io.flotilla.raft.transport.net.NetworkTransport#tcp} and
 * {@link io.flotilla.raft.transport.net.NetworkTransport#tls} (or {@code create} over any
 * {@link io.flotilla.raft.transport.net.StreamLayer}), configured by
 * {@link io.flotilla.raft.transport.net.NetworkTransportConfig}.
 *
 * <h2>Threads</h2>
 * Per transport: one accept thread and one watchdog thread (write deadlines). Per inbound connection: a reader
 * and a writer. Per pipeline: a decoder. Calls run on the caller's thread. {@code close()} ends all of them.
 *
 * <h2>Serving</h2>
 * The reader decodes requests back to back and hands each to the handler at once; the writer sends answers in
 * request order as the handler produces them. That keeps a pipelined burst flowing into the follower's log
 * writer (one fsync for many AppendEntries) where hashicorp's server would wait for each answer before reading
 * the next request, while a client still sees hashicorp's order. Heartbeats get no special lane because none is
 * needed: nothing waits between reading a heartbeat and handing it over — only its answer is ordered behind
 * earlier answers on the same connection, and leaders send heartbeats on connections of their own.
 *
 * <h2>Limits against misbehaving peers</h2>
 * <ul>
 *   <li>Malformed input, an unknown type byte ({@code unknown rpc type N}) or anything over the
 *       {@link io.flotilla.raft.codec.CodecLimits} closes the connection with a logged reason; nothing of a bad
 *       frame reaches the handler. Declared lengths are checked before allocating, and buffers grow only with
 *       bytes actually received.</li>
 *   <li>A request that has begun must arrive within {@code requestReadTimeout} in total (however slowly it
 *       trickles); the same bound applies to a TLS handshake and to each wait for InstallSnapshot data.</li>
 *   <li>At most {@code maxPendingPerConnection} unanswered requests per connection; then the connection is
 *       not read until answers leave (TCP back-pressure on the client).</li>
 *   <li>Each answer must be written within {@code writeTimeout}.</li>
 *   <li>At most {@code maxInboundConnections} connections: beyond that the connection idle the longest is
 *       evicted, or, if all are busy, the newcomer is refused.</li>
 *   <li>An optional {@code idleTimeout} closes connections idle between requests (off by default, because Go
 *       clients keep pooled connections open indefinitely and would see one failed call per closed one).</li>
 * </ul>
 */
package io.flotilla.raft.transport.net;
