package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBrokerTest {
  private final MutableClock clock = new MutableClock();
  private final MemoryBroker broker = new MemoryBroker(3, Duration.ofMinutes(1), clock);
  private final List<String> delivered = new ArrayList<>();

  MemoryBrokerTest() {
    broker.start(
        (channel, event) -> delivered.add(channel + ":" + event.id() + ":" + event.data()));
  }

  private SseEvent publish(String channel, String data) {
    return broker.publish(channel, SseEvent.of(data)).join();
  }

  private List<String> ids(Replay replay) {
    return replay.events().stream().map(SseEvent::id).toList();
  }

  @Test
  void givesIncreasingIdsPerChannelAndKeepsPublishersOwn() {
    assertThat(publish("a", "1").id()).isEqualTo("1");
    assertThat(publish("b", "2").id()).as("b's ids say nothing of what a published").isEqualTo("1");
    assertThat(broker.publish("a", SseEvent.builder().id("mine").data("3").build()).join().id())
        .isEqualTo("mine");
    assertThat(publish("a", "4").id()).isEqualTo("2");
    assertThat(publish("b", "5").id()).isEqualTo("2");
  }

  @Test
  void aForgottenChannelPublishedToAgainNeverGivesAnIdTwice() {
    MemoryBroker roomy = new MemoryBroker(1000, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 5; i++) {
      roomy.publish("a", SseEvent.of("old")).join();
    }
    clock.advance(Duration.ofMinutes(2)); // a's events expire; the next sweep forgets the channel
    for (int i = 0; i < 1024; i++) {
      roomy.publish("other", SseEvent.of("x")).join();
    }
    SseEvent again = roomy.publish("a", SseEvent.of("new")).join();
    assertThat(Long.parseLong(again.id())).as("above every id a gave before").isGreaterThan(5);
    Replay fromOld = roomy.history().after("a", "3").join();
    assertThat(fromOld.complete())
        .as("an id of the forgotten channel is not found again")
        .isFalse();
    assertThat(fromOld.events()).extracting(SseEvent::data).containsExactly("new");
  }

  @Test
  void deliversOnlySubscribedChannels() {
    broker.subscribe("a").join();
    publish("a", "x");
    publish("b", "y");
    broker.unsubscribe("a").join();
    publish("a", "z");
    assertThat(delivered).containsExactly("a:1:x");
  }

  @Test
  void replaysAfterAnId() {
    publish("a", "1");
    publish("a", "2");
    publish("a", "3");
    Replay replay = broker.history().after("a", "1").join();
    assertThat(replay.complete()).isTrue();
    assertThat(ids(replay)).containsExactly("2", "3");
    assertThat(broker.history().after("a", "3").join()).isEqualTo(new Replay(true, List.of()));
  }

  @Test
  void lastIdIsTheNewestOrTheBeginning() {
    assertThat(broker.history().lastId("a").join()).isEqualTo(MemoryBroker.BEGINNING);
    Replay fromStart = broker.history().after("a", MemoryBroker.BEGINNING).join();
    assertThat(fromStart.complete()).isTrue();
    publish("a", "1");
    assertThat(broker.history().after("a", MemoryBroker.BEGINNING).join().events()).hasSize(1);
    assertThat(broker.history().lastId("a").join()).isEqualTo("1");
  }

  @Test
  void trimmedIdIsIncompleteAndReplaysWhatIsLeft() {
    for (int i = 1; i <= 5; i++) {
      publish("a", "e" + i);
    }
    Replay replay = broker.history().after("a", "1").join();
    assertThat(replay.complete()).isFalse();
    assertThat(ids(replay)).containsExactly("3", "4", "5");
    assertThat(broker.history().after("a", MemoryBroker.BEGINNING).join().complete())
        .as("the beginning is no longer held once events were trimmed")
        .isFalse();
  }

  @Test
  void neverHeldIdIsIncomplete() {
    publish("a", "x");
    assertThat(broker.history().after("a", "999").join().complete()).isFalse();
    assertThat(broker.history().after("unknown", "5").join())
        .isEqualTo(new Replay(false, List.of()));
  }

  @Test
  void expiresByAgeButStillKnowsTheNewestId() {
    publish("a", "1");
    clock.advance(Duration.ofSeconds(61));
    Replay replay = broker.history().after("a", "1").join();
    assertThat(replay)
        .as("up to date, though its event expired")
        .isEqualTo(new Replay(true, List.of()));
    assertThat(broker.history().after("a", MemoryBroker.BEGINNING).join().complete()).isFalse();
    assertThat(broker.history().lastId("a").join()).isEqualTo("1");
  }

  @Test
  void reusedPublisherIdResumesFromItsLatestUse() {
    broker.publish("a", SseEvent.builder().id("same").data("1").build()).join();
    publish("a", "2");
    broker.publish("a", SseEvent.builder().id("same").data("3").build()).join();
    publish("a", "4");
    assertThat(broker.history().after("a", "same").join().events())
        .extracting(SseEvent::data)
        .containsExactly("4");
  }

  @Test
  void zeroHistoryKeepsNothing() {
    MemoryBroker none = new MemoryBroker(0, Duration.ofMinutes(1), clock);
    none.publish("a", SseEvent.of("x")).join();
    assertThat(none.history().after("a", "1").join()).isEqualTo(new Replay(true, List.of()));
    assertThat(none.history().after("a", MemoryBroker.BEGINNING).join().complete()).isFalse();
  }

  @Test
  void closedBrokerRefusesPublishes() {
    broker.close();
    assertThat(broker.isConnected()).isFalse();
    assertThatThrownBy(() -> publish("a", "x"))
        .hasCauseInstanceOf(BrokerUnavailableException.class);
  }

  @Test
  void refusesBadSettings() {
    assertThatThrownBy(() -> new MemoryBroker(-1, Duration.ofSeconds(1), clock))
        .hasMessageContaining("historySize");
    assertThatThrownBy(() -> new MemoryBroker(1, Duration.ZERO, clock))
        .hasMessageContaining("historyTtl");
    assertThatThrownBy(() -> new MemoryBroker(1, 0, 1, Duration.ofSeconds(1), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyMaxBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> new MemoryBroker(1, 1, -5, Duration.ofSeconds(1), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyMaxTotalBytes: -5 (expected: > 0)");
  }

  private static final String KIB = "x".repeat(1024);

  /** What one event of {@link #KIB} counts for. */
  private static final long KIB_EVENT =
      MemoryBroker.sizeOf(SseEvent.builder().id("1").data(KIB).build());

  @Test
  void aChannelsHistoryKeepsItsNewestEventsWithinItsByteBound() {
    // Ten events of two-digit ids (two bytes more each than KIB_EVENT) fit, not eleven.
    MemoryBroker bounded =
        new MemoryBroker(1000, 10 * KIB_EVENT + 20, 1L << 40, Duration.ofMinutes(1), clock);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(bounded.publish("a", SseEvent.of(KIB)).join().id());
    }
    assertThat(bounded.historyBytes()).isLessThanOrEqualTo(10 * KIB_EVENT + 20);
    Replay fromTrimmed = bounded.history().after("a", ids.get(3)).join();
    assertThat(fromTrimmed.complete()).as("the oldest left: a resume from them is cut").isFalse();
    assertThat(ids(fromTrimmed)).containsExactlyElementsOf(ids.subList(15, 25));
    Replay fromKept = bounded.history().after("a", ids.get(20)).join();
    assertThat(fromKept.complete()).isTrue();
    assertThat(ids(fromKept)).containsExactlyElementsOf(ids.subList(21, 25));
    bounded.publish("b", SseEvent.of("small")).join();
    assertThat(bounded.history().after("b", MemoryBroker.BEGINNING).join().events()).hasSize(1);
  }

  @Test
  void anEventLargerThanTheChannelsBoundIsDeliveredButNotKept() {
    MemoryBroker bounded = new MemoryBroker(1000, 100, 1L << 40, Duration.ofMinutes(1), clock);
    List<String> seen = new ArrayList<>();
    bounded.start((channel, event) -> seen.add(event.data()));
    bounded.subscribe("a").join();
    SseEvent stored = bounded.publish("a", SseEvent.of(KIB)).join();
    assertThat(seen).containsExactly(KIB);
    assertThat(bounded.history().after("a", stored.id()).join())
        .isEqualTo(new Replay(true, List.of()));
    assertThat(bounded.history().after("a", MemoryBroker.BEGINNING).join().complete()).isFalse();
    assertThat(bounded.historyBytes()).isZero();
  }

  @Test
  void allChannelsTogetherStayWithinTheNodesBoundOldestFirst() {
    long nodeBound = 40 * KIB_EVENT;
    MemoryBroker bounded =
        new MemoryBroker(1000, 1L << 40, nodeBound, Duration.ofMinutes(1), clock);
    String firstOfA = bounded.publish("a", SseEvent.of(KIB)).join().id();
    for (int i = 0; i < 100; i++) {
      bounded.publish("c" + (i % 7), SseEvent.of(KIB)).join();
      assertThat(bounded.historyBytes()).isLessThanOrEqualTo(nodeBound);
    }
    String lastOfA = bounded.publish("a", SseEvent.of(KIB)).join().id();
    assertThat(bounded.historyBytes()).isGreaterThan(nodeBound / 2);
    Replay a = bounded.history().after("a", MemoryBroker.BEGINNING).join();
    assertThat(a.complete()).as("a's oldest event left first").isFalse();
    assertThat(ids(a)).containsExactly(lastOfA);
    assertThat(bounded.history().after("a", firstOfA).join().complete()).isFalse();
  }

  @Test
  void expiredAndTrimmedEventsNoLongerCount() {
    MemoryBroker bounded = new MemoryBroker(2, 1L << 40, 1L << 40, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 5; i++) {
      bounded.publish("a", SseEvent.of(KIB)).join();
    }
    assertThat(bounded.historyBytes())
        .isEqualTo(2 * MemoryBroker.sizeOf(SseEvent.builder().id("4").data(KIB).build()));
    clock.advance(Duration.ofMinutes(2));
    bounded.history().lastId("a").join(); // a read expires what is due
    assertThat(bounded.historyBytes()).isZero();
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
