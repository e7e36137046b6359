package io.ssehub.mercure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Subscription events as the Go hub writes them, and the registry that learns from them. */
class SubscriptionsTest {

  @Test
  void eventIsGoMarshalIndentWithQueryEscapedIds() {
    assertThat(Subscriptions.event("a b*~/{x}", "urn:uuid:1", true, Map.of("k", List.of(1))))
        .isEqualTo(
            """
        {
          "@context": "https://mercure.rocks/",
          "id": "/.well-known/mercure/subscriptions/a+b%2A~%2F%7Bx%7D/urn%3Auuid%3A1",
          "type": "Subscription",
          "subscriber": "urn:uuid:1",
          "topic": "a b*~/{x}",
          "active": true,
          "payload": {
            "k": [
              1
            ]
          }
        }""");
  }

  @Test
  void registryLearnsFromEventsAndForgetsWhatEnds() {
    Subscriptions registry = new Subscriptions();
    assertThat(registry.collection("/.well-known/mercure/subscriptions", null, "earliest"))
        .isEqualTo(
            """
        {
          "@context": "https://mercure.rocks/",
          "id": "/.well-known/mercure/subscriptions",
          "type": "Subscriptions",
          "lastEventID": "earliest",
          "subscriptions": []
        }""");
    String topic = Subscriptions.topicOf("t", "s1");
    registry
        .observer()
        .test(
            SseEvent.builder()
                .id("e1")
                .tags(List.of("private", topic))
                .data(Subscriptions.event("t", "s1", true, null))
                .build());
    assertThat(registry.lastEventId()).isEqualTo("e1");
    assertThat(registry.single("t", "s1", "e1"))
        .contains("\"lastEventID\": \"e1\"")
        .contains("\"@context\"");
    assertThat(registry.collection("/x", "t", "e1"))
        .contains("\"subscriber\": \"s1\"")
        .doesNotContain("\"@context\": \"https://mercure.rocks/\",\n      ");
    assertThat(registry.collection("/x", "other", "e1")).contains("\"subscriptions\": []");

    registry
        .observer()
        .test(
            SseEvent.builder()
                .id("e2")
                .tags(List.of("private", topic))
                .data(Subscriptions.event("t", "s1", false, null))
                .build());
    assertThat(registry.single("t", "s1", "e2")).isNull();
    assertThat(
            registry
                .observer()
                .test(SseEvent.builder().data("not json").tags(List.of("private", topic)).build()))
        .as("a broken event is skipped, and nothing passes to the registry's sink")
        .isFalse();
  }
}
