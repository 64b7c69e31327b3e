package io.flotilla.raft.rocksdb;

/**
 * A summary of everything in the stable column family — how many keys it holds and the XOR of a 64-bit hash
 * of each key with its stored value — that {@link RocksDbStore} updates in the same write batch as each stable
 * write and recomputes at open. Since XOR is its own inverse, replacing a value costs two hash updates, not a
 * scan; a value that RocksDB lost or rolled back on its own shows up as a mismatch.
 */
record StableDigest(long count, long digest) {
    static final StableDigest EMPTY = new StableDigest(0, 0);

    /** This digest after {@code key} changed from {@code oldValue} ({@code null} if absent) to {@code newValue}. */
    StableDigest replacing(byte[] key, byte[] oldValue, byte[] newValue) {
        long d = digest ^ hash(key, newValue);
        if (oldValue == null) {
            return new StableDigest(count + 1, d);
        }
        return new StableDigest(count, d ^ hash(key, oldValue));
    }

    /** This digest with one more key. */
    StableDigest adding(byte[] key, byte[] value) {
        return replacing(key, null, value);
    }

    /** FNV-1a over the key's length, the key and the value, finished with MurmurHash3's 64-bit mixer. */
    static long hash(byte[] key, byte[] value) {
        long h = 0xcbf29ce484222325L;
        for (int shift = 0; shift < 32; shift += 8) {
            h = (h ^ ((key.length >>> shift) & 0xff)) * 0x100000001b3L;
        }
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        for (byte b : value) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public String toString() {
        return count + " keys (digest " + Long.toHexString(digest) + ")";
    }
}
