package io.ssehub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.ssehub.core.HubObserver;
import io.ssehub.core.SseHub;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hub's meters on a Micrometer registry. Give it to the hub as its observer, then bind the
 * hub's gauges:
 *
 * <pre>{@code
 * HubMetrics metrics = new HubMetrics(registry);
 * SseHub hub = SseHub.builder().observer(metrics).build();
 * metrics.bind(hub);
 * }</pre>
 *
 * <p>Meters, as Prometheus names them (Micrometer name in brackets):
 *
 * <ul>
 *   <li>{@code ssehub_streams_open} (gauge) streams open on this node;
 *   <li>{@code ssehub_streams_opened_total}, and {@code ssehub_streams_closed_total{reason}} with
 *       reason {@code client_gone}, {@code slow_consumer}, {@code refused}, {@code limit}, {@code
 *       shutdown}, {@code start_failed}, {@code failed} (refused, limit and a shutdown refusal
 *       count streams that never opened);
 *   <li>{@code ssehub_events_published_total}: events this node's publishers stored;
 *   <li>{@code ssehub_events_delivered_total}: events handed to streams, one per event and stream;
 *   <li>{@code ssehub_fanout_seconds} (histogram): from the broker handing an event to the hub to
 *       the last local stream having it queued;
 *   <li>{@code ssehub_history_replay_events} (summary): events replayed to each resuming stream;
 *   <li>{@code ssehub_broker_connected} (gauge, 0 or 1), {@code ssehub_broker_reconnects_total};
 *   <li>{@code ssehub_channels_subscribed} (gauge): channels with a local stream.
 * </ul>
 *
 * <p>Creating meters is idempotent per registry: two {@code HubMetrics} on one registry share their
 * counters. The callbacks are cheap (an array lookup and an add): the hub calls them once per
 * fan-out, not per stream.
 */
public final class HubMetrics implements HubObserver {
  private final MeterRegistry registry;
  private final Counter opened;
  private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
  private final Counter published;
  private final Counter delivered;
  private final Timer fanOut;
  private final DistributionSummary replayed;
  private final Counter reconnects;

  /** Set once the broker was lost, so that the next connection counts as a reconnect. */
  private final AtomicBoolean wasLost = new AtomicBoolean();

  public HubMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    opened =
        Counter.builder("ssehub.streams.opened").description("Streams opened").register(registry);
    for (CloseReason reason : CloseReason.values()) {
      closed.put(
          reason,
          Counter.builder("ssehub.streams.closed")
              .description("Streams closed, or refused before they opened, by reason")
              .tag("reason", reason.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    published =
        Counter.builder("ssehub.events.published")
            .description("Events stored by the broker for this node's publishers")
            .register(registry);
    delivered =
        Counter.builder("ssehub.events.delivered")
            .description("Events handed to streams: one per event and stream")
            .register(registry);
    fanOut =
        Timer.builder("ssehub.fanout")
            .description(
                "From the broker handing an event to the hub to the last local stream having it queued")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(1_000))
            .maximumExpectedValue(Duration.ofSeconds(1))
            .register(registry);
    replayed =
        DistributionSummary.builder("ssehub.history.replay")
            .baseUnit("events")
            .description("Events replayed from history to each resuming stream")
            .register(registry);
    reconnects =
        Counter.builder("ssehub.broker.reconnects")
            .description("Times the broker regained its connection after losing it")
            .register(registry);
  }

  /**
   * Registers the gauges read from the hub: open streams, subscribed channels, broker state.
   * Returns this.
   */
  public HubMetrics bind(SseHub hub) {
    Gauge.builder("ssehub.streams.open", hub, SseHub::streamCount)
        .description("Streams open on this node")
        .register(registry);
    Gauge.builder("ssehub.channels.subscribed", hub, h -> h.subscribedChannels().size())
        .description("Channels with at least one stream on this node")
        .register(registry);
    Gauge.builder("ssehub.broker.connected", hub, h -> h.broker().isConnected() ? 1 : 0)
        .description("1 while the broker is connected, else 0")
        .register(registry);
    return this;
  }

  /** The registry the meters are in. */
  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void streamOpened(List<String> channels) {
    opened.increment();
  }

  @Override
  public void streamClosed(CloseReason reason) {
    closed.get(reason).increment();
  }

  @Override
  public void eventPublished(String channel) {
    published.increment();
  }

  @Override
  public void eventDelivered(String channel, int streams, long fanOutNanos) {
    if (streams > 0) {
      delivered.increment(streams);
    }
    fanOut.record(fanOutNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void brokerConnectionChanged(boolean connected) {
    if (!connected) {
      wasLost.set(true);
    } else if (wasLost.compareAndSet(true, false)) {
      reconnects.increment();
    }
  }

  @Override
  public void historyReplayed(int events) {
    replayed.record(events);
  }

  @Override
  public String toString() {
    return "HubMetrics{" + registry.getClass().getSimpleName() + "}";
  }
}
