package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code --drain 5s} shutdown under 1,000 streams: the node's streams end spread over the window
 * (not all at once), every client reconnects to the second node (as a load balancer would send it
 * there) and misses nothing, and the drained node exits 0.
 */
@ExtendWith(RedisExtension.class)
class DrainIT {
  private static final int CLIENTS = 1000;
  private static final Duration WINDOW = Duration.ofSeconds(5);

  @Test
  void drainSpreadsReconnectionsOverTheWindowAndLosesNothing(RedisServer redis) throws Exception {
    String url = redis.uri().toString();
    try (HubProcess a = HubProcess.start("--redis", url, "--drain", "5s");
        HubProcess b = HubProcess.start("--redis", url)) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> first = new ArrayList<>();
      SseClient[] second = new SseClient[CLIENTS];
      long[] endedAt = new long[CLIENTS];
      ExecutorService background = Executors.newFixedThreadPool(2);
      AtomicBoolean publishing = new AtomicBoolean(true);
      List<String> published = java.util.Collections.synchronizedList(new ArrayList<>());
      try {
        for (int i = 0; i < CLIENTS; i++) {
          first.add(SseClient.open(http, a.uri("/stream?channel=drain")));
        }
        first.forEach(Streams::awaitStarted);
        Publisher publisher = new Publisher();
        Future<?> publisherDone =
            background.submit(
                () -> {
                  for (int e = 0; publishing.get() && e < 5000; e++) {
                    publisher.publishOk(b.uri("/"), "drain", "e" + e);
                    published.add("e" + e);
                    LockSupport.parkNanos(10_000_000); // 100 events/s
                  }
                });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> published.size() >= 20);

        long sigterm = System.nanoTime();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(a::stop, background);
        // The load balancer: each client whose stream ends reconnects to b with its last event id.
        Awaitility.await("every client moved to b")
            .atMost(WINDOW.plusSeconds(15))
            .pollInterval(Duration.ofMillis(5))
            .until(
                () -> {
                  boolean all = true;
                  for (int i = 0; i < CLIENTS; i++) {
                    if (second[i] == null) {
                      if (first.get(i).isClosed()) {
                        endedAt[i] = System.nanoTime() - sigterm;
                        second[i] =
                            SseClient.open(
                                http,
                                b.uri("/stream?channel=drain"),
                                Map.of("Last-Event-ID", first.get(i).lastEventId()));
                      } else {
                        all = false;
                      }
                    }
                  }
                  return all;
                });
        assertThat(exit.get(30, TimeUnit.SECONDS)).as("drained node's exit code").isZero();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 50);
        publishing.set(false);
        publisherDone.get(10, TimeUnit.SECONDS);

        long earliest = Long.MAX_VALUE;
        long latest = 0;
        for (long at : endedAt) {
          earliest = Math.min(earliest, at);
          latest = Math.max(latest, at);
        }
        System.out.printf(
            "drain: %d streams ended between %d ms and %d ms after SIGTERM (window %d ms)%n",
            CLIENTS, earliest / 1_000_000, latest / 1_000_000, WINDOW.toMillis());
        assertThat(latest - earliest)
            .as("spread, not all at once (ns)")
            .isGreaterThan(WINDOW.toNanos() / 2);
        assertThat(latest)
            .as("within the window, with slack (ns)")
            .isLessThan(WINDOW.plusSeconds(5).toNanos());

        List<String> expected = List.copyOf(published);
        for (int i = 0; i < CLIENTS; i++) {
          List<String> received = new ArrayList<>();
          first.get(i).events().forEach(event -> received.add(event.data()));
          int before = received.size();
          second[i]
              .awaitEvents(expected.size() - before, Duration.ofSeconds(30))
              .forEach(event -> received.add(event.data()));
          assertThat(received).as("client %d", i).containsExactlyElementsOf(expected);
          assertThat(second[i].events())
              .extracting(SseParser.Event::type)
              .doesNotContain("ssehub.history-cut");
        }
      } finally {
        publishing.set(false);
        background.shutdownNow();
        first.forEach(SseClient::close);
        for (SseClient client : second) {
          if (client != null) {
            client.close();
          }
        }
      }
    }
  }
}
