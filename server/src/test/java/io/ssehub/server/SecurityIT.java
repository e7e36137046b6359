package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.ssehub.core.ChannelPattern;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.testkit.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The "what it must show" over loopback HTTP: with an HS256 secret, a token granting {@code
 * subscribe: ["news"]} streams news and gets 403 on admin; a publish without a token gets 401 with
 * {@code WWW-Authenticate}; a publish token for news cannot publish to admin. And CORS.
 */
class SecurityIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private SseHubServer server;

  @BeforeEach
  void start() {
    SseHub hub =
        SseHub.builder()
            .authorizer(
                GrantAuthorizer.builder()
                    .tokensRequired(true)
                    .publicChannels(List.of(ChannelPattern.of("public.*")))
                    .build())
            .build();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(hub)
            .jwt(JwtAuthenticator.hmacSecret(Tokens.SECRET).build())
            .cors(CorsPolicy.of(List.of("http://app.example", "*")))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String token(List<String> subscribe, List<String> publish) {
    return Tokens.hs256(Tokens.SECRET, Tokens.grants(Instant.now(), subscribe, publish).build());
  }

  private RawHttp.Response get(String target, String... headers) {
    StringBuilder request =
        new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(server.port(), request.append("\r\n").toString());
  }

  private RawHttp.Response publish(String body, String... headers) {
    StringBuilder request =
        new StringBuilder(
            "POST /publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(server.port(), request.append("\r\n").append(body).toString());
  }

  @Test
  void newsTokenStreamsNewsWithEachCarrier() {
    String news = token(List.of("news"), List.of());
    for (String[] carrier :
        List.of(
            new String[] {"/stream?channel=news", "Authorization: Bearer " + news},
            new String[] {"/stream?channel=news", "Cookie: other=1; ssehub_token=" + news},
            new String[] {"/stream?channel=news&token=" + news})) {
      String[] headers = java.util.Arrays.copyOfRange(carrier, 1, carrier.length);
      try (RawHttp.Stream stream = RawHttp.Stream.open(server.port(), carrier[0], headers)) {
        assertThat(stream.head().status())
            .as(String.join(" ", carrier).substring(0, 30))
            .isEqualTo(200);
        server.hub().publish("news", "hello");
        assertThat(stream.readUntil(text -> text.contains("data: hello"), WAIT))
            .contains("data: hello");
      }
    }
  }

  @Test
  void newsTokenGets403OnAdmin() {
    RawHttp.Response response =
        get("/stream?channel=admin", "Authorization: Bearer " + token(List.of("news"), List.of()));
    assertThat(response.status()).isEqualTo(403);
    assertThat(response.json().get("error").asText()).isEqualTo("forbidden");
    assertThat(response.json().get("message").asText()).contains("channel admin");
    assertThat(response.header("www-authenticate")).isNull();
  }

  @Test
  void anonymousStreamIs401OutsidePublicChannels() {
    RawHttp.Response response = get("/stream?channel=news");
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("www-authenticate")).isEqualTo("Bearer realm=\"ssehub\"");
    try (RawHttp.Stream stream =
        RawHttp.Stream.open(server.port(), "/stream?channel=public.lobby")) {
      assertThat(stream.head().status()).isEqualTo(200);
    }
  }

  @Test
  void publishWithoutTokenIs401() {
    RawHttp.Response response = publish("{\"channel\":\"news\",\"data\":\"x\"}");
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("www-authenticate")).isEqualTo("Bearer realm=\"ssehub\"");
    assertThat(response.json().get("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void newsPublishTokenCannotPublishToAdmin() {
    String publisher = "Authorization: Bearer " + token(List.of(), List.of("news"));
    assertThat(publish("{\"channel\":\"news\",\"data\":\"x\"}", publisher).status()).isEqualTo(200);
    RawHttp.Response admin = publish("{\"channel\":\"admin\",\"data\":\"x\"}", publisher);
    assertThat(admin.status()).isEqualTo(403);
    assertThat(admin.json().get("message").asText()).contains("publishing to channel admin");
    assertThat(server.refusals().count(Refusals.Cause.FORBIDDEN)).isEqualTo(1);
  }

  @Test
  void badTokenIs401InvalidTokenAndNotEchoed() {
    JWTClaimsSet expired =
        Tokens.grants(Instant.now().minusSeconds(7200), List.of("news"), List.of()).build();
    String token = Tokens.hs256(Tokens.SECRET, expired);
    RawHttp.Response response = get("/stream?channel=news&token=" + token);
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("www-authenticate"))
        .isEqualTo("Bearer realm=\"ssehub\", error=\"invalid_token\"");
    assertThat(response.json().get("message").asText()).contains("expired").doesNotContain(token);
  }

  @Test
  void corsPreflightAndCredentialsForTheListedOriginOnly() {
    RawHttp.Response preflight =
        RawHttp.exchange(
            server.port(),
            "OPTIONS /publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Origin: http://app.example\r\nAccess-Control-Request-Method: POST\r\n"
                + "Access-Control-Request-Headers: authorization, content-type\r\n\r\n");
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("access-control-allow-origin")).isEqualTo("http://app.example");
    assertThat(preflight.header("access-control-allow-credentials")).isEqualTo("true");
    assertThat(preflight.header("access-control-allow-methods")).isEqualTo("GET, POST, OPTIONS");
    assertThat(preflight.header("access-control-allow-headers"))
        .isEqualTo("Authorization, Content-Type, Last-Event-ID");
    assertThat(preflight.header("access-control-max-age")).isEqualTo("600");
    assertThat(preflight.header("vary")).isEqualTo("Origin");

    try (RawHttp.Stream stream =
        RawHttp.Stream.open(
            server.port(), "/stream?channel=public.x", "Origin: http://app.example")) {
      assertThat(stream.head().header("access-control-allow-origin"))
          .isEqualTo("http://app.example");
      assertThat(stream.head().header("access-control-allow-credentials")).isEqualTo("true");
    }
    RawHttp.Response other = get("/health", "Origin: http://other.example");
    assertThat(other.header("access-control-allow-origin")).isEqualTo("*");
    assertThat(other.header("access-control-allow-credentials")).isNull();
    RawHttp.Response refused = get("/stream?channel=news", "Origin: http://app.example");
    assertThat(refused.status())
        .as("errors carry CORS headers, so the page can read them")
        .isEqualTo(401);
    assertThat(refused.header("access-control-allow-origin")).isEqualTo("http://app.example");
  }
}
