package io.flotilla.raft;

/**
 * The outcome of an applied command (hashicorp's {@code ApplyFuture}): where it landed in the log and what
 * the FSM returned for it.
 *
 * @param index    the entry's log index
 * @param response what {@link Fsm#apply} returned (may be {@code null})
 */
public record ApplyResult(long index, Object response) {
}
