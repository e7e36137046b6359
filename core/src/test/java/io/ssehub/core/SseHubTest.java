package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ssehub.testkit.SseParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseHubTest {
  private final CountingBroker broker = new CountingBroker(new MemoryBroker());
  private final SseHub hub =
      SseHub.builder().broker(broker).keepalive(Duration.ZERO).maxPendingBytes(1000).build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  private RecordingSink subscribe(String... channels) {
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of(channels), null), sink);
    return sink;
  }

  private SseEvent publish(String channel, String data) {
    return hub.publish(channel, SseEvent.of(data)).join();
  }

  @Test
  void streamStartsWithRetryThenItsPosition() {
    RecordingSink sink = subscribe("logs");
    assertThat(sink.text()).isEqualTo("retry: 3000\n\nid: 0\n\n");
    assertThat(sink.parsed()).containsExactly(new SseParser.IdOnly("0"));
  }

  @Test
  void eventsReachOnlyTheirChannelsInOrder() {
    RecordingSink logs = subscribe("logs");
    RecordingSink news = subscribe("news");
    for (int i = 0; i < 5; i++) {
      publish("logs", "l" + i);
      publish("news", "n" + i);
    }
    assertThat(logs.data()).containsExactly("l0", "l1", "l2", "l3", "l4");
    assertThat(news.data()).containsExactly("n0", "n1", "n2", "n3", "n4");
  }

  @Test
  void eventIsEncodedOnceAndItsBytesShared() {
    List<RecordingSink> sinks = List.of(subscribe("a"), subscribe("a"), subscribe("a"));
    publish("a", "shared");
    byte[] first = last(sinks.get(0).writes());
    for (RecordingSink sink : sinks) {
      assertThat(last(sink.writes())).isSameAs(first);
    }
  }

  @Test
  void aSinksEventsAreSentOnItsLaneOneTaskPerLaneAndCountedWhileQueued() throws Exception {
    ExecutorService laneA = Executors.newSingleThreadExecutor(named("lane-a"));
    ExecutorService laneB = Executors.newSingleThreadExecutor(named("lane-b"));
    CountDownLatch blocked = new CountDownLatch(1);
    try {
      List<RecordingSink> onA = new ArrayList<>();
      List<RecordingSink> onB = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        onA.add(subscribeOn(laneA, "logs"));
        onB.add(subscribeOn(laneB, "logs"));
      }
      RecordingSink direct = subscribe("logs");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onA.get(2).parsed().size() == 1 && onB.get(2).parsed().size() == 1);

      laneA.execute(() -> awaitQuietly(blocked)); // lane A busy: its three deliveries wait
      publish("logs", "x");
      assertThat(direct.data()).as("a sink without a lane is sent to at once").containsExactly("x");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onB.stream().allMatch(sink -> sink.data().size() == 1));
      assertThat(hub.queuedDeliveries()).isEqualTo(3);
      assertThat(onA.get(0).data()).isEmpty();

      blocked.countDown();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onA.stream().allMatch(sink -> sink.data().size() == 1));
      assertThat(hub.queuedDeliveries()).isZero();
      for (RecordingSink sink : onA) {
        List<String> threads = sink.sendingThreads();
        // The retry hint goes out on the subscribing thread (a transport subscribes on its own).
        assertThat(threads.subList(1, threads.size()))
            .as("the start and the event on the lane")
            .containsOnly("lane-a");
      }
      for (RecordingSink sink : onB) {
        assertThat(sink.sendingThreads()).endsWith("lane-b");
      }
    } finally {
      blocked.countDown();
      laneA.shutdownNow();
      laneB.shutdownNow();
    }
  }

  @Test
  void aLaneThatRefusesTasksEndsItsStreamsStartAndSkipsItsDeliveries() {
    ExecutorService lane = Executors.newSingleThreadExecutor();
    lane.shutdown(); // as an event loop that is shutting down
    RecordingSink refused = subscribeOn(lane, "logs");
    assertThat(refused.closed()).as("its start could not be run: the stream ended").isTrue();
    assertThat(hub.streamCount()).isZero();
    RecordingSink live = subscribe("logs");
    publish("logs", "x");
    assertThat(live.data()).containsExactly("x");
    assertThat(hub.queuedDeliveries()).isZero();
  }

  private RecordingSink subscribeOn(Executor lane, String channel) {
    RecordingSink sink = new RecordingSink().onLane(lane);
    hub.subscribe(SubscribeRequest.of(List.of(channel), null), sink);
    return sink;
  }

  private static ThreadFactory named(String name) {
    return runnable -> new Thread(runnable, name);
  }

  /** Waits at most 10 s for {@code latch}: for a task that holds a lane busy. */
  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void oneBrokerSubscriptionPerChannelWhateverTheStreams() {
    List<Subscription> subscriptions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      subscriptions.add(
          hub.subscribe(SubscribeRequest.of(List.of("a", "b"), null), new RecordingSink()));
    }
    assertThat(broker.subscribes.get()).isEqualTo(2);
    assertThat(hub.subscribedChannels()).containsExactlyInAnyOrder("a", "b");
    subscriptions.forEach(Subscription::close);
    assertThat(broker.unsubscribes.get()).isEqualTo(2);
    assertThat(hub.subscribedChannels()).isEmpty();
    assertThat(hub.streamCount()).isZero();
    subscribe("a");
    assertThat(broker.subscribes.get()).as("the next first stream subscribes again").isEqualTo(3);
  }

  @Test
  void streamOverSeveralChannelsSendsACursorAsId() {
    publish("b", "before");
    RecordingSink sink = subscribe("a", "b");
    assertThat(sink.lastEventId()).isEqualTo("*a=0,b=1");
    publish("a", "x");
    publish("b", "y");
    assertThat(sink.events())
        .containsExactly(SseParser.Event.of("*a=1,b=1", "x"), SseParser.Event.of("*a=1,b=2", "y"));
  }

  @Test
  void resumeReplaysWhatWasMissedThenGoesLive() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      ids.add(publish("logs", "e" + i).id());
    }
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of("logs"), ids.get(1)), sink);
    publish("logs", "e6");
    assertThat(sink.data()).containsExactly("e3", "e4", "e5", "e6");
    assertThat(sink.lastEventId()).isEqualTo("6");
  }

  @Test
  void unknownIdIsAnsweredWithACutThenWhatHistoryHolds() {
    publish("logs", "kept");
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of("logs"), "no-such-id"), sink);
    List<SseParser.Event> events = sink.events();
    assertThat(events).hasSize(2);
    assertThat(events.get(0).type()).isEqualTo(SseEvent.HISTORY_CUT_TYPE);
    assertThat(events.get(0).data())
        .isEqualTo("{\"channel\":\"logs\",\"lastEventId\":\"no-such-id\"}");
    assertThat(events.get(1).data()).isEqualTo("kept");
  }

  @Test
  void cutWithNothingRetainedMovesTheClientToTheNewestSoItIsNotCutAgain() {
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of("empty"), "42"), sink);
    assertThat(sink.events())
        .extracting(SseParser.Event::type)
        .containsExactly(SseEvent.HISTORY_CUT_TYPE);
    assertThat(sink.lastEventId()).isEqualTo("0");
  }

  @Test
  void resumeOverSeveralChannelsFromACursor() {
    RecordingSink first = subscribe("a", "b", "c");
    publish("a", "a1");
    publish("b", "b1");
    String cursor = first.lastEventId();
    publish("c", "c1");
    publish("a", "a2");
    RecordingSink resumed = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of("a", "b", "c"), cursor), resumed);
    assertThat(resumed.data()).containsExactlyInAnyOrder("c1", "a2");
    assertThat(resumed.lastEventId()).isEqualTo("*a=2,b=1,c=1");
  }

  @Test
  void slowStreamIsCutAndTheOthersGoOn() {
    RecordingSink slow = subscribe("a");
    RecordingSink fast = subscribe("a");
    slow.pending(1001);
    publish("a", "x");
    assertThat(slow.aborted()).isTrue();
    assertThat(hub.slowConsumerCuts()).isEqualTo(1);
    assertThat(hub.streamCount()).isEqualTo(1);
    publish("a", "y");
    assertThat(fast.data()).containsExactly("x", "y");
  }

  @Test
  void whenAllStreamsTogetherHoldTooMuchTheFurthestBehindAreCut() {
    try (SseHub node =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .maxPendingBytes(1_000_000)
            .maxTotalPendingBytes(10_000)
            .build()) {
      List<RecordingSink> sinks = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        RecordingSink sink = new RecordingSink();
        node.subscribe(SubscribeRequest.of(List.of("a"), null), sink);
        sinks.add(sink);
      }
      // Each under its own limit, 19,000 together: the two furthest behind go, leaving 3,000 (at
      // most half the node's limit).
      sinks.get(0).pending(8_000);
      sinks.get(1).pending(3_000);
      sinks.get(2).pending(8_000);
      sinks.get(3).pending(0);

      await().atMost(Duration.ofSeconds(5)).until(() -> node.slowConsumerCuts() == 2);
      assertThat(sinks)
          .extracting(RecordingSink::aborted)
          .containsExactly(true, false, true, false);
      assertThat(node.streamCount()).isEqualTo(2);
      node.publish("a", SseEvent.of("after")).join();
      assertThat(sinks.get(3).data()).containsExactly("after");
    }
  }

  @Test
  void eventsOnTheirWayToTheStreamsCountTowardsTheNodesLimit() {
    List<Runnable> held = new ArrayList<>(); // a lane that has not run its tasks yet
    Executor heldLane =
        task -> {
          synchronized (held) {
            held.add(task);
          }
        };
    try (SseHub node =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .maxPendingBytes(1_000_000)
            .maxTotalPendingBytes(10_000)
            .build()) {
      RecordingSink behind = new RecordingSink().onLane(heldLane);
      RecordingSink idle = new RecordingSink().onLane(heldLane);
      node.subscribe(SubscribeRequest.of(List.of("a"), null), behind);
      node.subscribe(SubscribeRequest.of(List.of("a"), null), idle);
      behind.pending(100); // alone, far under the limit
      String kilobyte = "x".repeat(1000);
      for (int i = 0; i < 10; i++) {
        node.publish("a", SseEvent.of(kilobyte))
            .join(); // 2 streams x 10 events x ~1 KB wait in the lane
      }

      // Only a stream that holds bytes itself is cut for them; the other has nothing to drop yet.
      await().atMost(Duration.ofSeconds(5)).until(behind::aborted);
      assertThat(idle.aborted()).isFalse();
      assertThat(node.slowConsumerCuts()).isEqualTo(1);
    }
  }

  @Test
  void streamsThatTogetherStayUnderTheNodesLimitAreLeftAlone() {
    try (SseHub node =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .maxPendingBytes(1_000_000)
            .maxTotalPendingBytes(10_000)
            .build()) {
      RecordingSink behind = new RecordingSink();
      node.subscribe(SubscribeRequest.of(List.of("a"), null), behind);
      behind.pending(9_999);

      // Several sweeps go by (one each 100 ms) and the stream stays.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !behind.aborted());
      assertThat(node.slowConsumerCuts()).isZero();
    }
  }

  @Test
  void aNodeLimitOnPendingBytesBelowOneIsRefusedByName() {
    assertThatThrownBy(() -> SseHub.builder().maxTotalPendingBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTotalPendingBytes: 0 (expected: > 0)");
  }

  @Test
  void longReplayIsPacedByTheClientInsteadOfCutting() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      publish("a", "event number " + i + " with some padding to make it longer");
      expected.add("event number " + i + " with some padding to make it longer");
    }
    RecordingSink sink = new RecordingSink().paced();
    hub.subscribe(
        SubscribeRequest.of(List.of("a"), "0"),
        sink); // all 40: about 2,800 bytes, the bound is 1,000
    publish("a", "live");
    expected.add("live");
    int rounds = 0;
    while (sink.waitingForWritable()) {
      assertThat(sink.data().size()).as("paced, not all at once").isLessThan(41);
      sink.drain();
      rounds++;
    }
    assertThat(rounds).isGreaterThan(2);
    assertThat(sink.aborted()).isFalse();
    assertThat(sink.data()).containsExactlyElementsOf(expected);
  }

  @Test
  void keepalivesGoOnlyToIdleStreams() {
    RecordingSink idle = subscribe("a");
    RecordingSink busy = subscribe("b");
    hub.sendKeepalives(); // both wrote their start since the last sweep
    publish("b", "x");
    hub.sendKeepalives();
    assertThat(idle.parsed()).endsWith(new SseParser.Comment(""));
    assertThat(busy.parsed()).doesNotContain(new SseParser.Comment(""));
  }

  @Test
  void oneFailingStreamDoesNotKeepEventsFromTheOthers() {
    hub.subscribe(
        SubscribeRequest.of("a"),
        new RecordingSink() {
          private int sends;

          @Override
          public synchronized void send(byte[] chunk) {
            if (++sends > 2) {
              throw new IllegalStateException("boom");
            }
            super.send(chunk);
          }
        });
    RecordingSink healthy = subscribe("a");
    publish("a", "x");
    publish("a", "y");
    assertThat(healthy.data()).containsExactly("x", "y");
    assertThat(hub.streamCount()).isEqualTo(1);
  }

  @Test
  void streamClosedBeforeItStartedLeavesNothingBehind() {
    CompletableFuture<Void> pending = new CompletableFuture<>();
    broker.holdSubscribes(pending);
    Subscription subscription = hub.subscribe(SubscribeRequest.of("a"), new RecordingSink());
    subscription.close();
    pending.complete(null);
    assertThat(hub.subscribedChannels()).isEmpty();
    assertThat(hub.streamCount()).isZero();
  }

  @Test
  void liveEventsDuringAStartAreHeldBackThenSentOnce() {
    for (int i = 1; i <= 3; i++) {
      publish("a", "e" + i);
    }
    CompletableFuture<Void> pending = new CompletableFuture<>();
    broker.holdSubscribes(pending);
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of("a"), "1"), sink);
    broker.deliverDirectly(
        "a", SseEvent.builder().id("3").data("e3").build()); // also in the replay
    publish("a", "e4");
    pending.complete(null);
    assertThat(sink.data()).containsExactly("e2", "e3", "e4");
  }

  @Test
  void eventsMissedWhileTheBrokerWasAwayArriveOnItsReturnOnceAndInOrder() {
    RecordingSink sink = subscribe("a");
    publish("a", "e1");
    broker.loseConnection();
    publish("a", "e2"); // stored by another node meanwhile: in history, never delivered here
    publish("a", "e3");
    broker.resubscribe();
    publish("a", "e4"); // arrives live before the hub hears it is back: held, and also replayed
    broker.announceConnected();
    publish("a", "e5");
    assertThat(sink.data()).containsExactly("e1", "e2", "e3", "e4", "e5");
    assertThat(hub.streamCount()).isEqualTo(1);
  }

  @Test
  void streamsWhosePositionHistoryLostMeanwhileAreToldAndMovedOn() {
    CountingBroker small =
        new CountingBroker(new MemoryBroker(1, Duration.ofHours(1), java.time.Clock.systemUTC()));
    try (SseHub hubOverSmall = SseHub.builder().broker(small).keepalive(Duration.ZERO).build()) {
      RecordingSink sink = new RecordingSink();
      hubOverSmall.subscribe(SubscribeRequest.of("a"), sink);
      hubOverSmall.publish("a", SseEvent.of("e1")).join();
      small.loseConnection();
      hubOverSmall.publish("a", SseEvent.of("e2")).join();
      hubOverSmall.publish("a", SseEvent.of("e3")).join(); // trims e2: e1's successor is lost
      small.resubscribe();
      small.announceConnected();
      assertThat(sink.closed()).isFalse();
      assertThat(sink.events())
          .extracting(SseParser.Event::type)
          .containsExactly("message", SseEvent.HISTORY_CUT_TYPE, "message");
      assertThat(sink.data())
          .containsExactly("e1", "{\"channel\":\"a\",\"lastEventId\":\"1\"}", "e3");
      assertThat(sink.lastEventId()).isEqualTo("3");
      hubOverSmall.publish("a", SseEvent.of("e4")).join();
      assertThat(sink.data()).endsWith("e4");
    }
  }

  @Test
  void heldEventsUpToTheResumePointAreNotSentAgain() {
    publish("a", "e1");
    SseEvent e2 = publish("a", "e2");
    SseEvent e3 = publish("a", "e3");
    CompletableFuture<Void> pending = new CompletableFuture<>();
    broker.holdSubscribes(pending);
    RecordingSink sink = new RecordingSink();
    // The client read up to e3 through another node, which died; e2 and e3 also reach this node
    // live while the stream starts (they were in flight), and are held back.
    hub.subscribe(SubscribeRequest.of(List.of("a"), e3.id()), sink);
    broker.deliverDirectly("a", e2);
    broker.deliverDirectly("a", e3);
    publish("a", "e4");
    pending.complete(null);
    assertThat(sink.data()).containsExactly("e4");
  }

  @Test
  void failedSubscriptionEndsItsStreamsAndTheNextStreamTriesAgain() {
    broker.holdSubscribes(CompletableFuture.failedFuture(new BrokerUnavailableException("no")));
    RecordingSink first = subscribe("a");
    assertThat(first.closed()).isTrue();
    assertThat(hub.subscribedChannels()).isEmpty();
    broker.holdSubscribes(null);
    RecordingSink second = subscribe("a");
    publish("a", "x");
    assertThat(second.data()).containsExactly("x");
  }

  @Test
  void closeEndsEveryStreamAndRefusesMore() {
    RecordingSink sink = subscribe("a");
    hub.close();
    assertThat(sink.closed()).isTrue();
    assertThat(sink.parsed()).contains(new SseParser.Comment("ssehub is shutting down; reconnect"));
    assertThatThrownBy(() -> publish("a", "x"))
        .hasCauseInstanceOf(BrokerUnavailableException.class);
    assertThatThrownBy(() -> subscribe("a")).isInstanceOf(BrokerUnavailableException.class);
    assertThat(hub.isReady()).isFalse();
  }

  @Test
  void publishRefusesBadInputWithTheField() {
    assertThatThrownBy(() -> publish("bad channel", "x"))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("channel");
    assertThatThrownBy(
            () -> hub.publish("a", SseEvent.builder().type("ssehub.history-cut").build()))
        .hasMessageContaining("reserved");
    SseHub small = SseHub.builder().maxEventBytes(100).build();
    try {
      assertThatThrownBy(() -> small.publish("a", "x".repeat(100)))
          .isInstanceOf(EventTooLargeException.class)
          .hasMessageContaining("(expected: at most 100)");
      assertThat(small.publish("a", "x".repeat(50)).join().id()).isEqualTo("1");
    } finally {
      small.close();
    }
  }

  @Test
  void subscribeRefusesBadChannelsAndIds() {
    assertThatThrownBy(() -> SubscribeRequest.of(List.of("a", "b*"), null))
        .hasMessageStartingWith("channel: ");
    assertThatThrownBy(() -> SubscribeRequest.of(List.of("a"), "1\n2"))
        .hasMessageStartingWith("lastEventId: ");
    assertThat(SubscribeRequest.of(List.of(), "").channels()).containsExactly("sse");
    assertThat(SubscribeRequest.of(List.of("a", "b", "a"), null).channels())
        .containsExactly("a", "b");
  }

  @Test
  void streamOverTooManyChannelsIsRefused() {
    try (SseHub limited = SseHub.builder().maxChannelsPerStream(2).build()) {
      assertThatThrownBy(
              () ->
                  limited.subscribe(
                      SubscribeRequest.of(List.of("a", "b", "c"), null), new RecordingSink()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("channel: a stream may read at most 2 channels (got 3)");
      assertThat(limited.streamCount()).isZero();
    }
  }

  @Test
  void drainEndsEveryStreamWithinTheWindowAndSendsLateComersBack() throws Exception {
    try (SseHub draining = SseHub.builder().keepalive(Duration.ZERO).build()) {
      List<RecordingSink> sinks = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        RecordingSink sink = new RecordingSink();
        draining.subscribe(SubscribeRequest.of("a"), sink);
        sinks.add(sink);
      }
      CompletableFuture<Void> drained = draining.drain(Duration.ofMillis(300));
      assertThat(draining.isDraining()).isTrue();
      RecordingSink late = new RecordingSink();
      draining.subscribe(SubscribeRequest.of("a"), late);
      assertThat(late.closed()).as("a stream arriving while draining ends at once").isTrue();
      assertThat(late.parsed())
          .contains(new SseParser.Comment("ssehub is shutting down; reconnect"));
      assertThat(draining.publish("a", "still published").join().id()).isNotNull();
      drained.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(sinks).allSatisfy(sink -> assertThat(sink.closed()).isTrue());
      assertThat(draining.streamCount()).isZero();
    }
  }

  @Test
  void keepaliveTimerRunsOnItsOwn() {
    try (SseHub ticking = SseHub.builder().keepalive(Duration.ofMillis(20)).build()) {
      RecordingSink sink = new RecordingSink();
      ticking.subscribe(SubscribeRequest.of("a"), sink);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> sink.parsed().contains(new SseParser.Comment("")));
    }
  }

  @Test
  void streamsThatStartWhileTheChannelsHeadIsBeingReadShareOneReadOfIt() {
    subscribe("storm"); // the channel is subscribed, its group in place
    broker.holdHistoryReads();
    int before = broker.headReads.get();
    List<RecordingSink> storm = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      storm.add(subscribe("storm"));
    }
    assertThat(broker.headReads.get() - before)
        .as("reads sent while one is on its way")
        .isEqualTo(1);

    assertThat(broker.releaseHistoryReads()).isEqualTo(1);
    assertThat(broker.headReads.get() - before)
        .as("the 49 that asked meanwhile share the next")
        .isEqualTo(2);
    assertThat(broker.releaseHistoryReads()).isEqualTo(1);

    publish("storm", "after");
    assertThat(storm).allSatisfy(sink -> assertThat(sink.data()).containsExactly("after"));
  }

  @Test
  void aStreamThatJoinsWhileTheHeadIsBeingReadIsNotToldAPositionBeforeAnEventItMissed() {
    subscribe("c");
    broker.holdHistoryReads();
    RecordingSink early = subscribe("c"); // its head read goes out now, before "missed"
    SseEvent missed = publish("c", "missed"); // held back for early, which joined before it
    RecordingSink late =
        subscribe("c"); // joined after "missed": it must start after it, not before
    broker.releaseHistoryReads();
    broker.releaseHistoryReads();
    publish("c", "next");

    assertThat(early.data()).containsExactly("missed", "next");
    // Told "id: 0" and then given "next" only, late's client would resume past "missed" and never
    // get it.
    assertThat(late.parsed().get(0)).isEqualTo(new SseParser.IdOnly(missed.id()));
    assertThat(late.data()).containsExactly("next");
  }

  @Test
  void streamsThatResumeFromTheSameIdWhileItsReplayIsBeingReadShareOneRead() {
    subscribe("r");
    SseEvent seen = publish("r", "seen");
    publish("r", "missed");
    broker.holdHistoryReads();
    int before = broker.replayReads.get();
    List<RecordingSink> resumed = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      resumed.add(resume("r", seen.id()));
    }
    assertThat(broker.replayReads.get() - before)
        .as("reads sent while one is on its way")
        .isEqualTo(1);
    broker.releaseHistoryReads();
    broker.releaseHistoryReads();
    assertThat(broker.replayReads.get() - before)
        .as("the 49 that asked meanwhile share the next")
        .isEqualTo(2);

    publish("r", "live");
    assertThat(resumed)
        .allSatisfy(sink -> assertThat(sink.data()).containsExactly("missed", "live"));
  }

  @Test
  void aStreamThatResumesWhileAReplayIsBeingReadGetsWhatWasPublishedBeforeItJoined() {
    subscribe("r");
    SseEvent seen = publish("r", "seen");
    broker.holdHistoryReads();
    RecordingSink early = resume("r", seen.id()); // its replay read goes out now, before "between"
    publish("r", "between"); // live for early, which joined before it
    RecordingSink late = resume("r", seen.id()); // joined after "between": only a later read has it
    broker.releaseHistoryReads();
    broker.releaseHistoryReads();

    assertThat(early.data()).containsExactly("between");
    assertThat(late.data()).containsExactly("between");
  }

  private RecordingSink resume(String channel, String lastEventId) {
    RecordingSink sink = new RecordingSink();
    hub.subscribe(SubscribeRequest.of(List.of(channel), lastEventId), sink);
    return sink;
  }

  private static byte[] last(List<byte[]> writes) {
    return writes.get(writes.size() - 1);
  }

  /** Counts the hub's subscribe calls, and can hold them back to catch a stream mid-start. */
  static final class CountingBroker implements Broker {
    final Broker delegate;
    final AtomicInteger subscribes = new AtomicInteger();
    final AtomicInteger unsubscribes = new AtomicInteger();
    private volatile CompletableFuture<Void> hold;
    private volatile Listener listener;

    /** History reads sent while held: each reads history when sent, and answers on release. */
    private final List<Runnable> heldHistoryReads = new ArrayList<>();

    private boolean holdingHistoryReads;
    final AtomicInteger headReads = new AtomicInteger();
    final AtomicInteger replayReads = new AtomicInteger();
    private volatile boolean dropLive;

    CountingBroker(Broker delegate) {
      this.delegate = delegate;
    }

    void holdSubscribes(CompletableFuture<Void> until) {
      hold = until;
    }

    /**
     * From now on, history reads are taken when sent and answered on {@link #releaseHistoryReads}.
     */
    synchronized void holdHistoryReads() {
      holdingHistoryReads = true;
    }

    /** Answers the held history reads; returns how many there were. */
    int releaseHistoryReads() {
      List<Runnable> answers;
      synchronized (this) {
        answers = new ArrayList<>(heldHistoryReads);
        heldHistoryReads.clear();
      }
      answers.forEach(Runnable::run);
      return answers.size();
    }

    /** {@code value}, taken now (the memory broker answers at once), answered now or on release. */
    private synchronized <T> CompletableFuture<T> heldOrNot(T value) {
      if (!holdingHistoryReads) {
        return CompletableFuture.completedFuture(value);
      }
      CompletableFuture<T> answer = new CompletableFuture<>();
      heldHistoryReads.add(() -> answer.complete(value));
      return answer;
    }

    void deliverDirectly(String channel, SseEvent event) {
      listener.onEvent(channel, event);
    }

    /** The node's link breaks: the hub is told, and live events stop arriving. */
    void loseConnection() {
      dropLive = true;
      listener.onConnectionChanged(false);
    }

    /** Live events arrive again (the broker resubscribed), before it says it is connected. */
    void resubscribe() {
      dropLive = false;
    }

    void announceConnected() {
      listener.onConnectionChanged(true);
    }

    @Override
    public void start(Listener listener) {
      this.listener = listener;
      delegate.start(
          new Listener() {
            @Override
            public void onEvent(String channel, SseEvent event) {
              if (!dropLive) {
                listener.onEvent(channel, event);
              }
            }

            @Override
            public void onConnectionChanged(boolean connected) {
              listener.onConnectionChanged(connected);
            }
          });
    }

    @Override
    public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
      return delegate.publish(channel, event);
    }

    @Override
    public CompletableFuture<Void> subscribe(String channel) {
      subscribes.incrementAndGet();
      CompletableFuture<Void> subscribed = delegate.subscribe(channel);
      CompletableFuture<Void> held = hold;
      return held == null ? subscribed : subscribed.thenCombine(held, (a, b) -> null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String channel) {
      unsubscribes.incrementAndGet();
      return delegate.unsubscribe(channel);
    }

    @Override
    public History history() {
      History history = delegate.history();
      return new History() {
        @Override
        public CompletableFuture<String> lastId(String channel) {
          headReads.incrementAndGet();
          return heldOrNot(history.lastId(channel).join());
        }

        @Override
        public CompletableFuture<Replay> after(String channel, String lastEventId) {
          replayReads.incrementAndGet();
          return heldOrNot(history.after(channel, lastEventId).join());
        }
      };
    }

    @Override
    public boolean isConnected() {
      return delegate.isConnected();
    }

    @Override
    public String describe() {
      return "counting " + delegate.describe();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
