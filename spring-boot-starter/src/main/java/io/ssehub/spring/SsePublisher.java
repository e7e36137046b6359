package io.ssehub.spring;

import io.ssehub.core.ChannelNames;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes events from the application, as flask-sse's {@code sse.publish(data, type=None,
 * channel="sse")}: data that is not a {@code String} is sent as JSON ({@link SseDataWriter}), the
 * channel is {@value ChannelNames#DEFAULT_CHANNEL} unless named.
 *
 * <pre>{@code
 * publisher.publish("news", "greeting", Map.of("message", "Hello!"));
 * }</pre>
 *
 * <p>The application itself is not asked by the {@code Authorizer}. Each call completes with the
 * event as stored (with its id) once it is in history and on its way to subscribers, or fails
 * ({@code BrokerUnavailableException}); nothing blocks. Thread-safe.
 */
public final class SsePublisher {
  private final SseHub hub;
  private final SseDataWriter dataWriter;

  public SsePublisher(SseHub hub, SseDataWriter dataWriter) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.dataWriter = Objects.requireNonNull(dataWriter, "dataWriter");
  }

  /**
   * Publishes {@code data} on the default channel, with the default event type ({@code message}).
   */
  public CompletableFuture<SseEvent> publish(Object data) {
    return publish(ChannelNames.DEFAULT_CHANNEL, null, data);
  }

  /**
   * Publishes {@code data} on {@code channel} with event type {@code type} (null: {@code message},
   * which {@code EventSource.onmessage} receives).
   *
   * @throws io.ssehub.core.InvalidInputException for a bad channel name or type, or an event over
   *     the size limit
   */
  public CompletableFuture<SseEvent> publish(String channel, String type, Object data) {
    Objects.requireNonNull(data, "data");
    String text = data instanceof String s ? s : dataWriter.write(data);
    return hub.publish(channel, SseEvent.builder().type(type).data(text).build());
  }

  /** Publishes a ready-made event on {@code channel}. */
  public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
    return hub.publish(channel, event);
  }

  /** The hub it publishes to. */
  public SseHub hub() {
    return hub;
  }
}
