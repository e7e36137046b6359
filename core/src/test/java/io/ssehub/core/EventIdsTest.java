package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.internal.Cursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Publishers' ids: bounded so that every id the hub sends fits a header, and never mistaken for a
 * cursor.
 */
class EventIdsTest {
  private final SseHub hub =
      SseHub.builder().keepalive(Duration.ZERO).maxChannelsPerStream(200).build();

  @AfterEach
  void close() {
    hub.close();
  }

  private SseEvent publish(String channel, String id, String data) {
    return hub.publish(channel, SseEvent.builder().id(id).data(data).build()).join();
  }

  private RecordingSink subscribe(List<String> channels, String lastEventId) {
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(channels, lastEventId), sink);
    return sink;
  }

  @Test
  void anIdOverTheBoundIsRefusedNamingItsLengthAndTheBound() {
    assertThat(publish("a", "x".repeat(SseEvent.MAX_ID_LENGTH), "fits").id()).hasSize(128);
    assertThatThrownBy(() -> publish("a", "x".repeat(129), "too long"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"))
        .hasMessageContaining("is 129 bytes long")
        .hasMessageContaining("at most 128");
  }

  @Test
  void charactersEscapedInCursorsCountThreePerByte() {
    String accented = "\u00e9".repeat(22); // 44 UTF-8 bytes, 132 once percent-encoded
    assertThatThrownBy(() -> publish("a", accented, "x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is 132 bytes long");
    assertThatThrownBy(() -> publish("a", ",".repeat(43), "x"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is 129 bytes long");
    assertThat(publish("a", "\u00e9".repeat(21), "x").id()).isEqualTo("\u00e9".repeat(21));
  }

  @Test
  void anIdStartingWithTheCursorMarkIsRefused() {
    assertThatThrownBy(() -> publish("a", "*a=1,b=2", "x"))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"))
        .hasMessageContaining("must not start with \"*\"");
    assertThat(publish("a", "a*1", "x").id()).isEqualTo("a*1");
  }

  @Test
  void aPlainIdShapedLikeACursorResumesAsAPlainId() {
    publish("cur", "cur=p1,zz=9", "first");
    publish("cur", "2", "second");
    RecordingSink resumed = subscribe(List.of("cur"), "cur=p1,zz=9");
    assertThat(resumed.events())
        .extracting(e -> SseEvent.HISTORY_CUT_TYPE.equals(e.type()) ? "cut" : e.data())
        .as("no history cut: the id was found")
        .containsExactly("second");
  }

  @Test
  void commonIdShapesResumeOnOneChannelAndOnSeveral() {
    List<String> ids =
        List.of(
            "17",
            "1700000000000-0",
            "YWJjZA==",
            "4f0c2b1e-9d3a-4b8e-a1f2-3c4d5e6f7a8b",
            "urn:uuid:4f0c2b1e-9d3a-4b8e-a1f2-3c4d5e6f7a8b");
    for (String id : ids) {
      publish("one", id, "at " + id);
      publish("one", null, "after " + id);
      assertThat(subscribe(List.of("one"), id).data()).as(id).containsExactly("after " + id);
    }
    RecordingSink both = subscribe(List.of("one", "two"), null);
    for (String id : ids) {
      publish("two", id + "-two", "x");
    }
    String cursor = both.lastEventId();
    assertThat(cursor).startsWith("*one=").contains(",two=urn:uuid:");
    publish("two", null, "missed");
    assertThat(subscribe(List.of("one", "two"), cursor).data()).containsExactly("missed");
  }

  @Test
  void anUnmarkedCursorOfAnOlderVersionStillResumesAStreamOverSeveralChannels() {
    SseEvent a = publish("a", null, "a1");
    SseEvent b = publish("b", null, "b1");
    publish("a", null, "a2");
    RecordingSink resumed = subscribe(List.of("a", "b"), "a=" + a.id() + ",b=" + b.id());
    assertThat(resumed.data()).containsExactly("a2");
  }

  @Test
  void aStreamWhoseCursorCouldOutgrowTheHeaderLimitIsRefused() {
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      channels.add(String.format("%03d", i) + "c".repeat(197)); // 64 channels of 200 characters
    }
    assertThatThrownBy(() -> subscribe(channels, null))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("channel"))
        .hasMessageContaining("could be 21120 bytes long")
        .hasMessageContaining("at most 12288");
    assertThat(hub.streamCount()).isZero();
  }

  @Test
  void theLongestCursorAStreamCanSendResumesIt() {
    // As many channels as fit: 40 of 175 characters, each at a 128-byte id: 40 * (175 + 1 + 128) +
    // 40 = 12,200.
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      channels.add(String.format("%02d", i) + "c".repeat(173));
    }
    assertThat(Cursor.maxLength(channels, SseEvent.MAX_ID_LENGTH))
        .isBetween(12_000L, (long) Cursor.MAX_LENGTH);
    RecordingSink first = subscribe(channels, null);
    for (String channel : channels) {
      publish(
          channel,
          channel.substring(0, 2) + "\u00e9".repeat(21),
          "x"); // 2 + 126 = 128 once escaped
    }
    String cursor = first.lastEventId();
    assertThat((long) cursor.length())
        .isEqualTo(Cursor.maxLength(channels, SseEvent.MAX_ID_LENGTH));
    publish(channels.get(7), null, "missed");
    RecordingSink resumed = subscribe(channels, cursor);
    assertThat(resumed.events()).extracting(e -> e.data()).containsExactly("missed");
  }
}
