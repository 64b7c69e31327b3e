package io.flotilla.raft.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The exported fields of one Go struct as go-msgpack sees them: their names (the map keys), their
 * declaration order (the order of a struct sent as an array, embedded {@code RPCHeader} flattened first),
 * and their keys pre-encoded as fixstr so encoding a key is one copy.
 */
final class StructSchema {
    private final String name;
    private final byte[][] names;
    private final byte[][] encodedKeys;
    private final String[] qualifiedNames;

    /** A struct with these fields, listed in Go declaration order. */
    StructSchema(String name, String... fieldsInDeclarationOrder) {
        this.name = name;
        int n = fieldsInDeclarationOrder.length;
        names = new byte[n][];
        encodedKeys = new byte[n][];
        qualifiedNames = new String[n];
        for (int i = 0; i < n; i++) {
            byte[] field = fieldsInDeclarationOrder[i].getBytes(StandardCharsets.UTF_8);
            if (field.length >= 32 || field.length > GoMsgpackReader.MAX_KEY_LENGTH) {
                throw new IllegalArgumentException("field name too long for a fixstr key: " + fieldsInDeclarationOrder[i]);
            }
            names[i] = field;
            encodedKeys[i] = new byte[field.length + 1];
            encodedKeys[i][0] = (byte) (0xa0 | field.length);
            System.arraycopy(field, 0, encodedKeys[i], 1, field.length);
            qualifiedNames[i] = name + "." + fieldsInDeclarationOrder[i];
        }
    }

    /** The Go struct name. */
    String name() {
        return name;
    }

    /** How many fields. */
    int size() {
        return names.length;
    }

    /** The field whose name is {@code key[0..length)}, or -1 when the struct has no such field. */
    int indexOf(byte[] key, int length) {
        for (int i = 0; i < names.length; i++) {
            byte[] candidate = names[i];
            if (candidate.length == length && Arrays.equals(candidate, 0, length, key, 0, length)) {
                return i;
            }
        }
        return -1;
    }

    /** The field at a position of the struct sent as an array, or -1 past the last field (skipped, as in Go). */
    int fieldAtPosition(int position) {
        return position < names.length ? position : -1;
    }

    /** {@code Struct.Field}, for error messages. */
    String field(int index) {
        return qualifiedNames[index];
    }

    /** The field's name as a complete msgpack fixstr. */
    byte[] encodedKey(int index) {
        return encodedKeys[index];
    }
}
