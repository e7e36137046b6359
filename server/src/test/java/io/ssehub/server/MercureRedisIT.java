package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseHub;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.redis.RedisBroker;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import io.ssehub.testkit.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String BOOK = "https://example.com/books/1";

  private final RedisServer redis;
  private final HttpClient http = SseClient.newHttpClient();
  private final List<SseHubServer> nodes = new ArrayList<>();
  private final List<SseClient> clients = new ArrayList<>();

  MercureRedisIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void twoNodes() {
    redis.command("FLUSHALL"); // each test starts from an empty history
    for (int i = 0; i < 2; i++) {
      RedisBroker broker = RedisBroker.builder().uri(redis.uri().toString()).build();
      broker.connect();
      nodes.add(SseHubServer.builder().host("127.0.0.1").port(0)
          .hub(SseHub.builder().broker(broker).build())
          .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
          .mercureAnonymousSubscribers(true)
          .build().start());
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(SseClient::close);
    nodes.forEach(SseHubServer::close);
  }

  private URI uri(int node, String query) {
    return URI.create("http://127.0.0.1:" + nodes.get(node).port() + "/.well-known/mercure" + query);
  }

  private SseClient subscribe(int node, String query, Map<String, String> headers) {
    SseClient client = SseClient.open(http, uri(node, query), headers);
    clients.add(client);
    assertThat(client.awaitOpen(WAIT)).isEqualTo(200);
    return client;
  }

  private String publish(int node, String form) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(node, ""))
        .header("Authorization", "Bearer " + MercureIT.PUBLISHER)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void updatesPublishedOnOneNodeReachSubscribersOfBothWithPrivateFiltering() throws Exception {
    String topic = "?topic=" + enc("https://example.com/books/{id}");
    SseClient anonymousA = subscribe(0, topic, Map.of());
    SseClient anonymousB = subscribe(1, topic, Map.of());
    SseClient grantedB = subscribe(1, topic,
        Map.of("Authorization", "Bearer " + MercureIT.token(List.of(BOOK), List.of(), null)));
    // Every stream has started (its position line arrived): it is subscribed on its node.
    for (SseClient client : List.of(anonymousA, anonymousB, grantedB)) {
      org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(20)).atMost(WAIT)
          .until(() -> client.lastEventId() != null);
    }

    publish(0, "topic=" + enc(BOOK) + "&data=secret&private=on");
    publish(1, "topic=" + enc(BOOK) + "&data=public");

    assertThat(grantedB.awaitEvents(2, WAIT)).extracting(SseParser.Event::data).containsExactly("secret", "public");
    assertThat(anonymousA.awaitEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("public");
    assertThat(anonymousB.awaitEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("public");
  }

  @Test
  void historyReplaysFromEitherNode() throws Exception {
    String first = publish(0, "topic=" + enc(BOOK) + "&data=one");
    String second = publish(0, "topic=" + enc(BOOK) + "&data=two&id=" + enc("urn:custom:2"));
    assertThat(second).isEqualTo("urn:custom:2");

    SseClient earliest = subscribe(1, "?topic=" + enc(BOOK) + "&lastEventID=earliest", Map.of());
    assertThat(earliest.awaitEvents(2, WAIT)).extracting(SseParser.Event::data).containsExactly("one", "two");
    assertThat(earliest.awaitEvents(2, WAIT)).extracting(SseParser.Event::id).containsExactly(first, second);
    assertThat(earliest.headers().firstValue("last-event-id")).hasValue(second);

    SseClient resumed = subscribe(1, "?topic=" + enc(BOOK), Map.of("Last-Event-ID", first));
    assertThat(resumed.awaitEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("two");
    publish(0, "topic=" + enc(BOOK) + "&data=three");
    assertThat(resumed.awaitEvents(2, WAIT)).extracting(SseParser.Event::data).containsExactly("two", "three");
  }
}
