package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.TimeoutNowRequest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding accepts exactly what go-msgpack 0.5.5 accepts into raft's structs (wire README §3), no more. */
class LeniencyTest {
    private static final String LEADER = Hex.str("127.0.0.1:7001");
    private static final byte[] LEADER_BYTES = "127.0.0.1:7001".getBytes(StandardCharsets.US_ASCII);

    private static String key(String name) {
        return Hex.str(name);
    }

    private static AppendEntriesRequest decodeAe(String hex) throws CodecException {
        return RpcCodec.decode(AppendEntriesRequest.class, Hex.bytes(hex));
    }

    @Nested
    class Keys {
        @Test
        void acceptsKeysInAnyOrder() throws CodecException {
            String reversed = "87" + key("Term") + "05" + key("ProtocolVersion") + "03" + key("PrevLogTerm") + "04"
                    + key("PrevLogEntry") + "0a" + key("LeaderCommitIndex") + "0a" + key("Leader") + LEADER
                    + key("Entries") + "90";
            assertThat(decodeAe(reversed))
                    .isEqualTo(new AppendEntriesRequest(RpcHeader.V3, 5, LEADER_BYTES, 10, 4, List.of(), 10));
        }

        @Test
        void goCheckKeysAnyOrderInt8ForUint64Bin8ForBytesFixint1ForBool() throws CodecException {
            // The exact combination vectors.json's checks verified against the Go decoder.
            String hex = "83" + key("Term") + "d005" + key("Leader") + "c4026162" + key("Success") + "01";
            assertThat(RpcCodec.decode(AppendEntriesResponse.class, Hex.bytes(hex)))
                    .isEqualTo(new AppendEntriesResponse(RpcHeader.ZERO, 5, 0, true, false));
        }

        @Test
        void skipsUnknownKeysWithValuesOfEveryType() throws CodecException {
            String unknowns = key("Fixint") + "7f" + key("Neg") + "e0" + key("Nil") + "c0" + key("Bool") + "c3"
                    + key("Float32") + "ca3f800000" + key("Float64") + "cb3ff0000000000000"
                    + key("U64") + "cfffffffffffffffff" + key("I16") + "d1ff00"
                    + key("Str8") + "d903616263" + key("Str16") + "da0001" + "78" + key("Bin8") + "c40201ff"
                    + key("Bin32") + "c60000000100" + key("Ext") + "d40102" + key("Ext8") + "c7020a0102"
                    + key("Nested") + "82" + key("a") + "92" + "81" + key("b") + "93c0c2c3" + "dc0000" + key("c") + "de0000"
                    + key("Array32") + "dd00000002" + "a178" + "90";
            String hex = "de0011" + key("Term") + "05" + unknowns; // 17 keys, none a TimeoutNowRequest field
            assertThat(RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes(hex)))
                    .isEqualTo(new TimeoutNowRequest(RpcHeader.ZERO));
        }

        @Test
        void skipsUnknownKeysInsideLogEntries() throws CodecException {
            String entry = "83" + key("Index") + "07" + key("AppendedAt") + Hex.str("0123456789abcde") + key("Type") + "04";
            AppendEntriesRequest decoded = decodeAe("81" + key("Entries") + "91" + entry);
            assertThat(decoded.entries()).containsExactly(new LogEntry(7, 0, LogType.BARRIER, null, null));
        }

        @Test
        void acceptsStr8AndStr16KeysAndTreatsNilKeyAsUnknown() throws CodecException {
            String hex = "83" + "d904" + Hex.of("Term".getBytes(StandardCharsets.US_ASCII)) + "05"
                    + "da000f" + Hex.of("ProtocolVersion".getBytes(StandardCharsets.US_ASCII)) + "02"
                    + "c0" + "c3";
            assertThat(RpcCodec.decode(AppendEntriesResponse.class, Hex.bytes(hex)))
                    .isEqualTo(new AppendEntriesResponse(new RpcHeader(2), 5, 0, false, false));
        }

