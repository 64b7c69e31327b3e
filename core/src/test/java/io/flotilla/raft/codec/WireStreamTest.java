package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Framing on a stream: back-to-back messages, snapshot data on the same stream, clean and unclean ends. */
class WireStreamTest {
    private static final byte[] LEADER = "127.0.0.1:7001".getBytes(StandardCharsets.US_ASCII);

    private static AppendEntriesRequest appendEntries(int entries, int dataSize) {
        List<LogEntry> list = new ArrayList<>();
        Random random = new Random(entries);
        for (int i = 0; i < entries; i++) {
            byte[] data = new byte[dataSize];
            random.nextBytes(data);
            list.add(new LogEntry(100 + i, 7, LogType.COMMAND, data, i % 2 == 0 ? null : new byte[0]));
        }
        return new AppendEntriesRequest(RpcHeader.V3, 7, LEADER, 99, 7, list, 98);
    }

    @Test
    void readsBackToBackRequestsWithSnapshotDataInBetween() throws IOException {
        byte[] snapshot = new byte[100_000];
        new Random(1).nextBytes(snapshot);
        InstallSnapshotRequest install = new InstallSnapshotRequest(RpcHeader.V3, 1, 7, LEADER, 500, 7, null,
                ConfigurationCodec.encodeConfiguration(ConfigurationCodecTest.THREE_SERVERS), 400, snapshot.length);
        AppendEntriesRequest ae = appendEntries(50, 300);
        RequestVoteRequest vote = new RequestVoteRequest(RpcHeader.V3, 8, LEADER, 500, 7, true);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeRequest(ae);
        writer.flush();
        writer.writeRequest(install);
        writer.writeSnapshotData(snapshot, 0, snapshot.length);
        writer.flush();
        writer.writeRequest(vote);
        writer.writeRequest(new TimeoutNowRequest(RpcHeader.V3));
        writer.flush();

        // A stream that returns a few bytes per read, so every buffer boundary is exercised.
        WireReader reader = new WireReader(new Trickle(out.toByteArray(), 7));
        assertThat(reader.readRequest()).contains(WireRequest.of(ae));
        assertThat(reader.readRequest()).contains(WireRequest.of(install));
        assertThat(reader.snapshotBytesLeft()).isEqualTo(snapshot.length);
        try (InputStream data = reader.snapshotData()) {
            assertThat(data.readAllBytes()).isEqualTo(snapshot);
        }
        assertThat(reader.snapshotBytesLeft()).isZero();
        assertThat(reader.readRequest()).contains(WireRequest.of(vote));
        assertThat(reader.readRequest()).contains(WireRequest.of(new TimeoutNowRequest(RpcHeader.V3)));
        assertThat(reader.readRequest()).isEmpty();
        assertThat(reader.readRequest()).as("still empty after the end").isEmpty();
    }

    @Test
    void unreadSnapshotDataIsDiscardedBeforeTheNextRequest() throws IOException {
        InstallSnapshotRequest install = new InstallSnapshotRequest(RpcHeader.V3, 1, 7, LEADER, 5, 7, null, null, 0, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeRequest(install);
        writer.writeSnapshotData("0123456789".getBytes(StandardCharsets.US_ASCII), 0, 10);
        writer.writeRequest(new TimeoutNowRequest(RpcHeader.V3));
        writer.flush();

        WireReader reader = new WireReader(new ByteArrayInputStream(out.toByteArray()));
        assertThat(reader.readRequest()).contains(WireRequest.of(install));
        InputStream data = reader.snapshotData();
        assertThat(data.read()).isEqualTo('0');
        assertThat(data.readNBytes(3)).isEqualTo("123".getBytes(StandardCharsets.US_ASCII));
        assertThat(reader.readRequest()).contains(WireRequest.of(new TimeoutNowRequest(RpcHeader.V3)));
        assertThat(data.read()).as("the old view is exhausted").isEqualTo(-1);
    }

    @Test
    void snapshotDataCutShortIsACodecException() throws IOException {
        InstallSnapshotRequest install = new InstallSnapshotRequest(RpcHeader.V3, 1, 7, LEADER, 5, 7, null, null, 0, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeRequest(install);
        writer.writeSnapshotData(new byte[4], 0, 4);
        writer.flush();

        WireReader reader = new WireReader(new ByteArrayInputStream(out.toByteArray()));
        reader.readRequest();
        InputStream data = reader.snapshotData();
        assertThatThrownBy(data::readAllBytes).isInstanceOf(CodecException.class).hasMessageContaining("6 of its bytes");

        WireReader skipping = new WireReader(new ByteArrayInputStream(out.toByteArray()));
        skipping.readRequest();
        assertThatThrownBy(skipping::readRequest).isInstanceOf(CodecException.class)
                .hasMessageContaining("unexpected end of input");
    }

    @Test
    void readsPipelinedResponsesInOrder() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        List<WireResponse> sent = List.of(
                WireResponse.of(new AppendEntriesResponse(RpcHeader.V3, 5, 10, true, false)),
                WireResponse.of("boom", new AppendEntriesResponse(RpcHeader.V3, 5, 11, false, true)),
                WireResponse.error("operation not supported with current protocol version"),
                WireResponse.of(new AppendEntriesResponse(RpcHeader.V3, 6, 12, true, false)));
        for (WireResponse response : sent) {
            writer.writeResponse(response);
            writer.flush();
        }
        WireReader reader = new WireReader(new Trickle(out.toByteArray(), 3));
        for (WireResponse response : sent) {
            assertThat(reader.readResponse(RpcType.APPEND_ENTRIES)).isEqualTo(response);
        }
        assertThatThrownBy(() -> reader.readResponse(RpcType.APPEND_ENTRIES)).isInstanceOf(CodecException.class)
                .hasMessageContaining("unexpected end of input at offset 0");
    }

    @Test
    void responseHelpersWriteTheGoShapes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeResponse(new TimeoutNowResponse(RpcHeader.V3));
        writer.writeResponse(WireResponse.error("x"));
        writer.flush();
        assertThat(Hex.of(out.toByteArray()))
                .isEqualTo("a0" + "81" + Hex.str("ProtocolVersion") + "03" + Hex.str("x") + "c0");
    }

