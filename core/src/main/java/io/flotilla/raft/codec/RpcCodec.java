package io.flotilla.raft.codec;

import io.flotilla.raft.RpcMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Single RPC messages and frames as byte arrays, for tests, tools and any caller that already holds the
 * bytes; a transport reading a connection uses {@link WireReader}/{@link WireWriter} instead.
 *
 * <p>A decoded array must hold exactly one message (or frame): trailing bytes are rejected. A request frame
 * here is the type byte and the msgpack request only; InstallSnapshot data is never part of it.
 */
public final class RpcCodec {
    private RpcCodec() {
    }

    /** The msgpack encoding of a message, exactly as hashicorp/raft 1.1.2 writes it. */
    public static byte[] encode(RpcMessage message) {
        Objects.requireNonNull(message, "message");
        return inMemory(w -> MessageEncoder.encode(w, message));
    }

    /** Decodes a msgpack message of the given class, with the default limits. */
    public static <T extends RpcMessage> T decode(Class<T> type, byte[] body) throws CodecException {
        return decode(type, body, CodecLimits.DEFAULT);
    }

    /** Decodes a msgpack message of the given class. */
    public static <T extends RpcMessage> T decode(Class<T> type, byte[] body, CodecLimits limits)
            throws CodecException {
        RpcType rpc = rpcOf(type);
        boolean request = rpc.requestType() == type;
        return decodeWhole(type.getSimpleName(), body, limits, r -> type.cast(
                request ? MessageDecoder.request(rpc, r) : MessageDecoder.response(rpc, r)));
    }

    /** A request frame: the type byte, then the msgpack request. */
    public static byte[] encodeRequestFrame(RpcMessage request) {
        return inMemory(w -> MessageEncoder.requestFrame(w, request));
    }

    /** Decodes a request frame, with the default limits. */
    public static WireRequest decodeRequestFrame(byte[] frame) throws CodecException {
        return decodeRequestFrame(frame, CodecLimits.DEFAULT);
    }

    /** Decodes a request frame. */
    public static WireRequest decodeRequestFrame(byte[] frame, CodecLimits limits) throws CodecException {
        return decodeWhole("request frame", frame, limits, r -> {
            RpcType type = RpcType.fromCode(r.source().readUnsignedByte());
            return new WireRequest(type, MessageDecoder.request(type, r));
        });
    }

    /** A response frame: the error string, then the msgpack response or nil. */
    public static byte[] encodeResponseFrame(WireResponse response) {
        Objects.requireNonNull(response, "response");
        return inMemory(w -> MessageEncoder.responseFrame(w, response));
    }

    /** Decodes a response frame answering a request of {@code type}, with the default limits. */
    public static WireResponse decodeResponseFrame(RpcType type, byte[] frame) throws CodecException {
        return decodeResponseFrame(type, frame, CodecLimits.DEFAULT);
    }

    /** Decodes a response frame answering a request of {@code type}. */
    public static WireResponse decodeResponseFrame(RpcType type, byte[] frame, CodecLimits limits)
            throws CodecException {
        Objects.requireNonNull(type, "type");
        return decodeWhole(type + " response frame", frame, limits, r -> {
            String error = r.readString("error string");
            if (r.tryReadNil()) {
                return WireResponse.error(error);
            }
            return new WireResponse(error, Optional.of(MessageDecoder.response(type, r)));
        });
    }

    private static RpcType rpcOf(Class<? extends RpcMessage> type) {
        for (RpcType rpc : RpcType.values()) {
            if (rpc.requestType() == type || rpc.responseType() == type) {
                return rpc;
            }
        }
        throw new IllegalArgumentException("not an RPC message class: " + type);
    }

    @FunctionalInterface
    private interface Body<T> {
        T read(GoMsgpackReader reader) throws IOException;
    }

    @FunctionalInterface
    private interface Writing {
        void write(GoMsgpackWriter writer) throws IOException;
    }

    private static <T> T decodeWhole(String what, byte[] bytes, CodecLimits limits, Body<T> body)
            throws CodecException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(limits, "limits");
        ByteSource source = ByteSource.of(bytes, 0, bytes.length);
        GoMsgpackReader reader = new GoMsgpackReader(source, limits);
        try {
            return DecodeGuard.run(what, () -> {
                T value = body.read(reader);
                if (source.knownRemaining() > 0) {
                    throw new CodecException(what + ": " + source.knownRemaining() + " trailing bytes at offset "
                            + source.offset());
                }
                return value;
            });
        } catch (CodecException e) {
            throw e;
        } catch (IOException e) {
            throw new CodecException(what + ": " + e.getMessage(), e); // arrays do no I/O
        }
    }

    private static byte[] inMemory(Writing writing) {
        GoMsgpackWriter w = GoMsgpackWriter.inMemory();
        try {
            writing.write(w);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return w.toByteArray();
    }
}
