package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Completeness of replays from what the AFTER script answers, without Redis. */
class HistoryRepliesTest {
  private final List<String> problems = new ArrayList<>();
  private final HistoryReplies replies =
      new HistoryReplies(
          new FlaskSseCodec(1024), (channel, problem) -> problems.add(channel + ": " + problem));

  private static byte[] b(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Object> entry(String id, String json) {
    return List.of(b(id), List.of(b("m"), b(json)));
  }

  /** A range reply: exists, last-generated-id, max-deleted-entry-id, first entry id, entries. */
  private static List<Object> stream(
      String last, String maxDeleted, String first, List<?> entries) {
    return List.of(1L, b(last), b(maxDeleted), b(first), entries, 0L);
  }

  private Replay after(String id, List<Object> reply) {
    return replies.afterStreamId("ch", StreamId.parse(id), reply);
  }

  private static final List<Object> MISSING = List.of(0L);

  @Test
  void missingStreamCompleteOnlyFromTheBeginning() {
    assertThat(after("0-0", MISSING)).isEqualTo(new Replay(true, List.of()));
    assertThat(after("5-0", MISSING)).isEqualTo(new Replay(false, List.of()));
  }

  @Test
  void fromTheBeginningCompleteWhenNothingWasTrimmed() {
    List<?> entries =
        List.of(
            entry("5-0", "{\"data\": \"a\"}"), entry("6-0", "{\"data\": \"b\", \"id\": \"own\"}"));
    Replay replay = after("0-0", stream("6-0", "0-0", "5-0", entries));
    assertThat(replay.complete()).isTrue();
    assertThat(replay.events()).extracting(SseEvent::id).containsExactly("5-0", "own");
  }

  @Test
  void fromTheBeginningIncompleteAfterTrimming() {
    assertThat(after("0-0", stream("6-0", "4-0", "5-0", List.of())).complete()).isFalse();
  }

  @Test
  void retainedIdComplete() {
    assertThat(after("5-0", stream("6-0", "0-0", "5-0", List.of())).complete()).isTrue();
    assertThat(after("5-0", stream("6-0", "4-0", "5-0", List.of())).complete()).isTrue();
  }

  @Test
  void lastTrimmedIdStillComplete() {
    // The client's own event was trimmed, but nothing after it was.
    assertThat(after("4-0", stream("6-0", "4-0", "5-0", List.of())).complete()).isTrue();
  }

  @Test
  void idBeforeTrimmedOnesIncomplete() {
    assertThat(after("3-0", stream("6-0", "4-0", "5-0", List.of())).complete()).isFalse();
  }

  @Test
  void everyEntryTrimmedButUpToDateComplete() {
    assertThat(after("6-0", stream("6-0", "6-0", "", List.of())).complete()).isTrue();
  }

  @Test
  void idNeverGivenOutIncomplete() {
    assertThat(after("7-0", stream("6-0", "0-0", "5-0", List.of())).complete()).isFalse();
  }

  @Test
  void idFromAnEarlierExpiredStreamIncomplete() {
    // Nothing trimmed in this stream, but the id is older than its first entry.
    assertThat(after("2-0", stream("6-0", "0-0", "5-0", List.of())).complete()).isFalse();
  }

  @Test
  void beforeRedis7CompleteFromTheFirstRetainedEntryOn() {
    assertThat(after("5-0", stream("6-0", "", "5-0", List.of())).complete()).isTrue();
    assertThat(after("4-0", stream("6-0", "", "5-0", List.of())).complete()).isFalse();
    assertThat(after("6-0", stream("6-0", "", "", List.of())).complete()).isTrue();
  }

  @Test
  void foundPublisherIdComplete() {
    List<Object> reply =
        List.of(1L, b("6-0"), b("0-0"), b("5-0"), List.of(entry("6-0", "{\"data\": \"b\"}")), 1L);
    assertThat(replies.afterFound("ch", reply))
        .isEqualTo(new Replay(true, List.of(SseEvent.of("b").withId("6-0"))));
  }

  @Test
  void missingPublisherIdIncomplete() {
    List<Object> reply =
        List.of(1L, b("6-0"), b("0-0"), b("5-0"), List.of(entry("6-0", "{\"data\": \"b\"}")), 0L);
    assertThat(replies.afterFound("ch", reply).complete()).isFalse();
    assertThat(replies.afterFound("ch", MISSING)).isEqualTo(new Replay(false, List.of()));
  }

  @Test
  void replyCappedByTheByteLimitIncomplete() {
    List<Object> entries = List.of(entry("6-0", "{\"data\": \"b\"}"));
    List<Object> capped = List.of(1L, b("6-0"), b("0-0"), b("5-0"), entries, 0L, 1L);
    assertThat(after("5-0", capped))
        .as("the client's id is retained, but not all after it was returned")
        .isEqualTo(new Replay(false, List.of(SseEvent.of("b").withId("6-0"))));
    List<Object> foundButCapped = List.of(1L, b("6-0"), b("0-0"), b("4-0"), entries, 1L, 1L);
    assertThat(replies.afterFound("ch", foundButCapped).complete()).isFalse();
    assertThat(after("5-0", List.of(1L, b("6-0"), b("0-0"), b("5-0"), entries, 0L, 0L)).complete())
        .isTrue();
  }

  @Test
  void unreadableEntrySkippedAndReported() {
    List<?> entries = List.of(entry("5-0", "garbage"), entry("6-0", "{\"data\": \"b\"}"));
    assertThat(after("0-0", stream("6-0", "0-0", "5-0", entries)).events())
        .extracting(SseEvent::data)
        .containsExactly("b");
    assertThat(problems).singleElement().asString().contains("ch: history entry 5-0: not JSON");
  }

  @Test
  void needleIsTheIdMemberAsWritten() {
    assertThat(HistoryReplies.idNeedle("é\"x")).isEqualTo(", \"id\": \"\\u00e9\\\"x\"");
    assertThat(FlaskSseCodec.encode(SseEvent.builder().data("d").id("é\"x").build()).json())
        .contains(HistoryReplies.idNeedle("é\"x"));
  }
}
