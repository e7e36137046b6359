package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The hub's periodic tasks survive what they throw, and readiness tells when they stall. */
class UpkeepTest {

  @Test
  void theNodesPendingBytesSweepKeepsRunningAfterItThrowsAnError() {
    AtomicBoolean throwOnce = new AtomicBoolean(true);
    HubObserver observer =
        new HubObserver() {
          @Override
          public void streamClosed(CloseReason reason) {
            if (reason == CloseReason.SLOW_CONSUMER && throwOnce.getAndSet(false)) {
              throw new OutOfMemoryError("test: thrown inside the sweep");
            }
          }
        };
    try (SseHub node =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .observer(observer)
            .maxPendingBytes(1_000_000)
            .maxTotalPendingBytes(10_000)
            .build()) {
      RecordingSink first = new RecordingSink();
      node.subscribe(SubscribeRequest.of(List.of("a"), null), first);
      first.pending(20_000);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(first::aborted); // the sweep threw while cutting it
      assertThat(throwOnce).isFalse();

      RecordingSink second = new RecordingSink();
      node.subscribe(SubscribeRequest.of(List.of("a"), null), second);
      second.pending(20_000);
      await("the sweep runs again").atMost(Duration.ofSeconds(5)).until(second::aborted);
      assertThat(node.isUpkeepHealthy()).isTrue();
      assertThat(node.isReady()).isTrue();
    }
  }

  @Test
  void readinessTurnsFalseWhileThePeriodicTasksDoNotRunAndBackWhenTheyDo() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try (SseHub node = SseHub.builder().scheduler(scheduler).build()) {
      assertThat(node.isReady()).isTrue();
      scheduler.execute(
          () -> SseHubTest.awaitQuietly(release)); // the scheduler's one thread is stuck
      await().atMost(Duration.ofSeconds(10)).until(() -> !node.isReady());
      assertThat(node.isUpkeepHealthy()).isFalse();

      release.countDown();
      await().atMost(Duration.ofSeconds(5)).until(node::isReady);
      assertThat(node.isUpkeepHealthy()).isTrue();
    } finally {
      release.countDown();
      scheduler.shutdownNow();
    }
  }
}
