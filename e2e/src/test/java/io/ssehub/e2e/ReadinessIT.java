package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.testkit.RedisServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/live} and {@code /health/ready} on a hub over Redis: readiness goes false within a
 * second of Redis dying and true again once it is back; liveness stays 200 throughout.
 */
class ReadinessIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readinessFollowsRedis() throws Exception {
    try (RedisServer redis = RedisServer.startOnFreePort();
        HubProcess hub = HubProcess.start("--redis", redis.uri().toString())) {
      Probe ready = get(hub, "/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.body().path("status").asText()).isEqualTo("ready");
      assertThat(ready.body().path("connected").asBoolean()).isTrue();
      assertThat(ready.body().path("broker").asText()).contains("127.0.0.1");
      assertThat(get(hub, "/health/live").status()).isEqualTo(200);

      redis.kill();
      await("not ready within a second of Redis dying")
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(25))
          .until(() -> get(hub, "/health/ready").status() == 503);
      Probe down = get(hub, "/health/ready");
      assertThat(down.body().path("status").asText()).isEqualTo("not_ready");
      assertThat(down.body().path("connected").asBoolean()).isFalse();
      assertThat(get(hub, "/health/live").status()).isEqualTo(200);
      assertThat(hub.healthStatus()).as("GET /health as before").isEqualTo(503);

      redis.start();
      await("ready again once Redis is back")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> get(hub, "/health/ready").status() == 200);
      assertThat(MetricsIT.value(MetricsIT.scrape(hub), "ssehub_broker_reconnects_total"))
          .isEqualTo(1);
      assertThat(MetricsIT.value(MetricsIT.scrape(hub), "ssehub_broker_connected")).isEqualTo(1);
    }
  }

  record Probe(int status, JsonNode body) {}

  static Probe get(HubProcess hub, String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(hub.uri(path)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
    return new Probe(response.statusCode(), JSON.readTree(response.body()));
  }
}
