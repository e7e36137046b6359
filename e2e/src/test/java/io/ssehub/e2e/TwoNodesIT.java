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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scale-out: two {@code bin/ssehub} processes on one redis-server, 1,000 streams over both nodes
 * and 10 channels; events published through either node reach every stream of their channel on both
 * nodes exactly once, in publish order, over one Redis subscription per node and channel.
 */
@ExtendWith(RedisExtension.class)
class TwoNodesIT {
  private static final int STREAMS = 1000;
  private static final int CHANNELS = 10;
  private static final int EVENTS_PER_CHANNEL = 20;

  @Test
  void everyNodeDeliversEveryEventOnceInOrder(RedisServer redis) throws Exception {
    String url = redis.uri().toString();
    try (HubProcess a = HubProcess.start("--redis", url);
        HubProcess b = HubProcess.start("--redis", url)) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < STREAMS; i++) {
          HubProcess node = (i / CHANNELS) % 2 == 0 ? a : b; // every channel on both nodes
          clients.add(SseClient.open(http, node.uri("/stream?channel=ch" + (i % CHANNELS))));
        }
        for (SseClient client : clients) {
          assertThat(client.awaitOpen(Duration.ofSeconds(30))).isEqualTo(200);
        }
        // Every stream has started (its position line arrived): it is subscribed on its node.
        for (SseClient client : clients) {
          Streams.awaitStarted(client);
        }

        for (int c = 0; c < CHANNELS; c++) {
          assertThat(redis.command("PUBSUB", "NUMSUB", "ch" + c))
              .as("one subscription per node for ch%d", c)
              .isEqualTo(List.of("ch" + c, 2L));
        }
        assertThat(connectionsOf(redis, a)).as("Redis connections of node a").isBetween(1, 3);
        assertThat(connectionsOf(redis, b)).as("Redis connections of node b").isBetween(1, 3);

        Publisher publisher = new Publisher();
        ExecutorService publishers = Executors.newFixedThreadPool(CHANNELS);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
          String channel = "ch" + c;
          done.add(
              publishers.submit(
                  () -> {
                    for (int e = 0; e < EVENTS_PER_CHANNEL; e++) {
                      HubProcess via = e % 2 == 0 ? a : b;
                      publisher.publishOk(via.uri("/"), channel, channel + ":" + e);
                    }
                  }));
        }
        for (Future<?> future : done) {
          future.get(60, TimeUnit.SECONDS);
        }
        publishers.shutdown();

        for (int i = 0; i < STREAMS; i++) {
          String channel = "ch" + (i % CHANNELS);
          List<String> expected = new ArrayList<>();
          for (int e = 0; e < EVENTS_PER_CHANNEL; e++) {
            expected.add(channel + ":" + e);
          }
          List<SseParser.Event> events =
              clients.get(i).awaitEvents(EVENTS_PER_CHANNEL, Duration.ofSeconds(30));
          assertThat(events)
              .extracting(SseParser.Event::data)
              .as("stream %d on %s", i, channel)
              .containsExactlyElementsOf(expected);
        }
        // Nothing more arrives than was published: the counts above were exact, not at-least.
        for (SseClient client : clients) {
          assertThat(client.events()).hasSize(EVENTS_PER_CHANNEL);
        }
      } finally {
        clients.forEach(SseClient::close);
      }
    }
  }

  /** How many connections the hub process holds to Redis: its client name carries its pid. */
  static int connectionsOf(RedisServer redis, HubProcess hub) {
    String list = redis.commandString("CLIENT", "LIST");
    int count = 0;
    for (String line : list.split("\n")) {
      if (line.contains("name=ssehub-" + hub.pid() + " ")) {
        count++;
      }
    }
    return count;
  }
}
