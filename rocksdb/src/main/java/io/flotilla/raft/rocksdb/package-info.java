/**
 * A durable log and stable store for Flotilla on RocksDB ({@link io.flotilla.raft.rocksdb.RocksDbStore}), and
 * {@link io.flotilla.raft.rocksdb.TemporaryRocksDbStores} to run tests on it.
 */
package io.flotilla.raft.rocksdb;
