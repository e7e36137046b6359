package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.testkit.RedisServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --log-format json} with secrets configured (a JWT secret, a Redis password): every line is
 * a JSON object, and neither secret nor a token sent by a client appears in any of them, from
 * start-up to stop.
 */
class LogSecretsIT {
  private static final String REDIS_PASSWORD = "redis-pw-4a7c1f";
  private static final String JWT_SECRET = "jwt-secret-9b2e6d-jwt-secret-9b2e6d-0123";
  private static final String TOKEN =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.not-a-valid-signature-5e8f";

  @Test
  void jsonLinesWithoutSecrets() throws Exception {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      // Set after start: the testkit's own start-up PING goes without a password.
      redis.command("CONFIG", "SET", "requirepass", REDIS_PASSWORD);
      String url = "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
      HubProcess hub =
          HubProcess.start("--redis", url, "--jwt-secret", JWT_SECRET, "--log-format", "json");
      try {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused =
            http.send(
                HttpRequest.newBuilder(hub.uri("/stream?channel=logs&token=" + TOKEN))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(hub.stop()).isZero();
      } finally {
        hub.close();
      }
      String log = hub.logText();
      List<String> lines = log.lines().filter(line -> !line.isBlank()).toList();
      assertThat(lines).as("log lines").isNotEmpty();
      ObjectMapper json = new ObjectMapper();
      for (String line : lines) {
        JsonNode node = json.readTree(line);
        assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
        assertThat(node.has("level")).as(line).isTrue();
      }
      assertThat(log).contains("ssehub listening on").contains("ssehub stopped");
      assertThat(log)
          .doesNotContain(REDIS_PASSWORD)
          .doesNotContain(JWT_SECRET)
          .doesNotContain(TOKEN)
          .doesNotContain("not-a-valid-signature");
    }
  }

  @Test
  void redisPasswordInTheQueryOrWithASlashNeverPrinted() throws Exception {
    String querySecret = "query-pw-77d2c1";
    String slashSecret = "slash-pw-3e9a0b";
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      // Lettuce does not read ?password=: this Redis wants none, the hub starts and prints its URL.
      HubProcess hub = HubProcess.start("--redis", redis.uri() + "/0?password=" + querySecret);
      try {
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(hub.uri("/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).doesNotContain(querySecret);
        assertThat(hub.stop()).isZero();
      } finally {
        hub.close();
      }
      assertThat(hub.logText())
          .contains("ssehub listening on")
          .contains("password=***")
          .doesNotContain(querySecret);

      // A '/' in the password ends the authority for the URI parser, which then quotes the rest.
      HubProcess.Finished refused =
          HubProcess.run(
              Duration.ofSeconds(60),
              "--redis",
              "redis://:pw/" + slashSecret + "@127.0.0.1:" + redis.port() + "/0");
      assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
      assertThat(refused.output())
          .contains("redis://:***@127.0.0.1:" + redis.port())
          .doesNotContain(slashSecret);
    }
  }
}
