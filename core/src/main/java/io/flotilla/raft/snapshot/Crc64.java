package io.flotilla.raft.snapshot;

import java.util.zip.Checksum;

/**
 * The CRC-64 that hashicorp/raft stores in a snapshot's meta.json: Go's {@code crc64.MakeTable(crc64.ECMA)},
 * i.e. the reflected ECMA-182 polynomial with initial value and final xor all ones (also known as CRC-64/XZ).
 * Java has no built-in CRC-64. Long inputs are processed eight bytes at a time (slicing-by-8) as Go does, since
 * every snapshot is checksummed in full when written and again when opened.
 */
final class Crc64 implements Checksum {
    private static final long POLY = 0xC96C5795D7870F42L;
    /** {@code TABLES[k][b]}: the effect of byte {@code b} followed by {@code k} zero bytes. */
    private static final long[][] TABLES = tables();

    private long crc; // kept inverted between updates, as Go does

    private static long[][] tables() {
        long[][] t = new long[8][256];
        for (int b = 0; b < 256; b++) {
            long c = b;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            t[0][b] = c;
        }
        for (int b = 0; b < 256; b++) {
            long c = t[0][b];
            for (int k = 1; k < 8; k++) {
                c = t[0][(int) c & 0xff] ^ (c >>> 8);
                t[k][b] = c;
            }
        }
        return t;
    }

    @Override
    public void update(int b) {
        long c = ~crc;
        c = TABLES[0][(int) (c ^ b) & 0xff] ^ (c >>> 8);
        crc = ~c;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        long c = ~crc;
        int end = off + len;
        long[] t0 = TABLES[0];
        while (end - off >= 8) {
            c ^= (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16
                    | (b[off + 3] & 0xffL) << 24 | (b[off + 4] & 0xffL) << 32 | (b[off + 5] & 0xffL) << 40
                    | (b[off + 6] & 0xffL) << 48 | (b[off + 7] & 0xffL) << 56;
            c = TABLES[7][(int) c & 0xff] ^ TABLES[6][(int) (c >>> 8) & 0xff]
                    ^ TABLES[5][(int) (c >>> 16) & 0xff] ^ TABLES[4][(int) (c >>> 24) & 0xff]
                    ^ TABLES[3][(int) (c >>> 32) & 0xff] ^ TABLES[2][(int) (c >>> 40) & 0xff]
                    ^ TABLES[1][(int) (c >>> 48) & 0xff] ^ t0[(int) (c >>> 56)];
            off += 8;
        }
        while (off < end) {
            c = t0[(int) (c ^ b[off++]) & 0xff] ^ (c >>> 8);
        }
        crc = ~c;
    }

    @Override
    public long getValue() {
        return crc;
    }

    @Override
    public void reset() {
        crc = 0;
    }

    /** The checksum as Go's {@code Sum(nil)} returns it: eight bytes, big-endian. */
    byte[] sum() {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (crc >>> (56 - 8 * i));
        }
        return out;
    }
}
