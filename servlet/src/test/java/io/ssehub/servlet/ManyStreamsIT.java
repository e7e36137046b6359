package io.ssehub.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.testkit.SseClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * 2,000 concurrent streams hold no container thread: while all are open, and after an event has
 * reached every one of them, the container's pool settles to no more than a handful of busy threads
 * (its acceptor and selector threads included, on Jetty).
 */
class ManyStreamsIT {
  private static final int STREAMS = 2_000;
  private static final int BATCH = 200;
  private static final int MAX_BUSY_THREADS = 10;
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofSeconds(5);

  @Test
  void jettyServes2000StreamsWithAHandfulOfThreads() throws Exception {
    run(Containers::jetty, "Jetty");
  }

  @Test
  void tomcatServes2000StreamsWithAHandfulOfThreads() throws Exception {
    run(Containers::tomcat, "Tomcat");
  }

  private static void run(Function<SseHub, Containers.Container> start, String name)
      throws Exception {
    SseHub hub = SseHub.builder().build();
    List<SseClient> streams = new ArrayList<>(STREAMS);
    try (Containers.Container container = start.apply(hub)) {
      HttpClient http = SseClient.newHttpClient();
      URI uri = URI.create(container.base() + "/stream?channel=many");
      // In batches, so that the listen backlog never overflows (a dropped SYN costs a 1 s retry).
      for (int opened = 0; opened < STREAMS; opened += BATCH) {
        List<SseClient> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          batch.add(SseClient.open(http, uri));
        }
        streams.addAll(batch);
        for (SseClient stream : batch) {
          assertThat(stream.awaitOpen(WAIT)).isEqualTo(200);
        }
      }
      assertThat(hub.streamCount()).isEqualTo(STREAMS);
      // The last batch's request threads are still returning to the pool as the batch opens, so
      // the count is read once they have: a thread held per stream would never come back.
      int busyWhileOpen = settledBusyThreads(container);

      SseEvent stored = hub.publish("many", "to all").get(10, TimeUnit.SECONDS);
      for (SseClient stream : streams) {
        assertThat(stream.awaitEvents(1, WAIT).get(0).id()).isEqualTo(stored.id());
      }
      int busyAfter = settledBusyThreads(container);
      System.out.printf(
          "%s, %d open streams: busy container threads %d while open, %d after an event reached all%n",
          name, STREAMS, busyWhileOpen, busyAfter);
      assertThat(hub.streamCount()).as("streams still open after delivering").isEqualTo(STREAMS);
    } finally {
      streams.forEach(SseClient::close);
    }
  }

  private static int settledBusyThreads(Containers.Container container) {
    return await("busy container threads at most " + MAX_BUSY_THREADS)
        .atMost(SETTLE)
        .pollInterval(Duration.ofMillis(20))
        .until(container::busyThreads, busy -> busy <= MAX_BUSY_THREADS);
  }
}
