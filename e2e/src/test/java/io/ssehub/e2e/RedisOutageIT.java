package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redis killed and restarted under a running hub: streams stay open (keepalives go on), publishes
 * meanwhile answer 503 (nothing accepted and dropped), /health says not ready, and delivery resumes
 * after Redis returns without restarting the hub.
 */
class RedisOutageIT {

  @Test
  void streamsSurviveAndDeliveryResumes() {
    try (RedisServer redis = RedisServer.startOnFreePort();
        HubProcess hub =
            HubProcess.start("--redis", redis.uri().toString(), "--keepalive", "300ms");
        SseClient stream =
            SseClient.open(SseClient.newHttpClient(), hub.uri("/stream?channel=logs"))) {
      assertThat(stream.awaitOpen(Duration.ofSeconds(10))).isEqualTo(200);
      Publisher publisher = new Publisher();
      publisher.publishOk(hub.uri("/"), "logs", "before");
      stream.awaitEvents(1, Duration.ofSeconds(10));
      assertThat(hub.healthStatus()).isEqualTo(200);

      redis.kill();
      await("health turns not ready")
          .atMost(Duration.ofSeconds(10))
          .until(() -> hub.healthStatus() == 503);
      Publisher.Result refused = publisher.publish(hub.uri("/"), "logs", "during");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.body().path("message").asText()).isNotBlank();
      int commentsBefore = stream.comments().size();
      await("keepalives go on")
          .atMost(Duration.ofSeconds(10))
          .until(() -> stream.comments().size() > commentsBefore + 1);
      assertThat(stream.isClosed()).isFalse();

      redis.start();
      await("health ready again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> hub.healthStatus() == 200);
      publisher.publishOk(hub.uri("/"), "logs", "after");
      // Redis came back empty (it keeps nothing on disk here): the stream is told its position is
      // gone from history, as a resuming client would be, and goes on.
      List<SseParser.Event> events = stream.awaitEvents(3, Duration.ofSeconds(10));
      assertThat(events)
          .extracting(SseParser.Event::type)
          .containsExactly("message", "ssehub.history-cut", "message");
      assertThat(events).extracting(SseParser.Event::data).first().isEqualTo("before");
      assertThat(events.get(2).data()).isEqualTo("after");
      assertThat(stream.isClosed()).isFalse();
    }
  }
}
