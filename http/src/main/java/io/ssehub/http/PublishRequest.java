package io.ssehub.http;

import io.ssehub.core.SseEvent;
import java.util.Objects;

/**
 * A parsed {@code POST /publish}: where to and what. Hand it to {@code hub.publishAs(principal,
 * remoteAddress, channel(), event())}, whose channel check and authorization come next.
 *
 * @param channel the channel as the client named it (checked by the hub)
 * @param event the event, valid as an {@link SseEvent}
 */
public record PublishRequest(String channel, SseEvent event) {
  public PublishRequest {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(event, "event");
  }
}
