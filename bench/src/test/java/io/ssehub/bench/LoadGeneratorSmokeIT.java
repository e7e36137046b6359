package io.ssehub.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.core.SseHub;
import io.ssehub.redis.RedisBroker;
import io.ssehub.server.SseHubServer;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The harness's smoke, the only bench tests in CI: a few hundred streams for a few seconds against
 * an in-process hub, so that the generator does not rot. The real runs are bench/compare.sh.
 */
@ExtendWith(RedisExtension.class)
class LoadGeneratorSmokeIT {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void twoHundredStreamsReceiveEveryEventOnceAndTheJsonLineHasEveryField() throws Exception {
    try (SseHubServer server = SseHubServer.builder().host("127.0.0.1").port(0).build().start()) {
      Map<String, Object> result =
          LoadGenerator.run(
              "--url",
              "http://127.0.0.1:" + server.port(),
              "--streams",
              "200",
              "--rate",
              "50",
              "--duration",
              "3s",
              "--drain",
              "5s",
              "--idle",
              "200ms",
              "--connect-timeout",
              "20s",
              "--probe-timeout",
              "10s",
              "--hub-pid",
              Long.toString(ProcessHandle.current().pid()),
              "--label",
              "smoke",
              "--no-table");

      JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(result));
      for (String key : Report.KEYS) {
        assertThat(json.has(key)).as("JSON line has %s: %s", key, json).isTrue();
      }
      assertThat(json.size()).as("no key outside Report.KEYS").isEqualTo(Report.KEYS.size());

      assertThat(json.get("streams_held").asLong()).isEqualTo(200);
      assertThat(json.get("streams_probed").asLong()).isEqualTo(200);
      assertThat(json.get("publishes_failed").asLong()).isZero();
      assertThat(json.get("publishes_acked").asLong()).isGreaterThanOrEqualTo(100);
      assertThat(json.get("missing").asLong()).as("missing").isZero();
      assertThat(json.get("duplicates").asLong()).as("duplicates").isZero();
      assertThat(json.get("deliveries").asLong())
          .isEqualTo(json.get("publishes_acked").asLong() * 200);
      assertThat(json.get("latency_us_p50").asLong()).isPositive();
      assertThat(json.get("hub_cpu_us_per_delivery").isNumber()).isTrue();
      assertThat(json.get("hub_rss_kb_open").asLong()).isPositive();
      assertThat(json.get("hub_rss_kb_idle").asLong()).isPositive();
      assertThat(json.get("idle_s").asDouble()).isEqualTo(0.2);
      assertThat(json.get("generator_cpu_s").asDouble()).isPositive();
      assertThat(json.get("clean").asBoolean()).as("clean: %s", json).isTrue();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void publishedThroughTheJavaApiOnRedisEveryStreamReceivesEveryEventOnce(RedisServer redis)
      throws Exception {
    RedisBroker broker = RedisBroker.builder().uri(redis.uri().toString()).build();
    broker.connect();
    try (SseHubServer server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().broker(broker).build())
            .build()
            .start()) {
      Map<String, Object> result =
          LoadGenerator.run(
              "--url",
              "http://127.0.0.1:" + server.port(),
              "--publish-redis",
              redis.uri().toString(),
              "--streams",
              "100",
              "--rate",
              "50",
              "--duration",
              "2s",
              "--drain",
              "5s",
              "--connect-timeout",
              "20s",
              "--probe-timeout",
              "10s",
              "--label",
              "smoke-java-api",
              "--no-table");

      assertThat(result.get("publish_via")).isEqualTo("java-api");
      assertThat(result.get("streams_probed")).isEqualTo(100L);
      assertThat((long) result.get("publishes_failed")).isZero();
      assertThat((long) result.get("publishes_acked")).isGreaterThanOrEqualTo(50);
      assertThat((long) result.get("missing")).as("missing").isZero();
      assertThat((long) result.get("duplicates")).as("duplicates").isZero();
      assertThat((long) result.get("deliveries"))
          .isEqualTo((long) result.get("publishes_acked") * 100);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aRedisToPublishThroughThatDoesNotAnswerIsNamedBeforeAnyStreamOpens() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort(); // free once closed: nothing listens there
    }
    assertThatThrownBy(
            () ->
                LoadGenerator.run(
                    "--url",
                    "http://127.0.0.1:1", // never reached
                    "--publish-redis",
                    "redis://127.0.0.1:" + closedPort,
                    "--streams",
                    "1",
                    "--no-table"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("--publish-redis: ")
        .hasMessageContaining(Integer.toString(closedPort));
  }
}
