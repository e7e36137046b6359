package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reserved channels, event tags and per-stream filters: the hooks a front door such as Mercure
 * builds on.
 */
class StreamFilterTest {
  private final SseHub hub =
      SseHub.builder()
          .keepalive(Duration.ZERO)
          .authorizer(request -> AccessDecision.forbidden("nobody through the authorizer"))
          .build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  private static SseEvent tagged(String data, String... tags) {
    return SseEvent.builder().data(data).tags(List.of(tags)).build();
  }

  @Test
  void filterPicksLiveEventsByTagAndTheirBytesAreNotChanged() {
    RecordingSink red = new RecordingSink();
    hub.subscribe(
        SubscribeRequest.reserved("ssehub.test", null, e -> e.tags().contains("red")), red);
    hub.publish("ssehub.test", tagged("r1", "red")).join();
    hub.publish("ssehub.test", tagged("b1", "blue")).join();
    hub.publish("ssehub.test", tagged("rb", "blue", "red")).join();
    assertThat(red.data()).containsExactly("r1", "rb");
    assertThat(red.text()).doesNotContain("blue").doesNotContain("tags");
  }

  @Test
  void filterAppliesToReplayedEventsAndHidesTheHistoryCutNotice() {
    SseEvent first = hub.publish("ssehub.test", tagged("r1", "red")).join();
    hub.publish("ssehub.test", tagged("b1", "blue")).join();
    hub.publish("ssehub.test", tagged("r2", "red")).join();
    RecordingSink resumed = new RecordingSink();
    hub.subscribe(
        SubscribeRequest.reserved("ssehub.test", first.id(), e -> e.tags().contains("red")),
        resumed);
    assertThat(resumed.data()).containsExactly("r2");

    RecordingSink unknownId = new RecordingSink();
    hub.subscribe(
        SubscribeRequest.reserved("ssehub.test", "not-in-history", e -> e.tags().contains("red")),
        unknownId);
    assertThat(unknownId.data())
        .as("everything retained, without the ssehub.history-cut notice")
        .containsExactly("r1", "r2");
  }

  @Test
  void aFrontDoorsStreamStartsWithACommentAndNoRetryOrPositionBlock() {
    hub.publish("ssehub.test", tagged("before", "red")).join();
    RecordingSink fresh = new RecordingSink();
    hub.subscribe(SubscribeRequest.reserved("ssehub.test", null, e -> true), fresh);
    // Clients other than browsers (Gatling's, for one) take a block without data for a message.
    assertThat(fresh.text()).isEqualTo(":\n");
    hub.publish("ssehub.test", tagged("after", "red")).join();
    assertThat(fresh.text()).startsWith(":\nid: ").endsWith("data: after\n\n");
    assertThat(fresh.data()).containsExactly("after");
  }

  @Test
  void tagsSurviveTheMemoryBrokerAndIdAssignment() {
    SseEvent stored = hub.publish("ssehub.test", tagged("x", "a", "b")).join();
    assertThat(stored.tags()).containsExactly("a", "b");
    assertThat(stored.withId("7").tags()).containsExactly("a", "b");
    assertThat(stored.toBuilder().build()).isEqualTo(stored);
  }

  @Test
  void reservedChannelIsRefusedToClients() {
    assertThatThrownBy(() -> SubscribeRequest.of("ssehub.mercure"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> hub.publishAs(null, "127.0.0.1", "ssehub.mercure", SseEvent.of("x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> SubscribeRequest.reserved("news", null, e -> true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not reserved");
  }

  @Test
  void ordinaryStreamsStillAskTheAuthorizer() {
    assertThatThrownBy(() -> hub.subscribe(SubscribeRequest.of("news"), new RecordingSink()))
        .isInstanceOf(AccessDeniedException.class);
  }
}
