package io.flotilla.raft.snapshot;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class Crc64Test {

    private static Crc64 crcOf(byte[] data) {
        Crc64 crc = new Crc64();
        crc.update(data, 0, data.length);
        return crc;
    }

    @Test
    void matchesTheCrc64XzCheckValue() {
        assertThat(crcOf("123456789".getBytes(StandardCharsets.US_ASCII)).getValue()).isEqualTo(0x995DC9BBDF1939FAL);
    }

    @Test
    void sumIsEightBytesBigEndian() {
        assertThat(crcOf("123456789".getBytes(StandardCharsets.US_ASCII)).sum())
                .containsExactly(0x99, 0x5D, 0xC9, 0xBB, 0xDF, 0x19, 0x39, 0xFA);
        assertThat(new Crc64().sum()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void matchesTheCrcsGoStoredInItsSnapshots() {
        assertThat(Base64.getEncoder().encodeToString(crcOf("first\nsecond\n".getBytes(StandardCharsets.US_ASCII))
                .sum())).isEqualTo("Fin9h3zOPWw=");
        byte[] data = GoFixtures.read("snapshots/" + GoFixtures.AWKWARD_ID + "/state.bin");
        assertThat(Base64.getEncoder().encodeToString(crcOf(data).sum())).isEqualTo("txwBBCWZ8p4=");
    }

    @Test
    void resetStartsOver() {
        Crc64 crc = crcOf(new byte[] {1, 2, 3});
        crc.reset();
        crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertThat(crc.getValue()).isEqualTo(0x995DC9BBDF1939FAL);
    }

    @Property
    void anySplitOfTheInputGivesTheSameCrcAsByteAtATime(@ForAll @Size(max = 100) byte[] data,
                                                        @ForAll @IntRange(max = 100) int split) {
        Crc64 bytewise = new Crc64();
        for (byte b : data) {
            bytewise.update(b);
        }
        int at = Math.min(split, data.length);
        Crc64 chunked = new Crc64();
        chunked.update(data, 0, at);
        chunked.update(data, at, data.length - at);
        assertThat(chunked.getValue()).isEqualTo(bytewise.getValue());
    }
}
