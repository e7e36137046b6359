package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.metrics.HubMetrics;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's decisions and snapshots, without HTTP: addresses a loopback test cannot come
 * from.
 */
class DashboardTest {
  private SseHub hub;

  @AfterEach
  void closeHub() {
    if (hub != null) {
      hub.close();
    }
  }

  private Dashboard dashboard(GrantAuthorizer authorizer, SimpleMeterRegistry registry) {
    hub =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .authorizer(authorizer)
            .observer(new HubMetrics(registry))
            .build();
    return new Dashboard(new ServerContext(hub, 1024), registry, Dashboard.DEFAULT_INTERVAL);
  }

  @Test
  void withoutJwtOnlyLoopbackMayOpenIt() {
    Dashboard dashboard = dashboard(GrantAuthorizer.builder().build(), new SimpleMeterRegistry());
    dashboard.authorize(null, "127.0.0.1");
    dashboard.authorize(null, "::1");
    assertThatThrownBy(() -> dashboard.authorize(null, "192.0.2.7"))
        .isInstanceOfSatisfying(
            AccessDeniedException.class, e -> assertThat(e.unauthenticated()).isFalse())
        .hasMessageStartingWith("the dashboard needs the right to publish to every channel (")
        .hasMessageContaining("--allow-anonymous-publish");
    assertThatThrownBy(() -> dashboard.authorize(null, null))
        .isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void anonymousPublishOpensItToEveryAddress() {
    Dashboard dashboard =
        dashboard(
            GrantAuthorizer.builder().anonymousPublish(true).build(), new SimpleMeterRegistry());
    dashboard.authorize(null, "192.0.2.7");
  }

  @Test
  void snapshotListsBusiestChannelsFirstAndCountsFromTheHubsMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Dashboard dashboard = dashboard(GrantAuthorizer.builder().build(), registry);
    subscribe("quiet");
    subscribe("busy");
    subscribe("busy");
    subscribe("also-busy", "busy");
    subscribe("also-busy");
    hub.publish("busy", "x").join();
    hub.publish("nobody-listens", "y").join();

    JsonNode snapshot = dashboard.snapshot();
    assertThat(
            StreamSupport.stream(snapshot.get("channels").spliterator(), false)
                .map(c -> c.get("name").asText() + "=" + c.get("streams").asInt()))
        .containsExactly("busy=3", "also-busy=2", "quiet=1");
    assertThat(snapshot.get("channelCount").asInt()).isEqualTo(3);
    assertThat(snapshot.get("streams").asInt()).isEqualTo(5);
    assertThat(snapshot.get("published").asLong()).isEqualTo(2);
    assertThat(snapshot.get("fannedOut").asLong())
        .as("one event reached this node's streams")
        .isEqualTo(1);
    assertThat(snapshot.get("delivered").asLong()).isEqualTo(3);
    assertThat(snapshot.get("ready").asBoolean()).isTrue();
  }

  @Test
  void aRegistryWithoutTheHubsMetersGivesNullsNotZeros() {
    hub = SseHub.builder().keepalive(Duration.ZERO).build();
    Dashboard dashboard =
        new Dashboard(
            new ServerContext(hub, 1024), new SimpleMeterRegistry(), Dashboard.DEFAULT_INTERVAL);
    JsonNode snapshot = dashboard.snapshot();
    assertThat(snapshot.get("published").isNull()).isTrue();
    assertThat(snapshot.get("delivered").isNull()).isTrue();
    assertThat(snapshot.get("fannedOut").isNull()).isTrue();
  }

  @Test
  void snapshotListsAtMostMaxChannelsButCountsThemAll() {
    Dashboard dashboard = dashboard(GrantAuthorizer.builder().build(), new SimpleMeterRegistry());
    for (int i = 0; i <= Dashboard.MAX_CHANNELS; i++) {
      subscribe("c" + i);
    }
    JsonNode snapshot = dashboard.snapshot();
    assertThat(snapshot.get("channels").size()).isEqualTo(Dashboard.MAX_CHANNELS);
    assertThat(snapshot.get("channelCount").asInt()).isEqualTo(Dashboard.MAX_CHANNELS + 1);
  }

  private void subscribe(String... channels) {
    hub.subscribe(SubscribeRequest.of(List.of(channels), null), SseSink.discarding());
  }
}
