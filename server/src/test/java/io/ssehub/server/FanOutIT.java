package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many streams, several channels, concurrent publishers, all over loopback HTTP: each stream gets
 * exactly the events of its channels, each channel's events in the order they were stored. With one
 * event loop, and with four, so that a channel's streams sit on loops that run at once and each
 * loop gets the channel's events on its own.
 */
class FanOutIT {
  private static final int CHANNELS = 5;
  private static final int SUBSCRIBERS = 200;
  private static final int PUBLISHERS = 5;
  private static final int EVENTS_PER_PUBLISHER = 110;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient streams = SseClient.newHttpClient();
  private final List<SseClient> clients = new ArrayList<>();
  private SseHubServer server;

  @AfterEach
  void stop() {
    clients.forEach(SseClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void twoEventLoopsPerCoreUnlessTold() {
    server = SseHubServer.builder().host("127.0.0.1").port(0).build().start();
    assertThat(server.ioThreads()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
  }

  @ParameterizedTest(name = "{0} event loops")
  @ValueSource(ints = {1, 4})
  void everyStreamGetsExactlyItsChannelsEventsInOrder(int ioThreads) throws Exception {
    server = SseHubServer.builder().host("127.0.0.1").port(0).ioThreads(ioThreads).build().start();
    assertThat(server.ioThreads()).isEqualTo(ioThreads);
    Map<SseClient, List<String>> subscriptions = new HashMap<>();
    for (int i = 0; i < SUBSCRIBERS; i++) {
      List<String> channels = new ArrayList<>(List.of(channel(i % CHANNELS)));
      if (i % 4 == 0) {
        channels.add(channel((i + 1) % CHANNELS)); // every fourth stream reads two channels
      }
      StringBuilder target = new StringBuilder("/stream?");
      channels.forEach(c -> target.append("channel=").append(c).append('&'));
      SseClient client = SseClient.open(streams, uri(target.toString()));
      clients.add(client);
      subscriptions.put(client, channels);
    }
    for (SseClient client : clients) {
      assertThat(client.awaitOpen(WAIT)).isEqualTo(200);
    }
    await().atMost(WAIT).until(() -> clients.stream().allMatch(c -> c.retry().isPresent()));
    assertThat(server.hub().streamCount()).isEqualTo(SUBSCRIBERS);

    // Publishers over HTTP, concurrently; each event's data names it, each answer gives its id.
    Map<String, List<Published>> byChannel = new ConcurrentHashMap<>();
    HttpClient publishing = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        int publisher = p;
        done.add(
            pool.submit(
                () -> {
                  for (int seq = 0; seq < EVENTS_PER_PUBLISHER; seq++) {
                    String channel = channel((publisher + seq) % CHANNELS);
                    String data = channel + "/p" + publisher + "/" + seq;
                    String id = publish(publishing, channel, data);
                    byChannel
                        .computeIfAbsent(
                            channel, c -> Collections.synchronizedList(new ArrayList<>()))
                        .add(new Published(Long.parseLong(id), data));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      for (int c = 0; c < CHANNELS; c++) {
        publish(publishing, channel(c), "end");
      }
    } finally {
      pool.shutdownNow();
    }

    // A channel's events are stored (and so sent) in id order.
    Map<String, List<String>> expected = new HashMap<>();
    byChannel.forEach(
        (channel, events) -> {
          List<Published> sorted = new ArrayList<>(events);
          sorted.sort(Comparator.comparingLong(Published::id));
          expected.put(channel, sorted.stream().map(Published::data).toList());
        });
    assertThat(expected.values().stream().mapToInt(List::size).sum())
        .isEqualTo(PUBLISHERS * EVENTS_PER_PUBLISHER);

    for (SseClient client : clients) {
      List<String> channels = subscriptions.get(client);
      int total = channels.stream().mapToInt(c -> expected.get(c).size() + 1).sum();
      List<SseParser.Event> received = client.awaitEvents(total, WAIT);
      Set<String> seen = new LinkedHashSet<>();
      Map<String, List<String>> perChannel = new HashMap<>();
      for (SseParser.Event event : received) {
        assertThat(seen.add(event.data()) || event.data().equals("end"))
            .as("duplicate %s", event.data())
            .isTrue();
        if (!event.data().equals("end")) {
          String channel = event.data().substring(0, event.data().indexOf('/'));
          perChannel.computeIfAbsent(channel, c -> new ArrayList<>()).add(event.data());
        }
      }
      assertThat(perChannel.keySet()).containsExactlyInAnyOrderElementsOf(channels);
      for (String channel : channels) {
        assertThat(perChannel.get(channel))
            .as("%s on %s", client, channel)
            .containsExactlyElementsOf(expected.get(channel));
      }
    }
    // Nothing more than that arrived.
    for (SseClient client : clients) {
      int total =
          subscriptions.get(client).stream().mapToInt(c -> expected.get(c).size() + 1).sum();
      assertThat(client.events()).hasSize(total);
    }
  }

  private record Published(long id, String data) {}

  private String publish(HttpClient http, String channel, String data) throws Exception {
    String body = json.writeValueAsString(Map.of("channel", channel, "data", data));
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/publish"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body()).get("id").asText();
  }

  private static String channel(int n) {
    return "ch" + n;
  }

  private URI uri(String target) {
    return URI.create("http://127.0.0.1:" + server.port() + target);
  }
}
