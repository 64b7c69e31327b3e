package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.TimeoutNowRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Declared sizes are checked before anything is allocated for them. */
class LimitsTest {
    private static final CodecLimits SMALL = new CodecLimits(16, 4, 8, 3, 200);
    private static final CodecLimits SMALL_BUT_ROOMY = new CodecLimits(16, 4, 8, 3, 1 << 20);

    private static String entriesWithData(String dataHeader) {
        return "81" + Hex.str("Entries") + "91" + "81" + Hex.str("Data") + dataHeader;
    }

    @Test
    void defaultsAreSane() {
        assertThat(CodecLimits.DEFAULT.maxByteStringLength()).isEqualTo(64 << 20);
        assertThat(CodecLimits.DEFAULT.maxEntries()).isEqualTo(1 << 16);
        assertThat(CodecLimits.DEFAULT.maxNestingDepth()).isEqualTo(32);
        assertThatThrownBy(() -> new CodecLimits(0, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CodecLimits(1, 1, 1, 100_000, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byteStringOverTheLimitIsRejectedBeforeReading() {
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(entriesWithData("dbffffffff"))))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("Log.Data: declared length 4294967295 exceeds the limit 67108864");
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(entriesWithData("c6ffffffff"))))
                .isInstanceOf(CodecException.class).hasMessageContaining("exceeds the limit");
    }

    @Test
    void byteStringLongerThanTheRemainingArrayIsRejectedBeforeAllocating() {
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(entriesWithData("db03c00000"))))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("declares 62914560 bytes but only 0 remain");
    }

    @Test
    void entriesOverTheLimitAreRejected() {
        String hex = "81" + Hex.str("Entries") + "ddffffffff";
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(hex)))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("AppendEntriesRequest.Entries: declared 4294967295 elements, over the limit 65536");
        String many = "81" + Hex.str("Entries") + "dc1000";
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(many)))
                .isInstanceOf(CodecException.class).hasMessageContaining("remain");
    }

    @Test
    void customLimitsApply() throws CodecException {
        List<LogEntry> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(new LogEntry(i, 1, LogType.NOOP, null));
        }
        byte[] tooMany = RpcCodec.encode(new AppendEntriesRequest(RpcHeader.V3, 1, null, 0, 0, five, 0));
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, tooMany, SMALL_BUT_ROOMY))
                .isInstanceOf(CodecException.class).hasMessageContaining("over the limit 4");

        byte[] fourOk = RpcCodec.encode(new AppendEntriesRequest(RpcHeader.V3, 1, null, 0, 0, five.subList(0, 4), 0));
        assertThat(RpcCodec.decode(AppendEntriesRequest.class, fourOk, SMALL_BUT_ROOMY).entries()).hasSize(4);

        byte[] longLeader = RpcCodec.encode(new AppendEntriesRequest(RpcHeader.V3, 1, new byte[17], 0, 0, null, 0));
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, longLeader, SMALL_BUT_ROOMY))
                .isInstanceOf(CodecException.class).hasMessageContaining("exceeds the limit 16");
    }

    @Test
    void messageSizeLimitApplies() {
        List<LogEntry> entries = List.of(new LogEntry(1, 1, LogType.COMMAND, new byte[15]),
                new LogEntry(2, 1, LogType.COMMAND, new byte[15]), new LogEntry(3, 1, LogType.COMMAND, new byte[15]));
        byte[] body = RpcCodec.encode(new AppendEntriesRequest(RpcHeader.V3, 1, null, 0, 0, entries, 0));
        assertThat(body.length).isGreaterThan(200);
        assertThatThrownBy(() -> RpcCodec.decode(AppendEntriesRequest.class, body, SMALL))
                .isInstanceOf(CodecException.class).hasMessageContaining("limit of 200 bytes");
    }

    @Test
    void unknownContainersAreCappedAndDepthLimited() {
        assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class,
                Hex.bytes("81" + Hex.str("X") + "dc0009" + "00".repeat(9)), SMALL))
                .isInstanceOf(CodecException.class).hasMessageContaining("over the limit 8");
        String nested = "81" + Hex.str("X") + "91".repeat(5) + "c0";
        assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes(nested), SMALL))
                .isInstanceOf(CodecException.class).hasMessageContaining("nested deeper than 3");

        // With the defaults, a deep nest fails cleanly instead of overflowing the stack.
        String deep = "81" + Hex.str("X") + "91".repeat(100_000) + "c0";
        assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes(deep)))
                .isInstanceOf(CodecException.class).hasMessageContaining("nested deeper than 32");
    }

    @Test
    void structMapHeaderOverTheLimitIsRejected() {
        assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("dfffffffff")))
                .isInstanceOf(CodecException.class).hasMessageContaining("over the limit 65536");
    }

    @Test
    void streamsHonourLimitsToo() {
        byte[] frame = Hex.bytes("00" + entriesWithData("dbffffffff"));
        WireReader reader = new WireReader(new ByteArrayInputStream(frame));
        assertThatThrownBy(reader::readRequest).isInstanceOf(CodecException.class).hasMessageContaining("exceeds the limit")
                .hasMessageContaining("offset");
    }
}
