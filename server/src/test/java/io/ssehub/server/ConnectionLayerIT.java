package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.redis.RedisBroker;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP connection layer's rules, over real HTTP on loopback: the CSRF guard of {@code POST
 * /publish}, {@code HEAD} (RFC 9110) and {@code Host} (RFC 9112), and what {@code /health} and a
 * broker outage's 503 tell a client that may not inspect the node.
 */
class ConnectionLayerIT {
  private static final String ALLOWED = "https://app.example";
  private static final String FOREIGN = "https://evil.example";
  private static final String BODY = "{\"channel\":\"news\",\"data\":\"x\"}";

  private SseHubServer server;
  private RedisServer redis;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private void startWithTokens() {
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().authorizer(tokensRequired()).build())
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .cors(CorsPolicy.of(List.of(ALLOWED)))
            .build()
            .start();
  }

  /** The authorizer {@code bin/ssehub} has with a JWT key: a token's grants decide. */
  private static GrantAuthorizer tokensRequired() {
    return GrantAuthorizer.builder().tokensRequired(true).build();
  }

  private void startWithoutTokens() {
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().build())
            .build()
            .start();
  }

  private RawHttp.Response publish(String... headers) {
    byte[] bytes = BODY.getBytes(StandardCharsets.UTF_8);
    StringBuilder request =
        new StringBuilder(
            "POST /publish HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.port()
                + "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(server.port(), request.append("\r\n").append(BODY).toString());
  }

  private RawHttp.Response request(String method, String target, String... headers) {
    StringBuilder request =
        new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(server.port(), request.append("\r\n").toString());
  }

  private static String cookie() {
    return "Cookie: "
        + JwtAuthenticator.DEFAULT_COOKIE
        + "="
        + SecurityIT.token(List.of(), List.of("news"));
  }

  private static void assertForbiddenOrigin(RawHttp.Response response, String field) {
    assertThat(response.status()).as(response.toString()).isEqualTo(403);
    assertThat(response.json().get("error").asText()).isEqualTo("forbidden_origin");
    assertThat(response.json().get("field").asText()).isEqualTo(field);
  }

  // ---- CSRF on POST /publish

  @Test
  void aCookieAuthorizedPublishNeedsAnAllowedOrigin() {
    startWithTokens();
    assertForbiddenOrigin(publish(cookie(), "Origin: " + FOREIGN), "Origin");
    assertForbiddenOrigin(publish(cookie(), "Referer: " + FOREIGN + "/page"), "Referer");
    assertForbiddenOrigin(publish(cookie(), "Origin: null"), "Origin");
    assertForbiddenOrigin(
        publish(cookie()), "headers"); // a cookie with neither header: as the Mercure door
    assertThat(publish(cookie(), "Origin: " + ALLOWED).status()).isEqualTo(200);
    assertThat(publish(cookie(), "Referer: " + ALLOWED + "/app/page").status()).isEqualTo(200);
    // The hub's own pages (the dashboard) publish from its origin.
    assertThat(publish(cookie(), "Origin: http://127.0.0.1:" + server.port()).status())
        .isEqualTo(200);
  }

  @Test
  void aBearerTokenPublishesWhateverTheOrigin() {
    startWithTokens();
    String bearer = "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("news"));
    assertThat(publish(bearer, "Origin: " + FOREIGN).status()).isEqualTo(200);
    assertThat(publish(bearer).status()).isEqualTo(200);
    assertThat(publish(bearer, cookie(), "Origin: " + FOREIGN).status())
        .isEqualTo(200); // the header wins
  }

  @Test
  void anAnonymousLoopbackPublishFromAForeignPageIsRefused() {
    startWithoutTokens();
    assertThat(publish().status()).isEqualTo(200); // curl, a server-side publisher: no Origin
    assertForbiddenOrigin(publish("Origin: " + FOREIGN), "Origin");
    assertForbiddenOrigin(publish("Referer: " + FOREIGN + "/"), "Referer");
    assertThat(publish("Origin: http://127.0.0.1:" + server.port()).status()).isEqualTo(200);
  }

  // ---- HEAD and Host

  @Test
  void headAnswersWhatGetWouldWithoutTheBody() throws IOException {
    startWithoutTokens();
    for (String target : List.of("/health", "/health/live", "/health/ready", "/")) {
      RawHttp.Response get = request("GET", target);
      RawHttp.Head head = headOn(target);
      assertThat(head.status()).as(target).isEqualTo(get.status());
      assertThat(head.header("content-type")).as(target).isEqualTo(get.header("content-type"));
      assertThat(head.header("content-length"))
          .as(target)
          .isEqualTo(Integer.toString(get.body().length));
    }
    RawHttp.Head stream = headOn("/stream?channel=news");
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.header("content-type")).startsWith("text/event-stream");
    assertThat(server.hub().streamCount()).isZero(); // no stream was opened
    assertThat(headOn("/stream?channel=bad%0Aname").status()).isEqualTo(400); // checked as GET is
  }

  /**
   * Sends HEAD then GET /health/live on one connection: the HEAD's answer must have no body, or the
   * GET's would be garbled.
   */
  private RawHttp.Head headOn(String target) throws IOException {
    try (Socket socket = RawHttp.connect(server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("HEAD "
                  + target
                  + " HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      RawHttp.Head head = RawHttp.readHead(in);
      RawHttp.Response next = RawHttp.read(in); // right after the head: no body in between
      assertThat(next.status()).as(target).isEqualTo(200);
      assertThat(next.json().get("status").asText()).isEqualTo("live");
      return head;
    }
  }

  @Test
  void wrongMethodsNameHeadInAllow() throws IOException {
    startWithoutTokens();
    RawHttp.Response onStream = request("DELETE", "/stream?channel=news");
    assertThat(onStream.status()).isEqualTo(405);
    assertThat(onStream.header("allow")).isEqualTo("GET, HEAD");
    RawHttp.Head onPublish = headOn("/publish");
    assertThat(onPublish.status()).isEqualTo(405);
    assertThat(onPublish.header("allow")).isEqualTo("POST");
  }

  @Test
  void anHttp11RequestNeedsExactlyOneHost() {
    startWithoutTokens();
    RawHttp.Response none =
        RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.json().get("field").asText()).isEqualTo("Host");
    assertThat(none.json().get("message").asText()).contains("missing");
    RawHttp.Response two =
        RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertThat(two.status()).isEqualTo(400);
    assertThat(two.json().get("message").asText()).contains("2 times");
    assertThat(RawHttp.exchange(server.port(), "GET /health HTTP/1.0\r\n\r\n").status())
        .isEqualTo(200);
  }

  // ---- what /health and a broker outage show

  @Test
  void healthShowsTheBrokerAddressOnlyToThoseWhoMayInspectTheNode() {
    redis = RedisServer.startOnFreePort();
    RedisBroker broker =
        RedisBroker.builder()
            .uri(redis.uri().toString())
            .channelPrefix("secret-prefix:")
            .commandTimeout(Duration.ofSeconds(1))
            .build();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().broker(broker).authorizer(tokensRequired()).build())
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .build()
            .start();
    String port = Integer.toString(redis.uri().getPort());
    String admin = "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("*"));
    String newsPublisher = "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("news"));

    for (String path : List.of("/health", "/health/ready")) {
      RawHttp.Response anonymous = request("GET", path);
      assertThat(anonymous.json().get("broker").asText()).as(path).isEqualTo("redis");
      assertThat(anonymous.text()).as(path).doesNotContain(port).doesNotContain("secret-prefix");
      assertThat(request("GET", path, newsPublisher).json().get("broker").asText())
          .as(path)
          .isEqualTo("redis");
      assertThat(request("GET", path, admin).json().get("broker").asText())
          .as(path)
          .contains(port, "secret-prefix");
    }
    assertThat(request("GET", "/health").json().fieldNames())
        .toIterable()
        .containsExactly("status", "broker", "connected", "streams");

    redis.kill();
    RawHttp.Response outage = publish(newsPublisher);
    assertThat(outage.status()).as(outage.toString()).isEqualTo(503);
    assertThat(outage.json().get("message").asText())
        .contains("broker")
        .doesNotContain(port)
        .doesNotContain("secret-prefix")
        .doesNotContain("127.0.0.1");
  }
}
