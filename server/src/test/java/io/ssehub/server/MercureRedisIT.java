package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mercure on two hubs sharing one real redis-server: an update published on one node reaches the
 * subscribers of both, private filtering included, and history replays from either node.
 */
@ExtendWith(RedisExtension.class)
class MercureRedisIT {
  private static final Duration WAIT = MercureNodes.WAIT;
  private static final String BOOK = "https://example.com/books/1";

  private final RedisServer redis;
  private MercureNodes nodes;

  MercureRedisIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void twoNodes() {
    nodes = new MercureNodes(redis, node -> node.mercureAnonymousSubscribers(true));
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private SseClient subscribe(int node, String query, Map<String, String> headers) {
    return nodes.subscribe(node, query, headers);
  }

  private String publish(int node, String form) throws Exception {
    HttpResponse<String> response =
        nodes
            .http()
            .send(
                HttpRequest.newBuilder(nodes.uri(node, "/.well-known/mercure"))
                    .header("Authorization", "Bearer " + MercureIT.PUBLISHER)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static String enc(String value) {
    return MercureNodes.enc(value);
  }

  @Test
  void updatesPublishedOnOneNodeReachSubscribersOfBothWithPrivateFiltering() throws Exception {
    String topic = "?topic=" + enc("https://example.com/books/{id}");
    SseClient anonymousA = subscribe(0, topic, Map.of());
    SseClient anonymousB = subscribe(1, topic, Map.of());
    SseClient grantedB =
        subscribe(
            1,
            topic,
            Map.of("Authorization", "Bearer " + MercureIT.token(List.of(BOOK), List.of(), null)));
    publish(0, "topic=" + enc(BOOK) + "&data=secret&private=on");
    publish(1, "topic=" + enc(BOOK) + "&data=public");

    assertThat(grantedB.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("secret", "public");
    assertThat(anonymousA.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("public");
    assertThat(anonymousB.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("public");
  }

  @Test
  void historyReplaysFromEitherNode() throws Exception {
    String first = publish(0, "topic=" + enc(BOOK) + "&data=one");
    String second = publish(0, "topic=" + enc(BOOK) + "&data=two&id=" + enc("urn:custom:2"));
    assertThat(second).isEqualTo("urn:custom:2");

    SseClient earliest = subscribe(1, "?topic=" + enc(BOOK) + "&lastEventID=earliest", Map.of());
    assertThat(earliest.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("one", "two");
    assertThat(earliest.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::id)
        .containsExactly(first, second);
    assertThat(earliest.headers().firstValue("last-event-id")).hasValue(second);

    SseClient resumed = subscribe(1, "?topic=" + enc(BOOK), Map.of("Last-Event-ID", first));
    assertThat(resumed.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("two");
    publish(0, "topic=" + enc(BOOK) + "&data=three");
    assertThat(resumed.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("two", "three");
  }
}
