package io.ssehub.core;

import io.ssehub.core.internal.HubEngine;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The hub: publish events to channels, and stream channels to clients.
 *
 * <pre>{@code
 * SseHub hub = SseHub.builder().build();                  // in memory; .broker(redisBroker) to scale out
 * hub.publish("logs", SseEvent.builder().type("myevent").data("{\"message\":\"Hello!\"}").build());
 * }</pre>
 *
 * <p>Transports (the Netty server, the servlet adapter) call {@link #subscribe} with an {@link
 * SseSink} per HTTP response; the hub encodes each event once and hands the same bytes to every
 * stream of its channel, replays history to clients that resume with a last event id, sends
 * keepalive comments to idle streams and cuts streams whose client stops reading.
 *
 * <p>Thread-safe. {@link #close()} ends every stream and closes the broker.
 */
public final class SseHub implements AutoCloseable {
  /** How often an idle stream gets a keepalive comment, by default. */
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);

  /**
   * The reconnection time the hub asks clients to use (the {@code retry:} it sends first), by
   * default.
   */
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(3);

  /** How many bytes may wait for a slow client before the hub cuts its stream, by default. */
  public static final long DEFAULT_MAX_PENDING_BYTES = 4L * 1024 * 1024;

  /** How many channels one stream may read, by default. */
  public static final int DEFAULT_MAX_CHANNELS_PER_STREAM = 64;

  /** The largest event accepted for publishing, encoded, by default. */
  public static final long DEFAULT_MAX_EVENT_BYTES = 1024L * 1024;

  private final HubEngine engine;

  private SseHub(HubEngine engine) {
    this.engine = engine;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes an event to a channel. Completes with the event as stored, with its id, once it is in
   * history and on its way to every subscriber; fails with {@link BrokerUnavailableException} if
   * the broker could not take it (nothing was stored).
   *
   * @throws InvalidInputException for an invalid channel name, a reserved type, or an event over
   *     the size limit ({@link EventTooLargeException})
   */
  public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
    Objects.requireNonNull(event, "event");
    return engine.publish(channel, event);
  }

  /**
   * Publishes on behalf of a client: the hub's {@link Authorizer} decides first, then as {@link
   * #publish(String, SseEvent)}. For transports; the application itself calls {@code publish}.
   *
   * @throws AccessDeniedException if the authorizer refuses
   * @throws InvalidInputException for a {@linkplain ChannelNames#isReserved reserved} channel,
   *     among others
   */
  public CompletableFuture<SseEvent> publishAs(
      Principal principal, String remoteAddress, String channel, SseEvent event) {
    Objects.requireNonNull(event, "event");
    ChannelNames.rejectReserved(ChannelNames.validate(channel));
    engine.authorize(
        new AccessRequest(
            AccessRequest.Action.PUBLISH, List.of(channel), principal, remoteAddress));
    return engine.publish(channel, event);
  }

  /** Publishes {@code data} as an event of the default type. */
  public CompletableFuture<SseEvent> publish(String channel, String data) {
    return publish(channel, SseEvent.of(data));
  }

  /**
   * Opens a stream: writes a {@code retry:} line to the sink at once, then, when resuming, what
   * history holds after the request's last event id, then live events of the request's channels.
   *
   * @throws AccessDeniedException if the {@link Authorizer} refuses; nothing was written
   * @throws BrokerUnavailableException if the hub is shutting down
   */
  public Subscription subscribe(SubscribeRequest request, SseSink sink) {
    return engine.subscribe(
        Objects.requireNonNull(request, "request"), Objects.requireNonNull(sink, "sink"));
  }

  /** The number of open streams on this node. */
  public int streamCount() {
    return engine.streamCount();
  }

  /** The channels this node is subscribed to: those with at least one open stream. */
  public Set<String> subscribedChannels() {
    return engine.subscribedChannels();
  }

  /**
   * Open streams per channel on this node, a snapshot: a stream of several channels counts once in
   * each. Only channels with a stream are present.
   */
  public Map<String, Integer> channelStreamCounts() {
    return engine.channelStreamCounts();
  }

  /**
   * Asks the hub's {@link Authorizer}, for transports that guard something other than a stream or a
   * publish (the standalone hub's dashboard). An authorizer that fails counts as a refusal.
   *
   * @throws AccessDeniedException if it refuses
   */
  public void authorize(AccessRequest request) {
    engine.authorize(Objects.requireNonNull(request, "request"));
  }

  /**
   * Deliveries waiting for their streams' {@linkplain SseSink#lane lanes} to run them: events this
   * node received and has not yet handed to those streams. A transport adds what its sinks queue.
   */
  public long queuedDeliveries() {
    return engine.queuedDeliveries();
  }

  /** How many streams were cut because their client did not keep up. */
  public long slowConsumerCuts() {
    return engine.slowConsumerCuts();
  }

  /**
   * Whether the hub accepts streams and publishes: it is open, its broker is connected and its
   * periodic tasks run ({@link #isUpkeepHealthy()}).
   */
  public boolean isReady() {
    return !engine.isClosed() && engine.broker().isConnected() && engine.upkeepHealthy();
  }

  /**
   * Whether the hub's periodic tasks (the sweep that bounds what all streams hold together, and
   * keepalives) each succeeded within their last few intervals (at least the last 2 s). False while
   * one keeps throwing or the scheduler no longer gets to it; {@link #isReady()} is false then too.
   * A task that throws runs again as planned.
   */
  public boolean isUpkeepHealthy() {
    return engine.upkeepHealthy();
  }

  /**
   * The largest event {@link #publish} accepts, in encoded bytes: transports size their body limits
   * by it.
   */
  public long maxEventBytes() {
    return engine.maxEventBytes();
  }

  /** The broker, for health checks and descriptions. */
  public Broker broker() {
    return engine.broker();
  }

  /**
   * Sends keepalives now to every stream idle since the last sweep (the hub also does so on its own
   * schedule).
   */
  public void sendKeepalives() {
    engine.sendKeepalives();
  }

  /**
   * Takes the node out gently before {@link #close()}: ends every stream at a random moment within
   * {@code window} (clients reconnect spread over it, to other nodes if readiness has turned false,
   * and resume by their last event id), and tells streams opened meanwhile to come back later.
   * Publishing goes on. Completes when every stream has ended.
   */
  public CompletableFuture<Void> drain(Duration window) {
    return engine.drain(Objects.requireNonNull(window, "window"));
  }

  /** Whether {@link #drain} has begun. */
  public boolean isDraining() {
    return engine.isDraining();
  }

  /** Ends every stream cleanly (clients reconnect after their retry time) and closes the broker. */
  @Override
  public void close() {
    engine.close();
  }

  /** Settings of a hub; every one has a default. */
  public static final class Builder {
    private Broker broker;
    private Duration keepalive = DEFAULT_KEEPALIVE;
    private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
    private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
    private long maxTotalPendingBytes;
    private long maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private int maxChannelsPerStream = DEFAULT_MAX_CHANNELS_PER_STREAM;
    private ScheduledExecutorService scheduler;
    private Authorizer authorizer = Authorizer.ALLOW_ALL;
    private HubObserver observer = HubObserver.NONE;

    private Builder() {}

    /**
     * Told what the hub does (streams opened and closed, events published and delivered, broker
     * state), for metrics; {@link HubObserver#NONE} by default. {@code ssehub-metrics}'s {@code
     * HubMetrics} binds it to a Micrometer registry.
     */
    public Builder observer(HubObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** Who may read and publish which channels; everyone everything by default. */
    public Builder authorizer(Authorizer authorizer) {
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /** Where events travel and history is kept; a new {@link MemoryBroker} by default. */
    public Builder broker(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
      return this;
    }

    /**
     * How often idle streams get a keepalive comment; {@link Duration#ZERO} turns keepalives off.
     */
    public Builder keepalive(Duration keepalive) {
      if (keepalive.isNegative()) {
        throw new IllegalArgumentException("keepalive: " + keepalive + " (expected: >= 0)");
      }
      this.keepalive = keepalive;
      return this;
    }

    /** The reconnection time sent to clients in the first line of each stream. */
    public Builder reconnectDelay(Duration reconnectDelay) {
      if (reconnectDelay.isNegative()) {
        throw new IllegalArgumentException(
            "reconnectDelay: " + reconnectDelay + " (expected: >= 0)");
      }
      this.reconnectDelay = reconnectDelay;
      return this;
    }

    /**
     * How many bytes may wait for all of this node's clients together; past it, the streams
     * furthest behind are cut (they resume by id) until half of it is left. {@link
     * #maxPendingBytes} bounds one client; this bounds them all, also against events that other
     * nodes publish through the broker, which no push-back here slows. Default: a quarter of the
     * JVM's maximum heap.
     */
    public Builder maxTotalPendingBytes(long maxTotalPendingBytes) {
      if (maxTotalPendingBytes < 1) {
        throw new IllegalArgumentException(
            "maxTotalPendingBytes: " + maxTotalPendingBytes + " (expected: > 0)");
      }
      this.maxTotalPendingBytes = maxTotalPendingBytes;
      return this;
    }

    /** How many bytes may wait for one client before its stream is cut. */
    public Builder maxPendingBytes(long maxPendingBytes) {
      if (maxPendingBytes < 1) {
        throw new IllegalArgumentException(
            "maxPendingBytes: " + maxPendingBytes + " (expected: > 0)");
      }
      this.maxPendingBytes = maxPendingBytes;
      return this;
    }

    /** The largest event accepted for publishing, in encoded bytes. */
    public Builder maxEventBytes(long maxEventBytes) {
      if (maxEventBytes < 1) {
        throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes + " (expected: > 0)");
      }
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * How many channels one stream may read: each is a broker subscription while the stream lives,
     * so one request must not be able to take hundreds.
     */
    public Builder maxChannelsPerStream(int maxChannelsPerStream) {
      if (maxChannelsPerStream < 1) {
        throw new IllegalArgumentException(
            "maxChannelsPerStream: " + maxChannelsPerStream + " (expected: > 0)");
      }
      this.maxChannelsPerStream = maxChannelsPerStream;
      return this;
    }

    /** Runs the keepalive timer; by default the hub starts one daemon thread of its own. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    public SseHub build() {
      boolean ownsScheduler = scheduler == null;
      ScheduledExecutorService timer =
          ownsScheduler
              ? Executors.newSingleThreadScheduledExecutor(
                  runnable -> {
                    Thread thread = new Thread(runnable, "ssehub-keepalive");
                    thread.setDaemon(true);
                    return thread;
                  })
              : scheduler;
      return new SseHub(
          new HubEngine(
              broker != null ? broker : new MemoryBroker(),
              authorizer,
              keepalive,
              reconnectDelay,
              maxPendingBytes,
              maxTotalPendingBytes > 0
                  ? maxTotalPendingBytes
                  : Runtime.getRuntime().maxMemory() / 4,
              maxEventBytes,
              maxChannelsPerStream,
              timer,
              ownsScheduler,
              observer));
    }
  }
}
