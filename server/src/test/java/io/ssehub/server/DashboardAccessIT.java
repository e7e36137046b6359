package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.testkit.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may open {@code /ui} and {@code /ui/stream}: whoever may publish to every channel. Off
 * without {@code ui(true)}, where it is a 404 like any unknown path; refusals are 401 or 403 with a
 * JSON body, before any stream byte.
 */
class DashboardAccessIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private SseHubServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RawHttp.Response exchange(String method, String target, String... headers) {
    StringBuilder request =
        new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(server.port(), request.append("\r\n").toString());
  }

  private static void assertRefused(RawHttp.Response response, int status, String error) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.json().get("error").asText()).isEqualTo(error);
    assertThat(response.json().get("message").asText())
        .contains("the dashboard needs the right to publish to every channel");
    assertThat(response.text()).doesNotContain("<html").doesNotContain("retry:");
  }

  @Test
  void uiAndItsStreamAre404LikeAnyUnknownPath() {
    server = SseHubServer.builder().host("127.0.0.1").port(0).build().start();
    for (String path : List.of("/ui", "/ui/stream")) {
      RawHttp.Response response = exchange("GET", path);
      assertThat(response.status()).as(path).isEqualTo(404);
      assertThat(response.json().get("error").asText()).isEqualTo("not_found");
      assertThat(response.json().get("message").asText()).contains(path);
    }
  }

  private void startWithoutJwt(boolean anonymousPublish) {
    SseHub hub =
        SseHub.builder()
            .authorizer(GrantAuthorizer.builder().anonymousPublish(anonymousPublish).build())
            .build();
    server = SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).ui(true).build().start();
  }

  @Test
  void loopbackGetsThePageSelfContainedAndLockedDown() {
    startWithoutJwt(false);
    RawHttp.Response page = exchange("GET", "/ui");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.header("x-frame-options")).isEqualTo("DENY");
    assertThat(page.header("content-security-policy"))
        .contains("default-src 'none'")
        .contains("connect-src 'self'");
    assertThat(page.text())
        .contains("new EventSource('ui/stream'")
        .doesNotContain("src=\"http")
        .doesNotContain("href=\"http")
        .doesNotContain("<script src");
  }

  @Test
  void loopbackGetsASnapshotEverySecondOfTheHubsState() throws Exception {
    startWithoutJwt(false);
    server.hub().subscribe(SubscribeRequest.of("news"), SseSink.discarding());
    try (RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/ui/stream")) {
      assertThat(stream.head().status()).isEqualTo(200);
      assertThat(stream.head().header("content-type"))
          .isEqualTo("text/event-stream; charset=utf-8");
      String text = stream.readUntil(t -> t.split("event: snapshot\n", -1).length > 2, WAIT);
      assertThat(text).startsWith("retry: 1000\n\n");
      JsonNode snapshot =
          JSON.readTree(
              text.lines()
                  .filter(l -> l.startsWith("data: "))
                  .findFirst()
                  .orElseThrow()
                  .substring(6));
      assertThat(snapshot.get("streams").asInt()).isEqualTo(1);
      assertThat(snapshot.get("channelCount").asInt()).isEqualTo(1);
      assertThat(snapshot.get("channels").get(0).get("name").asText()).isEqualTo("news");
      assertThat(snapshot.get("channels").get(0).get("streams").asInt()).isEqualTo(1);
      assertThat(snapshot.get("broker").get("connected").asBoolean()).isTrue();
      assertThat(snapshot.get("broker").get("describe").asText())
          .isEqualTo(server.hub().broker().describe());
      assertThat(snapshot.get("published").isNumber()).isTrue();
      assertThat(snapshot.get("delivered").isNumber()).isTrue();
      assertThat(snapshot.get("fannedOut").isNumber()).isTrue();
      assertThat(snapshot.get("node").asText()).contains("pid " + ProcessHandle.current().pid());
    }
  }

  @Test
  void onlyGetIsAnswered() {
    startWithoutJwt(false);
    RawHttp.Response response = exchange("POST", "/ui", "Content-Length: 0");
    assertThat(response.status()).isEqualTo(405);
    assertThat(response.json().get("error").asText()).isEqualTo("method_not_allowed");
  }

  @Test
  void anOpenDashboardStreamDoesNotHoldUpTheServersClose() {
    startWithoutJwt(true);
    RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/ui/stream");
    stream.readUntil(t -> t.contains("event: snapshot"), WAIT);
    long started = System.nanoTime();
    server.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isLessThan(SseHubServer.DEFAULT_SHUTDOWN_TIMEOUT);
    stream.close();
  }

  private void startWithJwt() {
    SseHub hub =
        SseHub.builder().authorizer(GrantAuthorizer.builder().tokensRequired(true).build()).build();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(hub)
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .ui(true)
            .build()
            .start();
  }

  private String token(List<String> publish) {
    return Tokens.hs256(Tokens.SECRET, Tokens.grants(Instant.now(), List.of("*"), publish).build());
  }

  @Test
  void noTokenIs401WithTheBearerChallenge() {
    startWithJwt();
    for (String path : List.of("/ui", "/ui/stream")) {
      RawHttp.Response response = exchange("GET", path);
      assertRefused(response, 401, "unauthorized");
      assertThat(response.header("www-authenticate")).startsWith("Bearer");
    }
  }

  @Test
  void aTokenThatDoesNotHoldIs401() {
    startWithJwt();
    String forged =
        Tokens.hs256(
            "another-secret-another-secret-another-secret".getBytes(StandardCharsets.UTF_8),
            Tokens.grants(Instant.now(), List.of("*"), List.of("*")).build());
    RawHttp.Response response = exchange("GET", "/ui", "Authorization: Bearer " + forged);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("content-type")).isEqualTo("application/json");
  }

  @Test
  void aTokenThatMayPublishToSomeChannelsOnlyIs403() {
    startWithJwt();
    for (String path : List.of("/ui", "/ui/stream")) {
      RawHttp.Response response =
          exchange("GET", path, "Authorization: Bearer " + token(List.of("news", "user.*")));
      assertRefused(response, 403, "forbidden");
    }
    RawHttp.Response subscriberOnly =
        exchange("GET", "/ui", "Authorization: Bearer " + token(List.of()));
    assertRefused(subscriberOnly, 403, "forbidden");
  }

  @Test
  void aTokenThatMayPublishEverywhereOpensItByHeaderCookieOrQuery() {
    startWithJwt();
    String token = token(List.of("*"));
    assertThat(exchange("GET", "/ui", "Authorization: Bearer " + token).status()).isEqualTo(200);
    assertThat(
            exchange("GET", "/ui", "Cookie: " + JwtAuthenticator.DEFAULT_COOKIE + "=" + token)
                .status())
        .isEqualTo(200);
    assertThat(exchange("GET", "/ui?token=" + token).status()).isEqualTo(200);
    try (RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/ui/stream?token=" + token)) {
      assertThat(stream.head().status()).isEqualTo(200);
      stream.readUntil(t -> t.contains("event: snapshot\ndata: {"), WAIT);
    }
  }
}
