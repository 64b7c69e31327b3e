package io.flotilla.raft.codec;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.InstallSnapshotRequest;
import io.flotilla.raft.InstallSnapshotResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.RequestVoteRequest;
import io.flotilla.raft.RequestVoteResponse;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.RpcMessage;
import io.flotilla.raft.TimeoutNowRequest;
import io.flotilla.raft.TimeoutNowResponse;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.List;

/** jqwik generators of RPC messages over the full range of every field, nil and empty included. */
final class Messages {
    private Messages() {
    }

    /** Any uint64 (as its bits), with the edge cases 0, 2^63-1, 2^63 and 2^64-1 likely. */
    static Arbitrary<Long> uint64() {
        return Arbitraries.longs();
    }

    /** Null (Go nil), empty, short, or long enough to need str16. */
    static Arbitrary<byte[]> bytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.bytes().array(byte[].class).ofMinSize(200).ofMaxSize(70_000).withSizeDistribution(
                        net.jqwik.api.RandomDistribution.uniform()))
                .injectNull(0.25);
    }

    static Arbitrary<RpcHeader> header() {
        return Arbitraries.integers().map(RpcHeader::new);
    }

    static Arbitrary<LogEntry> logEntry() {
        return Combinators.combine(uint64(), uint64(), Arbitraries.of(LogType.class), bytes(), bytes())
                .as(LogEntry::new);
    }

    static Arbitrary<List<LogEntry>> entries() {
        return logEntry().list().ofMaxSize(12).injectNull(0.25);
    }

    static Arbitrary<AppendEntriesRequest> appendEntriesRequest() {
        return Combinators.combine(header(), uint64(), bytes(), uint64(), uint64(), entries(), uint64())
                .as(AppendEntriesRequest::new);
    }

    static Arbitrary<InstallSnapshotRequest> installSnapshotRequest(Arbitrary<Long> size) {
        return Combinators.combine(
                Combinators.combine(header(), Arbitraries.integers(), uint64(), bytes(), uint64()).as(Tuple::of),
                uint64(), bytes(), bytes(), uint64(), size)
                .as((t, lastLogTerm, peers, configuration, configurationIndex, s) -> new InstallSnapshotRequest(
                        t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), lastLogTerm, peers, configuration,
                        configurationIndex, s));
    }

    /** Every request type; InstallSnapshot sizes drawn from {@code size}. */
    static Arbitrary<RpcMessage> requests(Arbitrary<Long> size) {
        return Arbitraries.oneOf(
                appendEntriesRequest(),
                Combinators.combine(header(), uint64(), bytes(), uint64(), uint64(), Arbitraries.of(true, false))
                        .as(RequestVoteRequest::new),
                installSnapshotRequest(size),
                header().map(TimeoutNowRequest::new));
    }

    static Arbitrary<RpcMessage> responses() {
        return Arbitraries.oneOf(
                Combinators.combine(header(), uint64(), uint64(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as(AppendEntriesResponse::new),
                Combinators.combine(header(), uint64(), bytes(), Arbitraries.of(true, false))
                        .as(RequestVoteResponse::new),
                Combinators.combine(header(), uint64(), Arbitraries.of(true, false)).as(InstallSnapshotResponse::new),
                header().map(TimeoutNowResponse::new));
    }

    /** Every message of every kind. */
    static Arbitrary<RpcMessage> messages() {
        return Arbitraries.oneOf(requests(Arbitraries.longs().greaterOrEqual(0)), responses());
    }

    /** Text that survives UTF-8 (no unpaired surrogates), from ASCII to the rest of the BMP, empty included. */
    static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(40),
                Arbitraries.strings().alpha().ofMinLength(32).ofMaxLength(300));
    }
}
