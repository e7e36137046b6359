package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's curl session, byte for byte: {@code curl -N /stream?channel=logs} in one terminal,
 * {@code curl -d '{"channel":"logs",...}' /publish} in another.
 */
class CurlWalkthroughIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private SseHubServer server;

  @BeforeEach
  void start() {
    server = SseHubServer.builder().host("127.0.0.1").port(0).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void publishedEventArrivesAsExactLinesOnItsChannelOnly() throws Exception {
    try (RawHttp.Stream logs = RawHttp.Stream.open(server.port(), "/stream?channel=logs");
        RawHttp.Stream other = RawHttp.Stream.open(server.port(), "/stream?channel=other")) {
      assertThat(logs.head().status()).isEqualTo(200);
      assertThat(logs.head().header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
      logs.readUntil(text -> text.contains("retry: 3000\n\n"), WAIT);
      other.readUntil(text -> text.contains("retry: 3000\n\n"), WAIT);

      HttpResponse<String> published =
          publish("{\"channel\":\"logs\",\"type\":\"myevent\",\"data\":{\"message\":\"Hello!\"}}");
      assertThat(published.statusCode()).isEqualTo(200);
      assertThat(published.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode answer = new ObjectMapper().readTree(published.body());
      assertThat(answer.get("channel").asText()).isEqualTo("logs");
      String id = answer.get("id").asText();

      String received =
          logs.readUntil(text -> text.endsWith("data: {\"message\":\"Hello!\"}\n\n"), WAIT);
      assertThat(received)
          .endsWith("\n\nid: " + id + "\nevent: myevent\ndata: {\"message\":\"Hello!\"}\n\n");

      // The other channel's stream gets its own marker and nothing before it but its preamble.
      publish("{\"channel\":\"other\",\"data\":\"marker\"}");
      String otherReceived = other.readUntil(text -> text.contains("data: marker\n\n"), WAIT);
      assertThat(otherReceived).doesNotContain("Hello").doesNotContain("myevent");
    }
  }

  private HttpResponse<String> publish(String json) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .timeout(WAIT)
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
