package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseHub;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.redis.RedisBroker;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.Tokens;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Two hubs serving Mercure on one redis-server (emptied first), with {@link Tokens#SECRET} as their
 * JWT key, and the subscriptions opened on them; for the Mercure tests that span nodes.
 */
final class MercureNodes implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final HttpClient http = SseClient.newHttpClient();
  private final List<SseHubServer> nodes = new ArrayList<>();
  private final List<SseClient> clients = new ArrayList<>();

  MercureNodes(RedisServer redis, UnaryOperator<SseHubServer.Builder> options) {
    redis.command("FLUSHALL"); // each test starts from an empty history
    for (int i = 0; i < 2; i++) {
      RedisBroker broker = RedisBroker.builder().uri(redis.uri().toString()).build();
      broker.connect();
      nodes.add(
          options
              .apply(
                  SseHubServer.builder()
                      .host("127.0.0.1")
                      .port(0)
                      .hub(SseHub.builder().broker(broker).build())
                      .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build()))
              .build()
              .start());
    }
  }

  HttpClient http() {
    return http;
  }

  URI uri(int node, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + nodes.get(node).port() + pathAndQuery);
  }

  /**
   * Opens {@code /.well-known/mercure?query} on {@code node} and waits until the node has
   * subscribed it: a Mercure stream's first bytes, a comment, are written only then.
   */
  SseClient subscribe(int node, String query, Map<String, String> headers) {
    SseClient client = SseClient.open(http, uri(node, "/.well-known/mercure" + query), headers);
    clients.add(client);
    assertThat(client.awaitOpen(WAIT)).isEqualTo(200);
    client.awaitComments(1, WAIT);
    return client;
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    clients.forEach(SseClient::close);
    nodes.forEach(SseHubServer::close);
  }
}
