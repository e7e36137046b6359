package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import io.ssehub.testkit.Tokens;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mercure's active subscriptions on two hubs sharing one redis-server: subscription events (private
 * JSON-LD updates) reach watchers on the other node, and the subscriptions API of either node lists
 * the subscribers of both.
 */
@ExtendWith(RedisExtension.class)
class MercureSubscriptionsIT {
  private static final Duration WAIT = MercureNodes.WAIT;
  private static final String BOOK = "https://example.com/books/1";
  private static final String SUBSCRIPTIONS =
      "/.well-known/mercure/subscriptions{/topic}{/subscriber}";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RedisServer redis;
  private MercureNodes nodes;

  MercureSubscriptionsIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void twoNodes() {
    nodes = new MercureNodes(redis, node -> node.mercureSubscriptions(true));
  }

  @AfterEach
  void stop() {
    nodes.close();
  }

  private static String enc(String value) {
    return MercureNodes.enc(value);
  }

  private static String watcherToken() {
    return Tokens.hs256(
        Tokens.SECRET,
        new JWTClaimsSet.Builder()
            .claim("mercure", Map.of("subscribe", List.of(SUBSCRIPTIONS)))
            .build());
  }

  private SseClient subscribe(int node, String query, String token) {
    return nodes.subscribe(node, query, Map.of("Authorization", "Bearer " + token));
  }

  private HttpResponse<String> get(int node, String pathAndQuery, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(nodes.uri(node, pathAndQuery)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return nodes.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/ld+json");
    return JSON.readTree(response.body());
  }

  @Test
  void subscriptionEventsAndTheApiSpanBothNodes() throws Exception {
    SseClient watcher = subscribe(0, "?topic=" + enc(SUBSCRIPTIONS), watcherToken());
    String subscriberToken =
        Tokens.hs256(
            Tokens.SECRET,
            new JWTClaimsSet.Builder()
                .claim(
                    "mercure", Map.of("subscribe", List.of(BOOK), "payload", Map.of("user", "u1")))
                .build());
    SseClient subscriber = subscribe(1, "?topic=" + enc(BOOK), subscriberToken);

    // The watcher hears of its own subscription too, as in the Go hub; the subscriber's is the one
    // on BOOK.
    SseParser.Event arrived = awaitAbout(watcher, BOOK, 1).get(0);
    JsonNode event = JSON.readTree(arrived.data());
    assertThat(event.get("@context").asText()).isEqualTo("https://mercure.rocks/");
    assertThat(event.get("type").asText()).isEqualTo("Subscription");
    assertThat(event.get("topic").asText()).isEqualTo(BOOK);
    assertThat(event.get("active").asBoolean()).isTrue();
    assertThat(event.get("payload").get("user").asText()).isEqualTo("u1");
    String subscriberId = event.get("subscriber").asText();
    assertThat(subscriberId).startsWith("urn:uuid:");
    assertThat(event.get("id").asText())
        .isEqualTo(
            "/.well-known/mercure/subscriptions/"
                + "https%3A%2F%2Fexample.com%2Fbooks%2F1"
                + "/"
                + enc(subscriberId));
    assertThat(arrived.data())
        .as("indented as the Go hub's MarshalIndent")
        .contains("\n  \"type\": \"Subscription\"");

    // Node 0 learns node 1's subscriber from its event: the API of either node lists it.
    for (int node = 0; node < 2; node++) {
      int n = node;
      await()
          .pollInterval(Duration.ofMillis(20))
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonNode all = json(get(n, "/.well-known/mercure/subscriptions", watcherToken()));
                assertThat(all.get("type").asText()).isEqualTo("Subscriptions");
                assertThat(all.get("id").asText()).isEqualTo("/.well-known/mercure/subscriptions");
                assertThat(all.get("subscriptions").findValuesAsText("subscriber"))
                    .contains(subscriberId);
              });
    }
    String escapedTopic = enc(BOOK);
    JsonNode byTopic =
        json(get(0, "/.well-known/mercure/subscriptions/" + escapedTopic, watcherToken()));
    assertThat(byTopic.get("subscriptions")).hasSize(1);
    JsonNode single =
        json(
            get(
                0,
                "/.well-known/mercure/subscriptions/" + escapedTopic + "/" + enc(subscriberId),
                watcherToken()));
    assertThat(single.get("@context").asText()).isEqualTo("https://mercure.rocks/");
    assertThat(single.get("subscriber").asText()).isEqualTo(subscriberId);
    assertThat(single.get("lastEventID").asText()).isNotEmpty();
    assertThat(single.get("payload").get("user").asText()).isEqualTo("u1");

    subscriber.close();
    List<SseParser.Event> events = awaitAbout(watcher, BOOK, 2);
    assertThat(JSON.readTree(events.get(1).data()).get("active").asBoolean()).isFalse();
    await()
        .pollInterval(Duration.ofMillis(20))
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        json(get(0, "/.well-known/mercure/subscriptions", watcherToken()))
                            .get("subscriptions")
                            .findValuesAsText("subscriber"))
                    .doesNotContain(subscriberId));
    assertThat(
            get(
                    0,
                    "/.well-known/mercure/subscriptions/" + escapedTopic + "/" + enc(subscriberId),
                    watcherToken())
                .statusCode())
        .isEqualTo(404);
  }

  /** Waits for {@code count} subscription events about subscriptions to {@code topic}. */
  private static List<SseParser.Event> awaitAbout(SseClient watcher, String topic, int count) {
    List<SseParser.Event> about = new ArrayList<>();
    await()
        .pollInterval(Duration.ofMillis(20))
        .atMost(WAIT)
        .until(
            () -> {
              about.clear();
              for (SseParser.Event event : watcher.events()) {
                if (JSON.readTree(event.data()).get("topic").asText().equals(topic)) {
                  about.add(event);
                }
              }
              return about.size() >= count;
            });
    return about;
  }

  @Test
  void theApiNeedsATokenThatGrantsItsUrl() throws Exception {
    HttpResponse<String> anonymous = get(0, "/.well-known/mercure/subscriptions", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("mercure.subscribe");
    String other =
        Tokens.hs256(
            Tokens.SECRET,
            new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("subscribe", List.of(BOOK)))
                .build());
    assertThat(get(0, "/.well-known/mercure/subscriptions", other).statusCode()).isEqualTo(401);
    assertThat(get(0, "/.well-known/mercure/subscriptions/a/b/c", watcherToken()).statusCode())
        .isEqualTo(404);
  }
}