    @Test
    void truncatedRequestIsACodecExceptionAndCleanEndIsEmpty() throws IOException {
        byte[] frame = RpcCodec.encodeRequestFrame(appendEntries(3, 10));
        assertThat(new WireReader(new ByteArrayInputStream(new byte[0])).readRequest()).isEmpty();
        for (int cut = 1; cut < frame.length; cut++) {
            WireReader reader = new WireReader(new ByteArrayInputStream(Arrays.copyOf(frame, cut)));
            assertThatThrownBy(reader::readRequest).as("cut at " + cut).isInstanceOf(CodecException.class);
        }
    }

    @Test
    void unknownTypeByteOnAStream() {
        WireReader reader = new WireReader(new ByteArrayInputStream(new byte[] {9, (byte) 0x80}));
        assertThatThrownBy(reader::readRequest).isInstanceOf(CodecException.class).hasMessage("unknown rpc type 9");
    }

    @Test
    void largeEntriesArriveIntactThroughTheIncrementalPath() throws IOException {
        // Over the eager-allocation threshold, payloads grow as bytes arrive instead of trusting the header.
        AppendEntriesRequest big = appendEntries(2, 3 << 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        writer.writeRequest(big);
        writer.flush();
        WireReader reader = new WireReader(new Trickle(out.toByteArray(), 100_000));
        assertThat(reader.readRequest()).contains(WireRequest.of(big));
    }

    @Test
    void aLyingLengthOnAStreamFailsAtTheEndOfInputWithoutReservingIt() {
        // Declares a 60 MiB Data (under the 64 MiB limit) but sends 5 bytes of it.
        String frame = "00" + "81" + Hex.str("Entries") + "91" + "81" + Hex.str("Data") + "db03c00000" + "0102030405";
        WireReader reader = new WireReader(new ByteArrayInputStream(Hex.bytes(frame)));
        assertThatThrownBy(reader::readRequest).isInstanceOf(CodecException.class)
                .hasMessageContaining("unexpected end of input");
    }

    @Test
    void bytesAsAnArrayOfIntsGrowWithTheStream() throws IOException {
        // 10000 elements arrive for a declared 10000: the array grows past its first chunk correctly.
        StringBuilder elements = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            elements.append(String.format("%02x", i & 0x7f));
        }
        String frame = "00" + "81" + Hex.str("Leader") + "dd00002710" + elements;
        WireReader reader = new WireReader(new Trickle(Hex.bytes(frame), 999));
        byte[] leader = ((AppendEntriesRequest) reader.readRequest().orElseThrow().message()).leader();
        assertThat(leader).hasSize(10_000);
        assertThat(leader[9_999]).isEqualTo((byte) (9_999 & 0x7f));

        // A declared 60 million elements with three sent fails at the end of input.
        WireReader liar = new WireReader(new ByteArrayInputStream(
                Hex.bytes("00" + "81" + Hex.str("Leader") + "dd03938700" + "010203")));
        assertThatThrownBy(liar::readRequest).isInstanceOf(CodecException.class)
                .hasMessageContaining("unexpected end of input");
    }

    @Test
    void writerRejectsMisplacedMessages() {
        WireWriter writer = new WireWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> writer.writeRequest(new TimeoutNowResponse(RpcHeader.V3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireResponse.of(new TimeoutNowRequest(RpcHeader.V3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.writeRequest(
                new InstallSnapshotRequest(RpcHeader.V3, 1, 1, null, 1, 1, null, null, 1, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative snapshot size");
    }

    @Test
    void installSnapshotResponseRoundTripsThroughTheStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WireWriter writer = new WireWriter(out);
        WireResponse response = WireResponse.of(new InstallSnapshotResponse(RpcHeader.ZERO, 9, true));
        writer.writeResponse(response);
        writer.flush();
        assertThat(new WireReader(new ByteArrayInputStream(out.toByteArray())).readResponse(RpcType.INSTALL_SNAPSHOT))
                .isEqualTo(response);
    }

    /** Hands out at most {@code chunk} bytes per read, as a slow socket would. */
    static final class Trickle extends FilterInputStream {
        private final int chunk;

        Trickle(byte[] bytes, int chunk) {
            super(new ByteArrayInputStream(bytes));
            this.chunk = chunk;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, chunk));
        }
    }
}
