package io.flotilla.raft.codec;

import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RpcMessage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random and mutated input either decodes or raises {@link CodecException} — never another throwable, never
 * a decoder bug caught at the boundary, never a hang — through every decoding entry point.
 */
class HostileInputTest {
    /** Declared lengths and counts a liar would send: huge, just over a limit, or more than what follows. */
    private static final List<String> LYING_HEADERS = List.of(
            "dbffffffff", "db7fffffff", "db04000001", "da ffff", "d9ff", "c6ffffffff", "c5ffff", "c4ff",
            "ddffffffff", "dd00010001", "dcffff", "dfffffffff", "de ffff", "c9ffffffff", "c8ffff", "c7ff",
            "cfffffffffffffffff", "d3ffffffffffffffff", "9f", "8f", "bf", "c1");

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Provide
    Arbitrary<byte[]> mutatedVectors() {
        List<byte[]> vectors = SharedVectors.names().stream().map(SharedVectors::bytes).toList();
        return Arbitraries.of(vectors).flatMap(HostileInputTest::mutate);
    }

    private static Arbitrary<byte[]> mutate(byte[] original) {
        int n = original.length;
        Arbitrary<Integer> position = Arbitraries.integers().between(0, n - 1);
        Arbitrary<byte[]> bitFlips = position.list().ofMinSize(1).ofMaxSize(4).flatMap(positions ->
                Arbitraries.integers().between(0, 7).map(bit -> {
                    byte[] copy = original.clone();
                    for (int p : positions) {
                        copy[p] ^= (byte) (1 << bit);
                    }
                    return copy;
                }));
        Arbitrary<byte[]> truncations = position.map(p -> Arrays.copyOf(original, p));
        Arbitrary<byte[]> insertions = position.flatMap(p -> Arbitraries.bytes().array(byte[].class).ofMinSize(1)
                .ofMaxSize(8).map(extra -> insert(original, p, extra)));
        Arbitrary<byte[]> lies = position.flatMap(p -> Arbitraries.of(LYING_HEADERS)
                .map(h -> insert(original, p, Hex.bytes(h))));
        Arbitrary<byte[]> overwrites = position.flatMap(p -> Arbitraries.of(LYING_HEADERS).map(h -> {
            byte[] header = Hex.bytes(h);
            byte[] copy = original.clone();
            System.arraycopy(header, 0, copy, p, Math.min(header.length, n - p));
            return copy;
        }));
        Arbitrary<byte[]> deletions = position.flatMap(p -> Arbitraries.integers().between(1, 16).map(len -> {
            int end = Math.min(n, p + len);
            byte[] copy = new byte[n - (end - p)];
            System.arraycopy(original, 0, copy, 0, p);
            System.arraycopy(original, end, copy, p, n - end);
            return copy;
        }));
        return Arbitraries.oneOf(bitFlips, truncations, insertions, lies, overwrites, deletions);
    }

    private static byte[] insert(byte[] original, int at, byte[] extra) {
        byte[] copy = new byte[original.length + extra.length];
        System.arraycopy(original, 0, copy, 0, at);
        System.arraycopy(extra, 0, copy, at, extra.length);
        System.arraycopy(original, at, copy, at + extra.length, original.length - at);
        return copy;
    }

    @Property(tries = 1000)
    void mutatedGoldenVectorsFailOnlyCleanly(@ForAll("mutatedVectors") byte[] input) {
        assertDecodersFailCleanly(input);
    }

    @Property(tries = 1000)
    void randomBytesFailOnlyCleanly(@ForAll @Size(max = 64) byte[] input) {
        assertDecodersFailCleanly(input);
    }

    @Property(tries = 300)
    void randomBytesAfterAValidPrefixFailOnlyCleanly(@ForAll("prefixes") String prefix,
                                                     @ForAll @Size(max = 32) byte[] tail) {
        byte[] head = Hex.bytes(prefix);
        byte[] input = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, input, head.length, tail.length);
        assertDecodersFailCleanly(input);
    }

    @Provide
    Arbitrary<String> prefixes() {
        // Get past the first bytes, so random data lands inside structs, entries and values.
        return Arbitraries.of(
                "00" + "87" + Hex.str("Entries") + "91" + "85",
                "00" + "87" + Hex.str("Entries") + "92" + "85" + Hex.str("Data"),
                "02" + "8a" + Hex.str("Size"),
                "a0" + "85" + Hex.str("LastLog"),
                "81" + Hex.str("Servers") + "91" + "83",
                "91");
    }

    @Test
    void everyVectorTruncatedAtEveryLengthFailsCleanly() {
        for (String name : SharedVectors.names()) {
            byte[] vector = SharedVectors.bytes(name);
            for (int cut = 0; cut <= vector.length; cut++) {
                assertDecodersFailCleanly(Arrays.copyOf(vector, cut));
            }
        }
    }

    /** Runs every decoder on the input; each may succeed or throw CodecException, nothing else. */
    static void assertDecodersFailCleanly(byte[] input) {
        assertTimeoutPreemptively(DEADLINE, () -> {
            clean(() -> RpcCodec.decodeRequestFrame(input));
            for (RpcType type : RpcType.values()) {
                clean(() -> RpcCodec.decodeResponseFrame(type, input));
                clean(() -> RpcCodec.decode(type.requestType(), input));
                clean(() -> RpcCodec.decode(type.responseType(), input));
                clean(() -> readAllResponses(type, input));
            }
            clean(() -> ConfigurationCodec.decodeConfiguration(input));
            clean(() -> ConfigurationCodec.decodePeers(input, PeerCodec.ADDRESS));
            clean(() -> readAllRequests(input));
        }, () -> "decoding did not finish within " + DEADLINE + ": " + Hex.of(input));
    }

    private static Object readAllRequests(byte[] input) throws IOException {
        WireReader reader = new WireReader(new ByteArrayInputStream(input));
        int count = 0;
        for (Optional<WireRequest> request; (request = reader.readRequest()).isPresent(); count++) {
            if (count % 2 == 0) {
                try (InputStream data = reader.snapshotData()) {
                    data.readAllBytes();
                }
            }
        }
        return count;
    }

    private static Object readAllResponses(RpcType type, byte[] input) throws IOException {
        WireReader reader = new WireReader(new ByteArrayInputStream(input));
        RpcMessage last = null;
        for (int i = 0; i <= input.length; i++) { // each response takes at least one byte
            last = reader.readResponse(type).response().orElse(last);
        }
        return last;
    }

    @FunctionalInterface
    private interface Decode {
        Object run() throws IOException;
    }

    private static void clean(Decode decode) throws IOException {
        try {
            decode.run();
        } catch (CodecException e) {
            assertThat(e.getMessage()).doesNotStartWith(DecodeGuard.INTERNAL_ERROR);
        }
    }
}
