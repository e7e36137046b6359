package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.testkit.SseParser;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md invariant 4 at the hub's level: a client cut at random points while events flow,
 * and resumed each time with its last event id, receives every event exactly once, in order.
 */
class ResumeTest {
  private static final int EVENTS = 10_000;
  private static final int CUTS = 100;

  private final SseHub hub =
      SseHub.builder()
          .broker(new MemoryBroker(EVENTS, Duration.ofHours(1), Clock.systemUTC()))
          .keepalive(Duration.ZERO)
          .maxPendingBytes(Long.MAX_VALUE)
          .build();
  private final ExecutorService publisher = Executors.newSingleThreadExecutor();

  /**
   * Two transport threads, as a server's event loops: successive connections alternate between
   * them.
   */
  private final List<ExecutorService> lanes =
      List.of(Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor());

  private boolean onLanes;
  private int connections;

  @AfterEach
  void stop() throws InterruptedException {
    publisher.shutdownNow();
    assertThat(publisher.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    hub.close();
    for (ExecutorService lane : lanes) {
      lane.shutdownNow();
      assertThat(lane.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void oneChannelCutAtHundredRandomPoints() throws Exception {
    List<String> received = runCutAndResume(List.of("logs"), 1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      expected.add("logs:" + i);
    }
    assertThat(received).containsExactlyElementsOf(expected);
  }

  @Test
  void oneChannelCutAtHundredRandomPointsWithSinksOnLanes() throws Exception {
    // Events and starts reach the streams on their lanes, behind what the lanes were handed before:
    // a connection whose history read overlaps a queued event still gets it exactly once.
    onLanes = true;
    oneChannelCutAtHundredRandomPoints();
  }

  @Test
  void threeChannelsCutAtHundredRandomPointsWithSinksOnLanes() throws Exception {
    onLanes = true;
    threeChannelsCutAtHundredRandomPoints();
  }

  @Test
  void threeChannelsCutAtHundredRandomPoints() throws Exception {
    List<String> channels = List.of("a", "b", "c");
    List<String> received = runCutAndResume(channels, 2);
    assertThat(received).hasSize(EVENTS).doesNotHaveDuplicates();
    Map<String, List<Integer>> perChannel = new LinkedHashMap<>();
    for (String item : received) {
      String[] parts = item.split(":");
      perChannel.computeIfAbsent(parts[0], c -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
    }
    for (String channel : channels) {
      assertThat(perChannel.get(channel)).as("channel %s in publish order", channel).isSorted();
    }
  }

  /**
   * Publishes {@value #EVENTS} events round-robin over the channels at a steady pace while a client
   * reads them over {@value #CUTS} + 1 connections, and returns what it received.
   */
  private List<String> runCutAndResume(List<String> channels, long seed) throws Exception {
    TreeSet<Integer> cutPoints = new TreeSet<>();
    Random random = new Random(seed);
    while (cutPoints.size() < CUTS) {
      cutPoints.add(1 + random.nextInt(EVENTS - 1));
    }
    List<String> received = new ArrayList<>();
    String lastEventId = null;
    RecordingSink sink = newSink();
    Subscription subscription = hub.subscribe(SubscribeRequest.of(channels, null), sink);
    Future<?> publishing =
        publisher.submit(
            () -> {
              for (int i = 0; i < EVENTS && !Thread.currentThread().isInterrupted(); i++) {
                String channel = channels.get(i % channels.size());
                hub.publish(channel, SseEvent.of(channel + ":" + i)).join();
                LockSupport.parkNanos(50_000); // a steady rate, about 20,000 events/s at most
              }
            });
    for (int cutPoint : cutPoints) {
      RecordingSink current = sink;
      int before = received.size();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(2))
          .until(() -> before + current.events().size() >= cutPoint);
      subscription.close();
      received.addAll(current.data());
      // As a browser's EventSource: the last event id outlives a connection that set none.
      if (!current.lastEventId().isEmpty()) {
        lastEventId = current.lastEventId();
      }
      sink = newSink();
      subscription = hub.subscribe(SubscribeRequest.of(channels, lastEventId), sink);
    }
    RecordingSink last = sink;
    int before = received.size();
    await().atMost(Duration.ofSeconds(60)).until(() -> before + last.events().size() >= EVENTS);
    publishing.get(10, TimeUnit.SECONDS);
    received.addAll(last.data());
    assertThat(last.events())
        .extracting(SseParser.Event::type)
        .doesNotContain(SseEvent.HISTORY_CUT_TYPE);
    return received;
  }

  private RecordingSink newSink() {
    RecordingSink sink = new RecordingSink();
    return onLanes ? sink.onLane(lanes.get(connections++ % lanes.size())) : sink;
  }
}
