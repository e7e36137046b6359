package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.ssehub.core.SseHub;
import io.ssehub.http.HttpResponses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopDelayTest {
  private static final Duration PROBE_EVERY = Duration.ofMillis(10);
  private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
  private final LoopDelay delay = new LoopDelay(loops, PROBE_EVERY);

  @AfterEach
  void stop() {
    delay.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aStalledLoopIsSeenFallingBehindWhileItStallsAndCatchingUpAfter()
      throws InterruptedException {
    await().atMost(Duration.ofSeconds(5)).until(() -> delay.nanos() < millis(50));

    CountDownLatch release = new CountDownLatch(1);
    loops.next().execute(() -> awaitQuietly(release)); // one loop stalls; the other goes on
    try {
      // Read while the stall lasts, not only once it ended: the waiting probe's age is the reading.
      await().atMost(Duration.ofSeconds(5)).until(() -> delay.nanos() > millis(200));
      long during = delay.nanos();
      await().atMost(Duration.ofSeconds(5)).until(() -> delay.nanos() > during);
    } finally {
      release.countDown();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> delay.nanos() < millis(50));
  }

  @Test
  void aLoopIsBehindUntilTheWritesAtTheEndOfItsIterationAreDone() throws InterruptedException {
    // Streams are written at the end of an iteration (WriteBatch runs there): a probe that has
    // run its task has not yet seen those writes, so it must stay waiting through them.
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    SingleThreadIoEventLoop only = (SingleThreadIoEventLoop) loop.next();
    CountDownLatch taskGoesOn = new CountDownLatch(1);
    CountDownLatch writesDone = new CountDownLatch(1);
    only.execute(
        () -> {
          only.executeAfterEventLoopIteration(
              () -> awaitQuietly(writesDone)); // this iteration's "writes"
          awaitQuietly(taskGoesOn);
        });
    LoopDelay oneProbe = new LoopDelay(loop, Duration.ofHours(1)); // one probe, posted now
    try {
      taskGoesOn.countDown(); // the probe's task runs in this iteration, before its writes
      await().atMost(Duration.ofSeconds(5)).until(() -> oneProbe.nanos() > millis(200));
      long during = oneProbe.nanos();
      await().atMost(Duration.ofSeconds(5)).until(() -> oneProbe.nanos() > during);
    } finally {
      writesDone.countDown();
      oneProbe.close();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void loopsThatShutDownAreNotWaitedFor() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    // Probes the loops refuse leave nothing waiting: the reading does not grow with time.
    await()
        .pollDelay(PROBE_EVERY.multipliedBy(20))
        .atMost(Duration.ofSeconds(5))
        .until(() -> delay.nanos() < millis(50));
  }

  @Test
  void roundsThatThrowDoNotStopTheProbe() {
    AtomicInteger failuresLeft = new AtomicInteger(3);
    DefaultEventLoop failing =
        new DefaultEventLoop() {
          @Override
          public void execute(Runnable task) {
            if (failuresLeft.getAndDecrement() > 0) {
              throw new OutOfMemoryError("test: no room for the probe's task");
            }
            super.execute(task);
          }
        };
    LoopDelay probe = new LoopDelay(List.of(failing), PROBE_EVERY);
    try {
      // The rounds after the failures still run: the loop is measured again, and keeps up.
      await().atMost(Duration.ofSeconds(5)).until(() -> failuresLeft.get() < -5);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> probe.probing() && probe.nanos() < millis(50));
    } finally {
      probe.close();
      failing.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void readinessTurnsFalseWhileNoRoundCompletes() {
    AtomicBoolean failing = new AtomicBoolean(true);
    DefaultEventLoop loop =
        new DefaultEventLoop() {
          @Override
          public void execute(Runnable task) {
            if (failing.get()) {
              throw new OutOfMemoryError("test: no room for the probe's task");
            }
            super.execute(task);
          }
        };
    LoopDelay probe = new LoopDelay(List.of(loop), PROBE_EVERY);
    SseHub hub = SseHub.builder().keepalive(Duration.ZERO).build();
    try {
      await().atMost(LoopDelay.MIN_STALE.plusSeconds(5)).until(() -> !probe.probing());
      HttpResponses.JsonResponse ready = Health.ready(hub, false, probe.probing(), "memory");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(new String(ready.body(), StandardCharsets.UTF_8))
          .contains("\"loopDelayProbe\":false");
      // No reading is made up meanwhile: a probe that cannot be posted leaves nothing waiting.
      assertThat(probe.nanos()).isLessThan(millis(50));

      failing.set(false);
      await().atMost(Duration.ofSeconds(5)).until(probe::probing);
      assertThat(Health.ready(hub, false, probe.probing(), "memory").status()).isEqualTo(200);
    } finally {
      hub.close();
      probe.close();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static long millis(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