        @Test
        void skipsKeysLongerThanAnyFieldName() throws CodecException {
            String longKey = Hex.str("X".repeat(100));
            assertThat(RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("82" + longKey + "01" + key("ProtocolVersion") + "03")))
                    .isEqualTo(new TimeoutNowRequest(RpcHeader.V3));
        }

        @Test
        void rejectsBinMapKeysBecauseGoDoes() {
            String hex = "81" + "c404" + Hex.of("Term".getBytes(StandardCharsets.US_ASCII)) + "05";
            assertThatThrownBy(() -> decodeAe(hex)).isInstanceOf(CodecException.class)
                    .hasMessageContaining("map key").hasMessageContaining("bin8");
        }

        @Test
        void rejectsNonStringMapKeys() {
            assertThatThrownBy(() -> decodeAe("81" + "01" + "05")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("AppendEntriesRequest map key");
        }

        @Test
        void laterDuplicateKeyWinsAsInGo() throws CodecException {
            assertThat(decodeAe("82" + key("Term") + "05" + key("Term") + "06").term()).isEqualTo(6);
        }
    }

    @Nested
    class MissingAndNil {
        @Test
        void missingKeysLeaveZeroValues() throws CodecException {
            assertThat(decodeAe("80")).isEqualTo(new AppendEntriesRequest(RpcHeader.ZERO, 0, null, 0, 0, null, 0));
            assertThat(decodeAe("81" + key("Term") + "09"))
                    .isEqualTo(new AppendEntriesRequest(RpcHeader.ZERO, 9, null, 0, 0, null, 0));
        }

        @Test
        void nilBodyIsTheZeroStruct() throws CodecException {
            assertThat(decodeAe("c0")).isEqualTo(new AppendEntriesRequest(RpcHeader.ZERO, 0, null, 0, 0, null, 0));
        }

        @Test
        void nilForScalarFieldsIsTheirZeroValue() throws CodecException {
            String hex = "85" + key("LastLog") + "c0" + key("NoRetryBackoff") + "c0" + key("ProtocolVersion") + "c0"
                    + key("Success") + "c0" + key("Term") + "c0";
            assertThat(RpcCodec.decode(AppendEntriesResponse.class, Hex.bytes(hex)))
                    .isEqualTo(new AppendEntriesResponse(RpcHeader.ZERO, 0, 0, false, false));
        }

        @Test
        void nilAndEmptyStayDistinctForBytesAndEntries() throws CodecException {
            AppendEntriesRequest nils = decodeAe("82" + key("Leader") + "c0" + key("Entries") + "c0");
            assertThat(nils.leader()).isNull();
            assertThat(nils.entries()).isNull();
            AppendEntriesRequest empties = decodeAe("82" + key("Leader") + "a0" + key("Entries") + "90");
            assertThat(empties.leader()).isEmpty();
            assertThat(empties.entries()).isEmpty();
            // and each re-encodes as it came, which Go itself cannot do for a0
            assertThat(Hex.of(RpcCodec.encode(empties))).contains(key("Leader") + "a0").contains(key("Entries") + "90");
            assertThat(Hex.of(RpcCodec.encode(nils))).contains(key("Leader") + "c0").contains(key("Entries") + "c0");
        }

        @Test
        void rejectsANilLogEntry() {
            assertThatThrownBy(() -> decodeAe("81" + key("Entries") + "92" + "80" + "c0"))
                    .isInstanceOf(CodecException.class).hasMessageContaining("Entries[1]").hasMessageContaining("nil");
        }

        @Test
        void nilErrorStringIsNoError() throws CodecException {
            WireResponse response = RpcCodec.decodeResponseFrame(RpcType.TIMEOUT_NOW, Hex.bytes("c0" + "80"));
            assertThat(response).isEqualTo(WireResponse.of(new io.flotilla.raft.TimeoutNowResponse(RpcHeader.ZERO)));
        }
    }

    @Nested
    class StructAsArray {
        @Test
        void acceptsStructsAsArraysInDeclarationOrder() throws CodecException {
            // AppendEntriesRequest: RPCHeader(ProtocolVersion), Term, Leader, PrevLogEntry, PrevLogTerm, Entries,
            // LeaderCommitIndex; Log: Index, Term, Type, Data, Extensions.
            String entry = "95" + "0b" + "05" + "00" + Hex.str("SET") + "c0";
            String hex = "97" + "03" + "05" + LEADER + "0a" + "04" + "91" + entry + "0a";
            assertThat(decodeAe(hex)).isEqualTo(new AppendEntriesRequest(RpcHeader.V3, 5, LEADER_BYTES, 10, 4,
                    List.of(new LogEntry(11, 5, LogType.COMMAND, "SET".getBytes(StandardCharsets.US_ASCII), null)), 10));
        }

        @Test
        void shorterArrayLeavesZerosAndLongerArrayIsSkipped() throws CodecException {
            assertThat(decodeAe("92" + "03" + "05"))
                    .isEqualTo(new AppendEntriesRequest(RpcHeader.V3, 5, null, 0, 0, null, 0));
            assertThat(RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("93" + "02" + "81a178c3" + "92c0c0")))
                    .isEqualTo(new TimeoutNowRequest(new RpcHeader(2)));
        }

        @Test
        void installSnapshotRequestAsArray() throws CodecException {
            // RPCHeader, SnapshotVersion, Term, Leader, LastLogIndex, LastLogTerm, Peers, Configuration,
            // ConfigurationIndex, Size
            String hex = "9a" + "03" + "01" + "05" + LEADER + "64" + "05" + Hex.str("p") + Hex.str("c") + "0c" + "0a";
            assertThat(RpcCodec.decode(InstallSnapshotRequest.class, Hex.bytes(hex)))
                    .isEqualTo(new InstallSnapshotRequest(RpcHeader.V3, 1, 5, LEADER_BYTES, 100, 5,
                            new byte[] {'p'}, new byte[] {'c'}, 12, 10));
        }

        @Test
        void requestVoteResponseAsArray() throws CodecException {
            // RPCHeader, Term, Peers, Granted
            assertThat(RpcCodec.decode(RequestVoteResponse.class, Hex.bytes("94" + "01" + "07" + "c0" + "c3")))
                    .isEqualTo(new RequestVoteResponse(new RpcHeader(1), 7, null, true));
        }
    }

    @Nested
    class Integers {
        @ParameterizedTest
        @ValueSource(strings = {"2a", "cc2a", "cd002a", "ce0000002a", "cf000000000000002a", "d02a", "d1002a",
                "d20000002a", "d3000000000000002a"})
        void acceptsEveryIntegerWidthForUnsignedFields(String encoded42) throws CodecException {
            assertThat(decodeAe("81" + key("Term") + encoded42).term()).isEqualTo(42);
        }

        @Test
        void coversTheFullUnsignedRange() throws CodecException {
            AppendEntriesRequest decoded = decodeAe("81" + key("Term") + "cfffffffffffffffff");
            assertThat(decoded.term()).isEqualTo(-1L); // 2^64-1 as unsigned bits
            assertThat(Hex.of(RpcCodec.encode(decoded))).contains(key("Term") + "cfffffffffffffffff");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ff", "e0", "d0ff", "d1ffff", "d2ffffffff", "d3ffffffffffffffff"})
        void rejectsNegativeValuesForUnsignedFields(String negative) {
            assertThatThrownBy(() -> decodeAe("81" + key("Term") + negative)).isInstanceOf(CodecException.class)
                    .hasMessageContaining("AppendEntriesRequest.Term").hasMessageContaining("negative");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ca00000000", "cb0000000000000000", "a15a", "c3", "90", "80"})
        void rejectsNonIntegersForIntegerFields(String value) {
            assertThatThrownBy(() -> decodeAe("81" + key("Term") + value)).isInstanceOf(CodecException.class)
                    .hasMessageContaining("expected an integer");
        }

        @Test
        void logTypeMustBeAKnownUint8() {
            String entryWithType = "81" + key("Entries") + "91" + "81" + key("Type");
            assertThatThrownBy(() -> decodeAe(entryWithType + "06")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("Log.Type").hasMessageContaining("unknown log type 6");
            assertThatThrownBy(() -> decodeAe(entryWithType + "cd0100")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("overflows uint8");
        }

        @Test
        void signedIntFieldsTakeNegativesButMustFitAJavaInt() throws CodecException {
            // Go's ProtocolVersion is an int; raft, not the codec, rejects versions outside 0..3.
            assertThat(RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("81" + key("ProtocolVersion") + "ff")))
                    .isEqualTo(new TimeoutNowRequest(new RpcHeader(-1)));
            assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class,
                    Hex.bytes("81" + key("ProtocolVersion") + "cf0000000100000000")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("out of range");
        }

        @Test
        void snapshotSizeMustBeANonNegativeInt64() throws CodecException {
            assertThat(RpcCodec.decode(InstallSnapshotRequest.class,
                    Hex.bytes("81" + key("Size") + "cf7fffffffffffffff")).size()).isEqualTo(Long.MAX_VALUE);
            assertThatThrownBy(() -> RpcCodec.decode(InstallSnapshotRequest.class, Hex.bytes("81" + key("Size") + "ff")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("negative snapshot size");
            assertThatThrownBy(() -> RpcCodec.decode(InstallSnapshotRequest.class,
                    Hex.bytes("81" + key("Size") + "cf8000000000000000")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("overflows int64");
        }
    }

    @Nested
    class Bools {
        @Test
        void acceptsBoolsAndFixintZeroOrOne() throws CodecException {
            for (String[] c : new String[][] {{"c3", "true"}, {"c2", "false"}, {"01", "true"}, {"00", "false"}}) {
                RequestVoteRequest decoded = RpcCodec.decode(RequestVoteRequest.class,
                        Hex.bytes("81" + key("LeadershipTransfer") + c[0]));
                assertThat(decoded.leadershipTransfer()).as(c[0]).isEqualTo(Boolean.parseBoolean(c[1]));
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"02", "cc01", "ff", "a0"})
        void rejectsOtherValuesForBools(String value) {
            assertThatThrownBy(() -> RpcCodec.decode(RequestVoteRequest.class,
                    Hex.bytes("81" + key("LeadershipTransfer") + value)))
                    .isInstanceOf(CodecException.class).hasMessageContaining("expected a bool");
        }
    }

    @Nested
    class BytesAndStrings {
        @ParameterizedTest
        @ValueSource(strings = {"a3616263", "d903616263", "da0003616263", "db00000003616263", "c403616263",
                "c50003616263", "c600000003616263", "93616263", "dc0003616263", "dd00000003cc61d062cd0063"})
        void byteFieldsTakeStrBinOrAnArrayOfSmallInts(String abc) throws CodecException {
            assertThat(decodeAe("81" + key("Leader") + abc).leader()).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
        }

        @Test
        void zeroLengthStrOrBinIsAnEmptyArrayNotNull() throws CodecException {
            for (String empty : new String[] {"a0", "d900", "da0000", "c400", "c600000000", "90"}) {
                assertThat(decodeAe("81" + key("Leader") + empty).leader()).as(empty).isNotNull().isEmpty();
            }
        }

        @Test
        void arrayElementsForBytesMustBeBytes() {
            assertThatThrownBy(() -> decodeAe("81" + key("Leader") + "91cd0100"))
                    .isInstanceOf(CodecException.class).hasMessageContaining("overflows uint8");
        }

        @Test
        void errorStringTakesStrFamilyIncludingStr8ButNotBin() throws CodecException {
            WireResponse str8 = RpcCodec.decodeResponseFrame(RpcType.TIMEOUT_NOW, Hex.bytes("d9026f6b" + "c0"));
            assertThat(str8).isEqualTo(WireResponse.error("ok"));
            assertThatThrownBy(() -> RpcCodec.decodeResponseFrame(RpcType.TIMEOUT_NOW, Hex.bytes("c4026f6b" + "c0")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("error string")
                    .hasMessageContaining("bin is not accepted");
        }

        @Test
        void rejectsOtherTypesForBytes() {
            assertThatThrownBy(() -> decodeAe("81" + key("Leader") + "05")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("AppendEntriesRequest.Leader").hasMessageContaining("positive fixint");
        }
    }

    @Nested
    class Structure {
        @Test
        void rejectsANonStructBody() {
            assertThatThrownBy(() -> decodeAe("05")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("expected a map or array");
        }

        @Test
        void rejectsEntriesThatAreNotAnArray() {
            assertThatThrownBy(() -> decodeAe("81" + key("Entries") + "80")).isInstanceOf(CodecException.class)
                    .hasMessageContaining("AppendEntriesRequest.Entries");
        }

        @Test
        void rejectsTrailingBytesInAByteArrayMessage() {
            assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("80" + "00")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("1 trailing bytes at offset 1");
        }

        @Test
        void rejectsTheNeverUsedFormatByte() {
            assertThatThrownBy(() -> RpcCodec.decode(TimeoutNowRequest.class, Hex.bytes("81" + key("X") + "c1")))
                    .isInstanceOf(CodecException.class).hasMessageContaining("never-used");
        }

        @ParameterizedTest
        @ValueSource(ints = {4, 5, 0x7f, 0x80, 0xff})
        void rejectsUnknownRpcTypes(int type) {
            byte[] frame = {(byte) type, (byte) 0x80};
            assertThatThrownBy(() -> RpcCodec.decodeRequestFrame(frame)).isInstanceOf(CodecException.class)
                    .hasMessage("unknown rpc type " + type);
        }
    }
}
