package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read-only views a dashboard is built from: streams per channel, and the authorizer's word.
 */
class ChannelStreamCountsTest {
  private final SseHub hub =
      SseHub.builder()
          .keepalive(Duration.ZERO)
          .authorizer(
              request ->
                  request.channels().contains("secret")
                      ? AccessDecision.forbidden("not for you")
                      : AccessDecision.allow())
          .build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  private Subscription subscribe(String... channels) {
    return hub.subscribe(SubscribeRequest.of(List.of(channels), null), new RecordingSink());
  }

  @Test
  void countsEachChannelsStreamsAndAMultiChannelStreamInEach() {
    assertThat(hub.channelStreamCounts()).isEmpty();
    Subscription a1 = subscribe("a");
    subscribe("a");
    subscribe("a", "b");
    assertThat(hub.channelStreamCounts()).isEqualTo(Map.of("a", 3, "b", 1));
    a1.close();
    assertThat(hub.channelStreamCounts()).isEqualTo(Map.of("a", 2, "b", 1));
  }

  @Test
  void aSnapshotDoesNotMoveWithTheHub() {
    subscribe("a");
    Map<String, Integer> before = hub.channelStreamCounts();
    subscribe("a");
    assertThat(before).isEqualTo(Map.of("a", 1));
    assertThatThrownBy(() -> before.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void authorizeAsksTheHubsAuthorizerAndThrowsItsRefusal() {
    hub.authorize(
        new AccessRequest(AccessRequest.Action.PUBLISH, List.of("open"), null, "10.0.0.1"));
    assertThatThrownBy(
            () ->
                hub.authorize(
                    new AccessRequest(
                        AccessRequest.Action.PUBLISH, List.of("secret"), null, "10.0.0.1")))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage("not for you");
  }
}
