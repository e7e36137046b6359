package io.ssehub.core;

import java.util.concurrent.CompletableFuture;

/**
 * Carries events between the hubs of all nodes, and keeps their history. {@link MemoryBroker}
 * serves one node; the Redis broker (module {@code ssehub-redis}) serves many.
 *
 * <p>Publishing and history are one interface because they must be one step: an event that was
 * delivered but not stored (or stored but not delivered) breaks resume. On Redis, the append to the
 * channel's history stream and the publish happen in one script (ARCHITECTURE.md invariant 5).
 *
 * <p>The hub subscribes to a channel when the node's first stream on it opens and unsubscribes when
 * the last one closes; a broker therefore holds one subscription per channel, whatever the number
 * of streams (ARCHITECTURE.md invariant 1). Implementations are thread-safe.
 */
public interface Broker extends AutoCloseable {

  /**
   * Starts delivering to {@code listener}: called once, by the hub, before anything else. For each
   * channel the listener gets events in the order they were published, from one thread at a time
   * (ARCHITECTURE.md invariant 3).
   */
  void start(Listener listener);

  /**
   * Stores the event in the channel's history and delivers it to every node subscribed to the
   * channel. Completes with the event as stored (with its id: the publisher's own, or one the
   * broker gave it), or fails with {@link BrokerUnavailableException} when nothing was stored.
   */
  CompletableFuture<SseEvent> publish(String channel, SseEvent event);

  /**
   * Starts receiving the channel's events; completes once events published from now on will arrive.
   */
  CompletableFuture<Void> subscribe(String channel);

  /** Stops receiving the channel's events. */
  CompletableFuture<Void> unsubscribe(String channel);

  /** The channels' history: what resuming clients missed. */
  History history();

  /** Whether the broker can publish and deliver now. */
  boolean isConnected();

  /** A short description for logs and health checks, with no secret in it. */
  String describe();

  /** Releases connections and threads. */
  @Override
  void close();

  /** Receives what the broker delivers. Must not block: it runs on the broker's I/O threads. */
  interface Listener {
    /**
     * An event on a subscribed channel. {@code event.id()} is null only for events from outside
     * ssehub.
     */
    void onEvent(String channel, SseEvent event);

    /**
     * The broker lost or regained its connection. Subscriptions are restored before {@code true}.
     */
    default void onConnectionChanged(boolean connected) {}
  }
}
