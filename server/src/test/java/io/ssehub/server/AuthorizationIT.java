package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.SseHub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hub's {@code Authorizer} over loopback HTTP: a refused stream is answered 401 or 403 with a
 * JSON body, before any stream byte; a refused publish stores nothing.
 */
class AuthorizationIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AccessRequest> asked = new CopyOnWriteArrayList<>();
  private SseHubServer server;

  @BeforeEach
  void start() {
    // Anonymous clients (no credentials over HTTP yet) may read "public" only, and publish nowhere
    // but "inbox"; a request naming "nobody" counts as having no credentials.
    SseHub hub =
        SseHub.builder()
            .authorizer(
                request -> {
                  asked.add(request);
                  if (request.channels().contains("nobody")) {
                    return AccessDecision.unauthenticated("no credentials");
                  }
                  String allowed =
                      request.action() == AccessRequest.Action.SUBSCRIBE ? "public" : "inbox";
                  return request.channels().stream().allMatch(allowed::equals)
                      ? AccessDecision.allow()
                      : AccessDecision.forbidden("not granted to anonymous clients");
                })
            .build();
    server = SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void refusedStreamIs403JsonWithNoStreamByte() {
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            "GET /stream?channel=public&channel=private HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(403);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.header("content-length")).isNotNull();
    assertThat(response.header("transfer-encoding")).isNull();
    assertThat(response.json().get("error").asText()).isEqualTo("forbidden");
    assertThat(response.json().get("message").asText())
        .contains("not granted to anonymous clients");
    assertThat(response.text()).doesNotContain("retry:");
    assertThat(server.hub().streamCount()).isZero();
    assertThat(asked)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.channels()).containsExactly("public", "private");
              assertThat(request.remoteAddress())
                  .as("the authorizer sees the client's address")
                  .isEqualTo("127.0.0.1");
            });
  }

  @Test
  void streamWithoutCredentialsIs401() {
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            "GET /stream?channel=nobody HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.json().get("error").asText()).isEqualTo("unauthorized");
    assertThat(response.text()).doesNotContain("retry:");
  }

  @Test
  void allowedStreamStillStreams() {
    try (RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/stream?channel=public")) {
      assertThat(stream.head().status()).isEqualTo(200);
      assertThat(stream.readUntil(text -> text.contains("\n\n"), WAIT))
          .startsWith("retry: 3000\n\n");
    }
  }

  @Test
  void refusedPublishIs403AndNothingReachesHistory() {
    String body = "{\"channel\":\"public\",\"data\":\"x\"}";
    RawHttp.Response refused =
        RawHttp.exchange(
            server.port(),
            "POST /publish HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\nConnection: close\r\n\r\n"
                + body);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().get("error").asText()).isEqualTo("forbidden");
    assertThat(server.hub().publish("inbox", "first").join().id())
        .as("nothing was stored before")
        .isEqualTo("1");
  }
}
