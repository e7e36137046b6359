package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mercure on two {@code bin/ssehub} processes sharing one redis-server, configured as a Mercure hub
 * is (a publisher key of its own, anonymous subscribers): a Symfony-style publish to one node
 * reaches a subscriber of the other, and the other node's history replays it.
 */
@ExtendWith(RedisExtension.class)
class MercureTwoNodesIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String SECRET = "!ChangeThisMercureHubJWTSecretKey!";

  /**
   * The publisher token of Mercure's own conformance suite: {@code mercure.publish ["*"]}, HS256
   * with the secret above.
   */
  private static final String TOKEN =
      "eyJhbGciOiJIUzI1NiJ9.eyJtZXJjdXJlIjp7InB1Ymxpc2giOlsiKiJdLCJzdWJzY3JpYmUiOlsiKiJdfX0"
          + ".bVXdlWXwfw9ySx7-iV5OpUSHo34RkjUdVzDLBcc6l_g";

  @Test
  void publishOnOneNodeSubscribeOnTheOther(RedisServer redis) throws Exception {
    String url = redis.uri().toString();
    try (HubProcess a = HubProcess.start("--redis", url, "--mercure-publisher-jwt-secret", SECRET);
        HubProcess b = HubProcess.start("--redis", url, "--mercure-publisher-jwt-secret", SECRET)) {
      HttpClient http = SseClient.newHttpClient();
      String topic = "https://example.net/foo/" + System.nanoTime();
      String selector =
          URLEncoder.encode("https://example.net/foo/{random}", StandardCharsets.UTF_8);
      try (SseClient subscriber =
          SseClient.open(http, b.uri("/.well-known/mercure?topic=" + selector))) {
        assertThat(subscriber.awaitOpen(WAIT)).isEqualTo(200);
        Streams.awaitMercureStarted(subscriber);

        HttpResponse<String> published =
            http.send(
                HttpRequest.newBuilder(a.uri("/.well-known/mercure"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "topic="
                                + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                                + "&id=e2e-1&data=data+for%0A%0A+raw+string"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).isEqualTo("e2e-1");

        SseParser.Event event = subscriber.awaitEvents(1, WAIT).get(0);
        assertThat(event.id()).isEqualTo("e2e-1");
        assertThat(event.data()).isEqualTo("data for\n\n raw string");
      }
      try (SseClient replay =
          SseClient.open(
              http, b.uri("/.well-known/mercure?topic=" + selector + "&lastEventID=earliest"))) {
        assertThat(replay.awaitOpen(WAIT)).isEqualTo(200);
        assertThat(replay.awaitEvents(1, WAIT))
            .extracting(SseParser.Event::id)
            .containsExactly("e2e-1");
        assertThat(replay.headers().firstValue("last-event-id")).hasValue("e2e-1");
      }
    }
  }
}
