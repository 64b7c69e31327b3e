/**
 * The replicated key-value service of KV-API.md on Flotilla: the state machine ({@link io.flotilla.kv.KvFsm},
 * {@link io.flotilla.kv.KvCommand}, {@link io.flotilla.kv.KvSnapshotCodec}), one node with its stores, transport
 * and HTTP API ({@link io.flotilla.kv.KvNode}), the {@code serve} and {@code demo} commands
 * ({@link io.flotilla.kv.ServeCommand}, {@link io.flotilla.kv.DemoCommand}), and what the demo and the end-to-end
 * tests use to drive nodes as processes ({@link io.flotilla.kv.KvProcess}, {@link io.flotilla.kv.KvClient}).
 *
 * <p>Everything a client can observe — entries, snapshots, status codes, error texts, JSON bytes — follows the
 * Go reference node ({@code ../shared/gopeer}), so Java and Go nodes serve one cluster and one test harness.
 */
package io.flotilla.kv;
