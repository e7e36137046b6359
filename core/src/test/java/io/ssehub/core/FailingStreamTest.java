package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.HubObserver.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One stream whose filter throws an {@link Error} (a stack overflow in a topic matcher, an out of
 * memory) is cut; the other streams of its lane still get the event, and the lane keeps running.
 */
class FailingStreamTest {
  private static final String CHANNEL = "ssehub.test";
  private final HubObserverTest.Recorder observer = new HubObserverTest.Recorder();
  private final SseHub hub = SseHub.builder().keepalive(Duration.ZERO).observer(observer).build();
  private final ExecutorService lane = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() {
    hub.close();
    lane.shutdownNow();
  }

  private RecordingSink subscribe(Predicate<SseEvent> filter, String lastEventId) {
    RecordingSink sink = new RecordingSink().onLane(lane);
    hub.subscribe(SubscribeRequest.reserved(CHANNEL, lastEventId, filter), sink);
    return sink;
  }

  private static Predicate<SseEvent> throwing(Supplier<Error> error) {
    return event -> {
      if (event.data().startsWith("poison")) {
        throw error.get();
      }
      return true;
    };
  }

  private void cutsOnlyTheFailingStreamOnItsLane(Supplier<Error> error) {
    RecordingSink before = subscribe(e -> true, null);
    RecordingSink bad = subscribe(throwing(error), null);
    RecordingSink after = subscribe(e -> true, null);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> hub.streamCount() == 3 && after.text().equals(":\n"));

    hub.publish(CHANNEL, SseEvent.of("poison")).join();
    hub.publish(CHANNEL, SseEvent.of("next")).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> after.data().size() == 2);
    assertThat(before.data()).containsExactly("poison", "next");
    assertThat(after.data()).containsExactly("poison", "next");
    assertThat(bad.data()).isEmpty();
    assertThat(bad.aborted()).as("its response ends; the client resumes by id").isTrue();
    assertThat(hub.streamCount()).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> observer.calls.contains("closed " + CloseReason.FAILED));
  }

  @Test
  void aStackOverflowInOneFilterCutsThatStreamAndTheOthersOnItsLaneGetTheEvent() {
    cutsOnlyTheFailingStreamOnItsLane(StackOverflowError::new);
  }

  @Test
  void anOutOfMemoryErrorInOneFilterCutsThatStreamAndTheOthersOnItsLaneGetTheEvent() {
    cutsOnlyTheFailingStreamOnItsLane(() -> new OutOfMemoryError("test"));
  }

  @Test
  void aFilterThatThrowsOnTheFanOutsOwnThreadDoesNotFailThePublish() {
    RecordingSink good = new RecordingSink();
    RecordingSink bad = new RecordingSink();
    hub.subscribe(SubscribeRequest.reserved(CHANNEL, null, throwing(StackOverflowError::new)), bad);
    hub.subscribe(SubscribeRequest.reserved(CHANNEL, null, e -> true), good);
    SseEvent stored = hub.publish(CHANNEL, SseEvent.of("poison")).join();
    assertThat(stored.id()).isNotNull();
    assertThat(good.data()).containsExactly("poison");
    assertThat(bad.aborted()).isTrue();
    assertThat(hub.streamCount()).isEqualTo(1);
  }

  @Test
  void aFilterThatThrowsDuringTheReplayCutsOnlyThatStream() {
    SseEvent first = hub.publish(CHANNEL, SseEvent.of("first")).join();
    hub.publish(CHANNEL, SseEvent.of("poison")).join();
    RecordingSink bad = subscribe(throwing(StackOverflowError::new), first.id());
    RecordingSink good = subscribe(e -> true, first.id());
    await().atMost(Duration.ofSeconds(5)).until(() -> good.data().size() == 1);
    hub.publish(CHANNEL, SseEvent.of("live")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> good.data().size() == 2);
    assertThat(good.data()).containsExactly("poison", "live");
    assertThat(bad.aborted()).isTrue();
    assertThat(hub.streamCount()).isEqualTo(1);
    assertThat(observer.calls).contains("closed " + CloseReason.FAILED);
  }

  @Test
  void aSinkThatThrowsAnErrorIsCutAndTheOthersGetTheEvent() {
    RecordingSink bad =
        new RecordingSink() {
          @Override
          public synchronized void send(byte[] chunk) {
            if (new String(chunk, java.nio.charset.StandardCharsets.UTF_8).contains("poison")) {
              throw new StackOverflowError();
            }
            super.send(chunk);
          }
        }.onLane(lane);
    hub.subscribe(SubscribeRequest.of(List.of("news"), null), bad);
    RecordingSink good = new RecordingSink().onLane(lane);
    hub.subscribe(SubscribeRequest.of(List.of("news"), null), good);
    hub.publish("news", SseEvent.of("poison")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> good.data().size() == 1);
    assertThat(bad.aborted()).isTrue();
    assertThat(hub.streamCount()).isEqualTo(1);
  }
}
