package io.ssehub.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ssehub.core.HubObserver.CloseReason;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The meters an embedded hub gets on a registry of its user's. */
class HubMetricsTest {
  private static final SseSink SINK = SseSink.discarding();

  @Test
  void countsWhatTheHubDoes() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HubMetrics metrics = new HubMetrics(registry);
    try (SseHub hub = SseHub.builder().observer(metrics).keepalive(Duration.ZERO).build()) {
      metrics.bind(hub);
      Subscription a = hub.subscribe(SubscribeRequest.of(List.of("logs"), null), SINK);
      hub.subscribe(SubscribeRequest.of(List.of("logs"), null), SINK);
      hub.subscribe(SubscribeRequest.of(List.of("news"), null), SINK);
      for (int i = 0; i < 3; i++) {
        hub.publish("logs", "e" + i).join();
      }
      a.close();
      assertThat(registry.get("ssehub.streams.open").gauge().value()).isEqualTo(2);
      assertThat(registry.get("ssehub.streams.opened").counter().count()).isEqualTo(3);
      assertThat(
              registry.get("ssehub.streams.closed").tag("reason", "client_gone").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("ssehub.events.published").counter().count()).isEqualTo(3);
      assertThat(registry.get("ssehub.events.delivered").counter().count()).isEqualTo(6);
      assertThat(registry.get("ssehub.fanout").timer().count()).isEqualTo(3);
      assertThat(registry.get("ssehub.channels.subscribed").gauge().value()).isEqualTo(2);
      assertThat(registry.get("ssehub.broker.connected").gauge().value()).isEqualTo(1);
    }
    assertThat(registry.get("ssehub.streams.closed").tag("reason", "shutdown").counter().count())
        .isEqualTo(2);
  }

  @Test
  void aReconnectIsALossThenAReturn() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HubMetrics metrics = new HubMetrics(registry);
    metrics.brokerConnectionChanged(true);
    assertThat(registry.get("ssehub.broker.reconnects").counter().count()).isZero();
    metrics.brokerConnectionChanged(false);
    metrics.brokerConnectionChanged(false);
    metrics.brokerConnectionChanged(true);
    assertThat(registry.get("ssehub.broker.reconnects").counter().count()).isEqualTo(1);
  }

  @Test
  void twoOnOneRegistryShareTheirCounters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new HubMetrics(registry).streamClosed(CloseReason.LIMIT);
    new HubMetrics(registry).streamClosed(CloseReason.LIMIT);
    assertThat(registry.get("ssehub.streams.closed").tag("reason", "limit").counter().count())
        .isEqualTo(2);
  }
}
