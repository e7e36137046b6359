package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --history-max-bytes} reaches the Redis broker, not only the memory one. */
class RedisHistoryBoundIT {

  @Test
  void theHistoryByteBoundFlagBoundsRedisHistory() throws Exception {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      HubProcess hub =
          HubProcess.start("--redis", redis.uri() + "/0", "--history-max-bytes", "1048576");
      try {
        // From loopback the node shows its broker in full, bounds included.
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(hub.uri("/health"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("1048576 bytes");
        assertThat(hub.stop()).isZero();
      } finally {
        hub.close();
      }
    }
  }
}
