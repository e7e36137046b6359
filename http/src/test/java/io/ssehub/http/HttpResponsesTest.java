package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpResponsesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void publishedBodyIsIdThenChannel() {
    SseEvent stored = SseEvent.builder().id("17").data("x").build();
    assertThat(new String(HttpResponses.publishedJson(stored, "logs"), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"17\",\"channel\":\"logs\"}");
  }

  @Test
  void healthIsUpThenDownWhenTheHubCloses() throws IOException {
    SseHub hub = SseHub.builder().keepalive(Duration.ZERO).build();
    try {
      HttpResponses.JsonResponse up = HttpResponses.health(hub);
      assertThat(up.status()).isEqualTo(200);
      JsonNode body = JSON.readTree(up.body());
      assertThat(body.get("status").asText()).isEqualTo("up");
      assertThat(body.get("broker").asText()).startsWith("memory");
      assertThat(body.get("connected").asBoolean()).isTrue();
      assertThat(body.get("streams").asInt()).isZero();
    } finally {
      hub.close();
    }
    HttpResponses.JsonResponse down = HttpResponses.health(hub);
    assertThat(down.status()).isEqualTo(503);
    assertThat(JSON.readTree(down.body()).get("status").asText()).isEqualTo("down");
  }

  @Test
  void streamHeadersInOrder() {
    assertThat(HttpResponses.STREAM_HEADERS)
        .containsExactly(
            Map.entry("Content-Type", "text/event-stream; charset=utf-8"),
            Map.entry("Cache-Control", "no-cache"),
            Map.entry("X-Accel-Buffering", "no"));
  }
}
