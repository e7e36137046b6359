package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.HubObserver.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * What the hub tells its observer: once per stream and per fan-out, and never at the hub's expense.
 */
class HubObserverTest {

  /** Records every callback as a line. */
  static final class Recorder implements HubObserver {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void streamOpened(List<String> channels) {
      calls.add("opened " + channels);
    }

    @Override
    public void streamClosed(CloseReason reason) {
      calls.add("closed " + reason);
    }

    @Override
    public void eventPublished(String channel) {
      calls.add("published " + channel);
    }

    @Override
    public void eventDelivered(String channel, int streams, long fanOutNanos) {
      assertThat(fanOutNanos).isNotNegative();
      calls.add("delivered " + channel + " to " + streams);
    }

    @Override
    public void historyReplayed(int events) {
      calls.add("replayed " + events);
    }
  }

  private static SseHub hub(HubObserver observer, Authorizer authorizer) {
    return SseHub.builder()
        .observer(observer)
        .authorizer(authorizer)
        .keepalive(Duration.ZERO)
        .maxPendingBytes(1000)
        .maxChannelsPerStream(2)
        .build();
  }

  @Test
  void aFanOutOverLanesIsReportedOnceWhenTheLastLaneIsDoneWithEveryStreamCounted() {
    Recorder recorder = new Recorder();
    ExecutorService laneA = Executors.newSingleThreadExecutor();
    ExecutorService laneB = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try (SseHub hub = hub(recorder, Authorizer.ALLOW_ALL)) {
      List<RecordingSink> sinks = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sinks.add(new RecordingSink().onLane(laneA));
      }
      for (int i = 0; i < 2; i++) {
        sinks.add(new RecordingSink().onLane(laneB));
      }
      sinks.add(new RecordingSink()); // no lane: served on the publishing thread
      for (RecordingSink sink : sinks) {
        hub.subscribe(SubscribeRequest.of(List.of("logs"), null), sink);
      }
      laneB.execute(() -> SseHubTest.awaitQuietly(release));
      hub.publish("logs", "one").join();
      await().atMost(Duration.ofSeconds(5)).until(() -> sinks.get(0).data().size() == 1);
      assertThat(recorder.calls)
          .as("lane B has not run yet")
          .noneMatch(call -> call.startsWith("delivered"));
      release.countDown();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> recorder.calls.contains("delivered logs to 6"));
      assertThat(recorder.calls.stream().filter(call -> call.startsWith("delivered")))
          .containsExactly("delivered logs to 6");
    } finally {
      release.countDown();
      laneA.shutdownNow();
      laneB.shutdownNow();
    }
  }

  @Test
  void streamsAndEventsAreReportedOncePerFanOut() {
    Recorder recorder = new Recorder();
    try (SseHub hub = hub(recorder, Authorizer.ALLOW_ALL)) {
      Subscription a =
          hub.subscribe(SubscribeRequest.of(List.of("logs"), null), new RecordingSink());
      hub.subscribe(SubscribeRequest.of(List.of("logs"), null), new RecordingSink());
      hub.publish("logs", "one").join();
      a.close();
      hub.publish("logs", "two").join();
      assertThat(recorder.calls)
          .containsExactly(
              "opened [logs]",
              "opened [logs]",
              "delivered logs to 2",
              "published logs",
              "closed CLIENT_GONE",
              "delivered logs to 1",
              "published logs");
    }
    assertThat(recorder.calls).endsWith("closed SHUTDOWN");
  }

  @Test
  void refusalsLimitsAndSlowConsumersHaveTheirReasons() {
    Recorder recorder = new Recorder();
    Authorizer onlyLogs =
        request ->
            request.channels().equals(List.of("logs"))
                ? AccessDecision.allow()
                : AccessDecision.forbidden("no");
    try (SseHub hub = hub(recorder, onlyLogs)) {
      assertThatThrownBy(
              () ->
                  hub.subscribe(SubscribeRequest.of(List.of("secret"), null), new RecordingSink()))
          .isInstanceOf(AccessDeniedException.class);
      assertThatThrownBy(
              () ->
                  hub.subscribe(
                      SubscribeRequest.of(List.of("a", "b", "c"), null), new RecordingSink()))
          .isInstanceOf(InvalidInputException.class);
      RecordingSink slow = new RecordingSink();
      hub.subscribe(SubscribeRequest.of(List.of("logs"), null), slow);
      slow.pending(1001);
      hub.publish("logs", "x").join();
      assertThat(recorder.calls)
          .containsExactly(
              "closed REFUSED",
              "closed LIMIT",
              "opened [logs]",
              "closed SLOW_CONSUMER",
              "delivered logs to 1",
              "published logs");
    }
  }

  @Test
  void aResumedStreamReportsItsReplay() {
    Recorder recorder = new Recorder();
    try (SseHub hub = hub(recorder, Authorizer.ALLOW_ALL)) {
      SseEvent first = hub.publish("logs", "one").join();
      hub.publish("logs", "two").join();
      hub.publish("logs", "three").join();
      RecordingSink sink = new RecordingSink();
      hub.subscribe(SubscribeRequest.of(List.of("logs"), first.id()), sink);
      assertThat(sink.data()).containsExactly("two", "three");
      assertThat(recorder.calls).contains("replayed 2");
    }
  }

  @Test
  void aFailingObserverNeverBreaksTheHub() {
    HubObserver broken =
        new HubObserver() {
          @Override
          public void streamOpened(List<String> channels) {
            throw new IllegalStateException("observer down");
          }

          @Override
          public void eventDelivered(String channel, int streams, long fanOutNanos) {
            throw new IllegalStateException("observer down");
          }

          @Override
          public void eventPublished(String channel) {
            throw new IllegalStateException("observer down");
          }

          @Override
          public void streamClosed(CloseReason reason) {
            throw new IllegalStateException("observer down");
          }
        };
    try (SseHub hub = hub(broken, Authorizer.ALLOW_ALL)) {
      RecordingSink sink = new RecordingSink();
      Subscription subscription = hub.subscribe(SubscribeRequest.of(List.of("logs"), null), sink);
      assertThat(hub.publish("logs", "still delivered").join().id()).isNotNull();
      assertThat(sink.data()).containsExactly("still delivered");
      subscription.close();
      assertThat(hub.streamCount()).isZero();
    }
  }
}
