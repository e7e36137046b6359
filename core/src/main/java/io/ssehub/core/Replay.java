package io.ssehub.core;

import java.util.List;

/**
 * What a channel's history holds after a given id.
 *
 * @param complete whether the id was found, so that {@code events} is everything the client missed;
 *     when false, the client may have missed events that history no longer holds
 * @param events the events after the id (or, when not complete, every retained event), oldest first
 */
public record Replay(boolean complete, List<SseEvent> events) {
  public Replay {
    events = List.copyOf(events);
  }
}
