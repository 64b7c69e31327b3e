package io.flotilla.bench;

import io.flotilla.raft.AppendEntriesRequest;
import io.flotilla.raft.AppendEntriesResponse;
import io.flotilla.raft.LogEntry;
import io.flotilla.raft.LogType;
import io.flotilla.raft.PeerCodec;
import io.flotilla.raft.RpcHeader;
import io.flotilla.raft.ServerAddress;
import io.flotilla.raft.ServerId;
import io.flotilla.raft.codec.CodecException;
import io.flotilla.raft.codec.RpcCodec;
import io.flotilla.raft.codec.RpcType;
import io.flotilla.raft.codec.WireReader;
import io.flotilla.raft.codec.WireRequest;
import io.flotilla.raft.codec.WireResponse;
import io.flotilla.raft.codec.WireWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The network codec on the replication hot path: an AppendEntries request carrying 64 entries (hashicorp's default
 * {@code MaxAppendEntries}) of {@code payload} bytes each, encoded and decoded as byte arrays ({@link RpcCodec}) and
 * as a connection streams them ({@link WireWriter}/{@link WireReader}, one of each per trial as a transport keeps one
 * per connection), and the AppendEntries response. One operation is one message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    /** Entries per AppendEntries. */
    @Param({"64"})
    public int entries;

    /** Bytes of data per entry. */
    @Param({"100", "1024"})
    public int payload;

    AppendEntriesRequest request;
    byte[] requestFrame;
    AppendEntriesResponse response;
    byte[] responseFrame;
    WireWriter writer;
    WireReader requestReader;
    WireReader responseReader;

    /** Builds the messages, their encodings, and the writer and readers over endless streams. */
    @Setup(Level.Trial)
    public void setup() {
        byte[] leader = PeerCodec.ADDRESS.encodePeer(ServerId.of("node0"), ServerAddress.of("127.0.0.1:7001"));
        List<LogEntry> list = new ArrayList<>(entries);
        long first = 1_000_001;
        for (int i = 0; i < entries; i++) {
            list.add(new LogEntry(first + i, 7, LogType.COMMAND, BenchPayload.entry(i, payload)));
        }
        request = new AppendEntriesRequest(RpcHeader.V3, 7, leader, first - 1, 7, list, first - 2);
        requestFrame = RpcCodec.encodeRequestFrame(request);
        response = new AppendEntriesResponse(RpcHeader.V3, 7, first + entries - 1, true, false);
        responseFrame = RpcCodec.encodeResponseFrame(WireResponse.of(response));
        writer = new WireWriter(OutputStream.nullOutputStream());
        requestReader = new WireReader(new Replay(requestFrame));
        responseReader = new WireReader(new Replay(responseFrame));
    }

    /** The request as a byte array: type byte and msgpack body. */
    @Benchmark
    public byte[] encodeRequest() {
        return RpcCodec.encodeRequestFrame(request);
    }

    /** Back from a byte array. */
    @Benchmark
    public WireRequest decodeRequest() throws CodecException {
        return RpcCodec.decodeRequestFrame(requestFrame);
    }

    /** Written and flushed onto a connection (that discards the bytes), as the sending side of a pipeline does. */
    @Benchmark
    public void writeRequest() throws IOException {
        writer.writeRequest(request);
        writer.flush();
    }

    /** Read from a connection that delivers the same frame again and again, as a follower's server side does. */
    @Benchmark
    public Optional<WireRequest> readRequest() throws IOException {
        return requestReader.readRequest();
    }

    /** The follower's answer, written and flushed. */
    @Benchmark
    public void writeResponse() throws IOException {
        writer.writeResponse(response);
        writer.flush();
    }

    /** The follower's answer, read by the leader's pipeline. */
    @Benchmark
    public WireResponse readResponse() throws IOException {
        return responseReader.readResponse(RpcType.APPEND_ENTRIES);
    }

    /** An endless stream repeating one frame, so a reader can be kept for a whole trial. */
    static final class Replay extends InputStream {
        private final byte[] frame;
        private int pos;

        Replay(byte[] frame) {
            this.frame = frame.clone();
        }

        @Override
        public int read() {
            int b = frame[pos] & 0xff;
            pos = (pos + 1) % frame.length;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len) {
                int chunk = Math.min(len - n, frame.length - pos);
                System.arraycopy(frame, pos, b, off + n, chunk);
                n += chunk;
                pos = (pos + chunk) % frame.length;
            }
            return n;
        }
    }
}
