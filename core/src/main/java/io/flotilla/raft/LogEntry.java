package io.flotilla.raft;

import io.flotilla.raft.internal.Bytes;

import java.util.Objects;

/**
 * One entry of the replicated log: its position ({@code index}, {@code term}), its {@link LogType}, the
 * opaque {@code data} and the opaque {@code extensions} bytes that middleware may attach.
 *
 * <p>Byte arrays are copied on the way in and on the way out. {@code null} means absent (Go's nil, msgpack
 * {@code nil} on the wire) and is kept distinct from an empty array.
 *
 * @param index      position in the log, starting at 1 (unsigned)
 * @param term       the leader's term when the entry was created (unsigned)
 * @param type       what the entry is
 * @param data       the payload, or {@code null} when absent
 * @param extensions opaque middleware bytes replicated with the entry, or {@code null} when absent
 */
public record LogEntry(long index, long term, LogType type, byte[] data, byte[] extensions) {

    /** Copies the arrays so the entry cannot change after construction. */
    public LogEntry {
        Objects.requireNonNull(type, "type");
        data = Bytes.copy(data);
        extensions = Bytes.copy(extensions);
    }

    /** An entry without extensions. */
    public LogEntry(long index, long term, LogType type, byte[] data) {
        this(index, term, type, data, null);
    }

    /** A copy of the payload, or {@code null} when absent. */
    @Override
    public byte[] data() {
        return Bytes.copy(data);
    }

    /** A copy of the extensions, or {@code null} when absent. */
    @Override
    public byte[] extensions() {
        return Bytes.copy(extensions);
    }

    /** The payload length; 0 when absent. */
    public int dataLength() {
        return data == null ? 0 : data.length;
    }

    /** This entry placed at another index and term (used when a leader assigns positions). */
    public LogEntry at(long newIndex, long newTerm) {
        return new LogEntry(newIndex, newTerm, type, data, extensions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e
                && index == e.index && term == e.term && type == e.type
                && Bytes.equal(data, e.data) && Bytes.equal(extensions, e.extensions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, type, Bytes.hash(data), Bytes.hash(extensions));
    }

    @Override
    public String toString() {
        return "LogEntry[index=" + Long.toUnsignedString(index) + ", term=" + Long.toUnsignedString(term)
                + ", type=" + type + ", data=" + Bytes.describe(data) + ", extensions=" + Bytes.describe(extensions) + "]";
    }
}
