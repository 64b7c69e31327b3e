package io.flotilla.raft.codec;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes msgpack exactly as go-msgpack 0.5.5 with a zero {@code MsgpackHandle} does: strings and byte slices
 * both as fixstr/str16/str32 (never str8, never bin), nil slices as {@code c0}, integers in their shortest
 * form (unsigned forms for non-negative values).
 */
final class GoMsgpackWriter {
    private static final MessagePack.PackerConfig CONFIG = new MessagePack.PackerConfig().withStr8FormatSupport(false);

    private final MessagePacker packer;

    private GoMsgpackWriter(MessagePacker packer) {
        this.packer = packer;
    }

    /** A writer onto a stream; it buffers, so {@link #flush()} once per message. */
    static GoMsgpackWriter to(OutputStream out) {
        return new GoMsgpackWriter(CONFIG.newPacker(out));
    }

    /** A writer into memory; take the bytes with {@link #toByteArray()}. */
    static GoMsgpackWriter inMemory() {
        return new GoMsgpackWriter(CONFIG.newBufferPacker());
    }

    /** The bytes written so far by an {@link #inMemory()} writer. */
    byte[] toByteArray() {
        return ((MessageBufferPacker) packer).toByteArray();
    }

    void mapHeader(int size) throws IOException {
        packer.packMapHeader(size);
    }

    void arrayHeader(int size) throws IOException {
        packer.packArrayHeader(size);
    }

    void key(StructSchema schema, int field) throws IOException {
        packer.writePayload(schema.encodedKey(field));
    }

    void nil() throws IOException {
        packer.packNil();
    }

    /** A Go {@code uint64}: {@code value}'s bits read as unsigned. */
    void uint64(long value) throws IOException {
        if (value >= 0) {
            packer.packLong(value);
        } else {
            // packLong would write these as negative int64; Go writes uint64 0xcf.
            byte[] b = new byte[9];
            b[0] = (byte) 0xcf;
            for (int i = 8; i >= 1; i--) {
                b[i] = (byte) value;
                value >>>= 8;
            }
            packer.writePayload(b);
        }
    }

    /** A Go signed integer. */
    void int64(long value) throws IOException {
        packer.packLong(value);
    }

    void bool(boolean value) throws IOException {
        packer.packBoolean(value);
    }

    /** A Go {@code []byte}: {@code null} is nil. */
    void bytes(byte[] value) throws IOException {
        if (value == null) {
            packer.packNil();
        } else {
            packer.packRawStringHeader(value.length);
            packer.writePayload(value);
        }
    }

    /** A Go {@code string}, as its UTF-8 bytes. */
    void string(String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        packer.packRawStringHeader(utf8.length);
        packer.writePayload(utf8);
    }

    /** Bytes outside msgpack: the RPC type byte and InstallSnapshot data. */
    void raw(byte[] bytes, int offset, int length) throws IOException {
        packer.writePayload(bytes, offset, length);
    }

    void flush() throws IOException {
        packer.flush();
    }
}
