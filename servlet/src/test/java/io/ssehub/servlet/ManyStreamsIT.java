package io.ssehub.servlet;

import static org.assertj.core.api.Assertions.assertThat;

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
 * 2,000 concurrent streams hold no container thread: while all are open, and while an event
 * reaches every one of them, the container's pool has no more than a handful of busy threads
 * (its acceptor and selector threads included, on Jetty).
 */
class ManyStreamsIT {
  private static final int STREAMS = 2_000;
  private static final int BATCH = 200;
  private static final int MAX_BUSY_THREADS = 10;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void jettyServes2000StreamsWithAHandfulOfThreads() throws Exception {
    run(Containers::jetty, "Jetty");
  }

  @Test
  void tomcatServes2000StreamsWithAHandfulOfThreads() throws Exception {
    run(Containers::tomcat, "Tomcat");
  }

  private static void run(Function<SseHub, Containers.Container> start, String name) throws Exception {
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
      int busyWhileOpen = container.busyThreads();

      SseEvent stored = hub.publish("many", "to all").get(10, TimeUnit.SECONDS);
      int busyWhileDelivering = container.busyThreads();
      for (SseClient stream : streams) {
        assertThat(stream.awaitEvents(1, WAIT).get(0).id()).isEqualTo(stored.id());
      }
      int busyAfter = container.busyThreads();
      System.out.printf("%s, %d open streams: busy container threads %d while open, %d while delivering, %d after%n",
          name, STREAMS, busyWhileOpen, busyWhileDelivering, busyAfter);
      assertThat(busyWhileOpen).as("busy threads while %d streams are open", STREAMS).isBetween(0, MAX_BUSY_THREADS);
      assertThat(busyWhileDelivering).as("busy threads while delivering").isBetween(0, MAX_BUSY_THREADS);
      assertThat(busyAfter).as("busy threads after delivering").isBetween(0, MAX_BUSY_THREADS);
    } finally {
      streams.forEach(SseClient::close);
    }
  }
}
