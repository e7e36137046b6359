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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One node killed with SIGKILL while 500 clients stream from it: they reconnect to the second node
 * with their last event id and miss nothing, while events keep being published.
 */
@ExtendWith(RedisExtension.class)
class FailoverIT {
  private static final int CLIENTS = 500;
  private static final int EVENTS = 400;

  @Test
  void clientsOfAKilledNodeResumeOnAnother(RedisServer redis) throws Exception {
    String url = redis.uri().toString();
    try (HubProcess a = HubProcess.start("--redis", url);
        HubProcess b = HubProcess.start("--redis", url)) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> first = new ArrayList<>();
      List<SseClient> second = new ArrayList<>();
      ExecutorService publishing = Executors.newSingleThreadExecutor();
      try {
        for (int i = 0; i < CLIENTS; i++) {
          first.add(SseClient.open(http, a.uri("/stream?channel=failover")));
        }
        for (SseClient client : first) {
          assertThat(client.awaitOpen(Duration.ofSeconds(30))).isEqualTo(200);
          Streams.awaitStarted(client);
        }
        AtomicInteger published = new AtomicInteger();
        Publisher publisher = new Publisher();
        Future<?> done =
            publishing.submit(
                () -> {
                  for (int e = 0; e < EVENTS; e++) {
                    publisher.publishOk(b.uri("/"), "failover", "e" + e);
                    published.incrementAndGet();
                    LockSupport.parkNanos(5_000_000); // 200 events/s
                  }
                });
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> published.get() >= EVENTS / 4);
        a.kill();
        for (SseClient client : first) {
          Awaitility.await("client sees its node die")
              .pollInterval(Duration.ofMillis(5))
              .atMost(Duration.ofSeconds(30))
              .until(client::isClosed);
          second.add(
              SseClient.open(
                  http,
                  b.uri("/stream?channel=failover"),
                  Map.of("Last-Event-ID", client.lastEventId())));
        }
        done.get(60, TimeUnit.SECONDS);
        List<String> expected = new ArrayList<>();
        for (int e = 0; e < EVENTS; e++) {
          expected.add("e" + e);
        }
        for (int i = 0; i < CLIENTS; i++) {
          int before = first.get(i).events().size();
          List<String> received =
              new ArrayList<>(first.get(i).events().stream().map(SseParser.Event::data).toList());
          second
              .get(i)
              .awaitEvents(EVENTS - before, Duration.ofSeconds(30))
              .forEach(event -> received.add(event.data()));
          assertThat(received).as("client %d", i).containsExactlyElementsOf(expected);
          assertThat(second.get(i).events())
              .extracting(SseParser.Event::type)
              .doesNotContain("ssehub.history-cut");
        }
      } finally {
        publishing.shutdownNow();
        first.forEach(SseClient::close);
        second.forEach(SseClient::close);
      }
    }
  }
}
