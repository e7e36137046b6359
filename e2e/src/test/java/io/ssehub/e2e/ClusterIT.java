package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisCluster;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The delivery test on a real 3-master Redis Cluster: channels spread over the shards. */
@ExtendWith(RedisExtension.class)
class ClusterIT {
  private static final int CHANNELS = 12;
  private static final int EVENTS_PER_CHANNEL = 10;

  @Test
  void twoNodesOnACluster(RedisCluster cluster) {
    String seeds =
        cluster.seedUris().stream()
            .map(uri -> uri.getHost() + ":" + uri.getPort())
            .collect(Collectors.joining(","));
    try (HubProcess a = HubProcess.start("--redis-cluster", seeds);
        HubProcess b = HubProcess.start("--redis-cluster", seeds)) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < CHANNELS * 4; i++) {
          clients.add(
              SseClient.open(
                  http,
                  ((i / CHANNELS) % 2 == 0 ? a : b).uri("/stream?channel=shard" + (i % CHANNELS))));
        }
        for (SseClient client : clients) {
          assertThat(client.awaitOpen(Duration.ofSeconds(30))).isEqualTo(200);
          Streams.awaitStarted(client);
        }
        Publisher publisher = new Publisher();
        for (int e = 0; e < EVENTS_PER_CHANNEL; e++) {
          for (int c = 0; c < CHANNELS; c++) {
            URI via = (e + c) % 2 == 0 ? a.uri("/") : b.uri("/");
            publisher.publishOk(via, "shard" + c, "shard" + c + ":" + e);
          }
        }
        for (int i = 0; i < clients.size(); i++) {
          String channel = "shard" + (i % CHANNELS);
          List<String> expected = new ArrayList<>();
          for (int e = 0; e < EVENTS_PER_CHANNEL; e++) {
            expected.add(channel + ":" + e);
          }
          assertThat(clients.get(i).awaitEvents(EVENTS_PER_CHANNEL, Duration.ofSeconds(30)))
              .extracting(SseParser.Event::data)
              .containsExactlyElementsOf(expected);
        }
        // The channels really are spread: every master holds some history stream.
        for (var node : cluster.nodes()) {
          assertThat((Long) node.command("DBSIZE")).as("keys on %s", node).isPositive();
        }
      } finally {
        clients.forEach(SseClient::close);
      }
    }
  }
}
