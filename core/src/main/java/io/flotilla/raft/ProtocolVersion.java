package io.flotilla.raft;

/**
 * The Raft protocol versions Flotilla speaks and understands, as hashicorp/raft defines them:
 * 0 unversioned (deprecated peer entries only), 1 versioned, emits only RemovePeerDeprecated entries,
 * 2 transitional (emits Configuration entries, ids are addresses), 3 full server ids with
 * AddVoter/AddNonvoter/DemoteVoter/RemoveServer. A server accepts RPCs from versions within
 * [its own version - 1, {@link #MAX}].
 */
public final class ProtocolVersion {
    /** The oldest version understood on the wire. */
    public static final int MIN = 0;
    /** The newest version, and the default. */
    public static final int MAX = 3;

    private ProtocolVersion() {
    }
}
