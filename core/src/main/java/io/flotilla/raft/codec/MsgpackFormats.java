package io.flotilla.raft.codec;

/** Names msgpack format bytes for error messages, so a rejected frame says what it contained. */
final class MsgpackFormats {
    private MsgpackFormats() {
    }

    /** For example {@code bin8 (0xc4)} or {@code fixmap (0x85)}. */
    static String describe(int b) {
        return name(b) + String.format(" (0x%02x)", b);
    }

    private static String name(int b) {
        if (b <= 0x7f) {
            return "positive fixint";
        }
        if (b <= 0x8f) {
            return "fixmap";
        }
        if (b <= 0x9f) {
            return "fixarray";
        }
        if (b <= 0xbf) {
            return "fixstr";
        }
        if (b >= 0xe0) {
            return "negative fixint";
        }
        switch (b) {
            case 0xc0: return "nil";
            case 0xc1: return "never-used byte";
            case 0xc2: return "false";
            case 0xc3: return "true";
            case 0xc4: return "bin8";
            case 0xc5: return "bin16";
            case 0xc6: return "bin32";
            case 0xc7: return "ext8";
            case 0xc8: return "ext16";
            case 0xc9: return "ext32";
            case 0xca: return "float32";
            case 0xcb: return "float64";
            case 0xcc: return "uint8";
            case 0xcd: return "uint16";
            case 0xce: return "uint32";
            case 0xcf: return "uint64";
            case 0xd0: return "int8";
            case 0xd1: return "int16";
            case 0xd2: return "int32";
            case 0xd3: return "int64";
            case 0xd4: return "fixext1";
            case 0xd5: return "fixext2";
            case 0xd6: return "fixext4";
            case 0xd7: return "fixext8";
            case 0xd8: return "fixext16";
            case 0xd9: return "str8";
            case 0xda: return "str16";
            case 0xdb: return "str32";
            case 0xdc: return "array16";
            case 0xdd: return "array32";
            case 0xde: return "map16";
            default: return "map32";
        }
    }
}
