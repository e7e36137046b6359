package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every id the hub hands out comes back through the server's header limit; a longer publisher id is
 * refused.
 */
class LongestCursorIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static SseHub hub;
  private static SseHubServer server;
  private static final HttpClient http = SseClient.newHttpClient();

  @BeforeAll
  static void start() {
    hub = SseHub.builder().build();
    server = SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).build().start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  @Test
  void theLongestCursorAStreamCanSendIsAcceptedBackAsLastEventId() {
    // 40 channels of 175 characters, each at a publisher id of the longest kind: a cursor of 12,200
    // bytes.
    List<String> channels = new ArrayList<>();
    StringBuilder query = new StringBuilder("/stream?");
    for (int i = 0; i < 40; i++) {
      String channel = String.format("%02d", i) + "c".repeat(173);
      channels.add(channel);
      query.append(i == 0 ? "" : "&").append("channel=").append(channel);
    }
    try (SseClient first = SseClient.open(http, uri(query.toString()))) {
      assertThat(first.awaitOpen(WAIT)).isEqualTo(200);
      for (String channel : channels) {
        hub.publish(
                channel,
                SseEvent.builder()
                    .id(channel.substring(0, 2) + "\u00e9".repeat(21))
                    .data("x")
                    .build())
            .join();
      }
      first.awaitEvents(channels.size(), WAIT);
      String cursor = first.lastEventId();
      assertThat(cursor.length()).isGreaterThan(12_000);
      hub.publish(channels.get(7), SseEvent.of("missed")).join();

      try (SseClient resumed =
          SseClient.open(http, uri(query.toString()), Map.of("Last-Event-ID", cursor))) {
        assertThat(resumed.awaitOpen(WAIT)).as("not 431").isEqualTo(200);
        assertThat(resumed.awaitEvents(1, WAIT))
            .extracting(SseParser.Event::data)
            .containsExactly("missed");
      }
    }
  }

  @Test
  void aPublisherIdOverTheBoundGets400NamingIt() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/publish"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"channel\":\"a\",\"data\":\"x\",\"id\":\"" + "i".repeat(129) + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"id\"").contains("129").contains("128");

    HttpResponse<String> marked =
        http.send(
            HttpRequest.newBuilder(uri("/publish"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"channel\":\"a\",\"data\":\"x\",\"id\":\"*a=1,b=2\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(marked.statusCode()).isEqualTo(400);
    assertThat(marked.body()).contains("\"id\"").contains("must not start with");
  }
}
