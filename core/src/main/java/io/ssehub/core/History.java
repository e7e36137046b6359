package io.ssehub.core;

import java.util.concurrent.CompletableFuture;

/**
 * The recent events of each channel, bounded by count and age, for clients that resume with a last
 * event id.
 *
 * <p>Contract with live delivery: when a read's future completes, the broker has already handed its
 * listener every event of the channel that the read returns or counts as older, if it hands them at
 * all. The hub relies on it to switch from replay to live without a duplicate: a live event
 * arriving after the read completes is newer than everything the read saw (ARCHITECTURE.md
 * invariant 6).
 */
public interface History {

  /**
   * The id of the channel's newest event, or a marker for "before the first event" when the channel
   * has none yet. Either can be given to {@link #after} later. A stream that has not received an
   * event yet sends it to its client, so that a client that reconnects before its first event still
   * misses nothing.
   */
  CompletableFuture<String> lastId(String channel);

  /**
   * The channel's events after the one with {@code lastEventId}, oldest first. If history does not
   * hold that id (trimmed, expired, or never there), the replay is not {@linkplain
   * Replay#complete() complete} and holds every event history still has.
   */
  CompletableFuture<Replay> after(String channel, String lastEventId);
}
