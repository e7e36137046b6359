package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import io.ssehub.core.ChannelPattern;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.testkit.Tokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The hostile-input table of server/README.md, one test per row, thrown at one hub while a stream
 * opened first stays open: the last test checks that it still receives an event published after all
 * of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int PER_IP = 100;

  private SseHubServer server;
  private RawHttp.Stream survivor;

  @BeforeAll
  void start() {
    SseHub hub =
        SseHub.builder()
            .maxEventBytes(4096)
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
            .cors(CorsPolicy.of(List.of("*")))
            .maxConnectionsPerIp(PER_IP)
            .requestTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    survivor =
        RawHttp.Stream.open(
            server.port(),
            "/stream?channel=news",
            "Authorization: Bearer " + SecurityIT.token(List.of("news"), List.of()));
    assertThat(survivor.head().status()).isEqualTo(200);
  }

  @AfterAll
  void stop() {
    if (survivor != null) {
      survivor.close();
    }
    server.close();
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
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request =
        new StringBuilder(
            "POST /publish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + bytes.length
                + "\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return RawHttp.exchange(
        server.port(),
        request.append("\r\n").append(body).toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void assertProblem(RawHttp.Response response, int status, String code) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.json().get("error").asText()).isEqualTo(code);
  }

  private void assertInvalidToken(String token) {
    RawHttp.Response response = get("/stream?channel=news", "Authorization: Bearer " + token);
    assertProblem(response, 401, "unauthorized");
    assertThat(response.header("www-authenticate"))
        .isEqualTo("Bearer realm=\"ssehub\", error=\"invalid_token\"");
    assertThat(response.text()).doesNotContain(token);
  }

  private static JWTClaimsSet.Builder news() {
    return Tokens.grants(Instant.now(), List.of("news"), List.of("news"));
  }

  // ---- tokens

  @Test
  @Order(1)
  void expiredToken() {
    assertInvalidToken(
        Tokens.hs256(
            Tokens.SECRET,
            news().expirationTime(Date.from(Instant.now().minusSeconds(60))).build()));
  }

  @Test
  @Order(2)
  void notYetValidToken() {
    assertInvalidToken(
        Tokens.hs256(
            Tokens.SECRET,
            news().notBeforeTime(Date.from(Instant.now().plusSeconds(300))).build()));
  }

  @Test
  @Order(3)
  void wronglySignedToken() {
    assertInvalidToken(
        Tokens.hs256(
            "a-different-secret-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8),
            news().build()));
  }

  @Test
  @Order(4)
  void algNoneToken() {
    assertInvalidToken(Tokens.unsigned(news().build()));
  }

  @Test
  @Order(5)
  void algorithmConfusedTokens() throws Exception {
    assertInvalidToken(Tokens.rs256(Tokens.rsa(), news().build()));
    byte[] long64 = "0123456789abcdef".repeat(4).getBytes(StandardCharsets.US_ASCII);
    assertInvalidToken(
        Tokens.sign(new MACSigner(long64), JWSAlgorithm.HS512, null, news().build()));
  }

  @Test
  @Order(6)
  void malformedToken() {
    assertInvalidToken("not.a.jwt");
    assertProblem(get("/stream?channel=news&token=a&token=b"), 401, "unauthorized");
  }

  @Test
  @Order(7)
  void tokenForAnotherChannel() {
    String token = SecurityIT.token(List.of("news"), List.of("news"));
    assertProblem(get("/stream?channel=admin", "Authorization: Bearer " + token), 403, "forbidden");
    assertProblem(
        publish("{\"channel\":\"admin\",\"data\":\"x\"}", "Authorization: Bearer " + token),
        403,
        "forbidden");
    assertProblem(
        get("/stream?channel=news&channel=admin", "Authorization: Bearer " + token),
        403,
        "forbidden");
  }

  // ---- channel names

  @Test
  @Order(10)
  void wildcardInAChannelName() {
    String all = SecurityIT.token(List.of("*"), List.of("*"));
    assertProblem(get("/stream?channel=*", "Authorization: Bearer " + all), 400, "invalid_field");
    assertProblem(get("/stream?channel=news*"), 400, "invalid_field");
    assertProblem(
        publish("{\"channel\":\"*\",\"data\":\"x\"}", "Authorization: Bearer " + all),
        400,
        "invalid_field");
  }

  @Test
  @Order(11)
  void dotDotIsALiteralNameNotAPath() {
    String token = SecurityIT.token(List.of("news"), List.of());
    assertProblem(
        get("/stream?channel=news/../admin", "Authorization: Bearer " + token), 403, "forbidden");
    assertProblem(get("/stream?channel=../admin"), 401, "unauthorized");
    assertProblem(get("/stream?channel=public/../admin"), 401, "unauthorized");
  }

  @Test
  @Order(12)
  void veryLongChannelName() {
    assertProblem(get("/stream?channel=public." + "a".repeat(300)), 400, "invalid_field");
    assertProblem(
        publish(
            "{\"channel\":\"" + "a".repeat(5000) + "\",\"data\":\"x\"}",
            "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("*"))),
        400,
        "invalid_field");
  }

  @Test
  @Order(13)
  void controlCharactersInAChannelName() {
    for (String escaped : List.of("%00", "%0A", "%0D%0A", "%09", "%7F", "%1B%5B31m")) {
      assertProblem(get("/stream?channel=public.a" + escaped), 400, "invalid_field");
    }
  }

  @Test
  @Order(14)
  void nonUtf8BytesInTheQuery() {
    assertProblem(get("/stream?channel=public.%FF"), 400, "invalid_encoding");
    assertProblem(get("/stream?channel=public.%C3%28"), 400, "invalid_encoding");
    byte[] raw =
        "GET /stream?channel=public.\u00ff\u00fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(RawHttp.exchange(server.port(), raw).status()).isEqualTo(400);
  }

  @Test
  @Order(15)
  void tooManyChannelsOnOneStream() {
    StringBuilder target = new StringBuilder("/stream?channel=public.0");
    for (int i = 1; i <= 64; i++) {
      target.append("&channel=public.").append(i);
    }
    assertProblem(get(target.toString()), 400, "invalid_field");
  }

  // ---- CRLF into headers and SSE lines

  @Test
  @Order(20)
  void crlfInEventTypeAndId() {
    String token = "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("news"));
    assertProblem(
        publish("{\"channel\":\"news\",\"type\":\"a\\r\\ndata: forged\",\"data\":\"x\"}", token),
        400,
        "invalid_field");
    assertProblem(
        publish("{\"channel\":\"news\",\"id\":\"7\\nevent: forged\",\"data\":\"x\"}", token),
        400,
        "invalid_field");
    assertProblem(
        publish("{\"channel\":\"news\",\"id\":\"7\\u0000\",\"data\":\"x\"}", token),
        400,
        "invalid_field");
    assertProblem(
        publish("{\"channel\":\"news\\r\\nX: y\",\"data\":\"x\"}", token), 400, "invalid_field");
  }

  @Test
  @Order(21)
  void crlfInLastEventId() {
    assertProblem(
        get("/stream?channel=public.a&lastEventId=1%0D%0Adata:%20forged"), 400, "invalid_field");
    // In a header, a CR cannot hide: the header ends there and what follows is a bad header line.
    RawHttp.Response response =
        RawHttp.exchange(
            server.port(),
            "GET /stream?channel=public.a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\rdata: forged\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isBetween(400, 499);
  }

  @Test
  @Order(22)
  void crlfInOriginIsNotEchoed() {
    RawHttp.Response response = get("/health", "Origin: http://evil.example%0D%0ASet-Cookie: x=1");
    assertThat(response.header("access-control-allow-origin")).isEqualTo("*");
    assertThat(response.header("set-cookie")).isNull();
  }

  @Test
  @Order(23)
  void dataWithNewlinesStaysData() {
    String token = "Authorization: Bearer " + SecurityIT.token(List.of(), List.of("news"));
    assertThat(
            publish(
                    "{\"channel\":\"news\",\"data\":\"line1\\r\\nevent: forged\\n\\ndata: x\"}",
                    token)
                .status())
        .isEqualTo(200);
    String received = survivor.readUntil(text -> text.contains("data: x\n\n"), WAIT);
    assertThat(received)
        .contains("data: line1\ndata: event: forged\ndata: \ndata: data: x\n\n")
        .doesNotContain("\nevent: forged");
  }

  // ---- sizes and time

  @Test
  @Order(30)
  void oversizedHeaders() {
    RawHttp.Response response = get("/health", "X-Big: " + "a".repeat(20_000));
    assertProblem(response, 431, "headers_too_large");
  }

  @Test
  @Order(31)
  void oversizedUrl() {
    assertProblem(get("/stream?channel=" + "a".repeat(9000)), 414, "uri_too_long");
  }

  @Test
  @Order(32)
  void oversizedBody() {
    String body = "{\"channel\":\"news\",\"data\":\"" + "x".repeat(64 * 1024) + "\"}";
    assertProblem(publish(body), 413, "payload_too_large");
  }

  @Test
  @Order(33)
  void slowLorisIsCutWith408() throws IOException {
    long before = server.refusals().count(Refusals.Cause.REQUEST_TIMEOUT);
    try (Socket socket = RawHttp.connect(server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /stream?channel=public.a HTTP/1.1\r\nHost: x\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Trickle one header byte at a time until the server gives up; bounded by the socket timeout.
      long deadline = System.nanoTime() + WAIT.toNanos();
      InputStream in = socket.getInputStream();
      socket.setSoTimeout(200);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      int sent = 0;
      while (System.nanoTime() < deadline) {
        try {
          int b = in.read();
          if (b < 0) {
            break;
          }
          answer.write(b);
        } catch (java.net.SocketTimeoutException e) {
          try {
            out.write('X');
            out.flush();
            sent++;
          } catch (IOException closed) {
            break;
          }
        }
      }
      assertThat(answer.toString(StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 408")
          .contains("request_timeout");
      assertThat(sent).as("bytes trickled before the cut").isGreaterThan(0);
    }
    assertThat(server.refusals().count(Refusals.Cause.REQUEST_TIMEOUT)).isGreaterThan(before);
  }

  @Test
  @Order(34)
  void silentConnectionIsClosed() throws IOException {
    try (Socket socket = RawHttp.connect(server.port())) {
      RawHttp.Response response = RawHttp.read(socket.getInputStream());
      assertThat(response.status()).isEqualTo(408);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  @Order(40)
  void twoThousandConnectionsFromOneAddress() throws IOException {
    // A server of its own, with the default request timeout: on a loaded machine, 2,000 requests
    // sent at once could wait longer than this class's 1 s for their heads to be read.
    try (SseHubServer flooded =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(SseHub.builder().build())
            .maxConnectionsPerIp(PER_IP)
            .build()
            .start()) {
      List<Socket> sockets = new ArrayList<>();
      int streaming = 0;
      int toldToRetry = 0;
      try {
        for (int i = 0; i < 2000; i++) {
          Socket socket = RawHttp.connect(flooded.port());
          sockets.add(socket);
          socket
              .getOutputStream()
              .write(
                  "GET /stream?channel=flood HTTP/1.1\r\nHost: x\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
        }
        for (Socket socket : sockets) {
          RawHttp.Head head = RawHttp.readHead(socket.getInputStream());
          assertThat(head.status()).isEqualTo(200);
          if ("chunked".equals(head.header("transfer-encoding"))) {
            streaming++;
          } else {
            byte[] body = socket.getInputStream().readAllBytes(); // then the server closes
            assertThat(new String(body, StandardCharsets.UTF_8)).startsWith("retry: 30000\n");
            assertThat(head.header("retry-after")).isEqualTo("30");
            toldToRetry++;
          }
        }
      } finally {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
      assertThat(streaming).as("streams within the limit").isEqualTo(PER_IP);
      assertThat(toldToRetry).isEqualTo(2000 - PER_IP);
      assertThat(flooded.refusals().count(Refusals.Cause.MAX_CONNECTIONS_PER_IP))
          .isGreaterThanOrEqualTo(toldToRetry);
      Awaitility.await().atMost(WAIT).until(() -> flooded.hub().streamCount() == 0);
      // A publish over the limit would get 429: checked with the limit full, in LimitsIT.
    }
  }

  @Test
  @Order(100)
  void openStreamKeptReceivingThroughout() {
    // Published after every hostile input above: the stream opened first still gets it.
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(get("/health").status()).isEqualTo(200));
    server.hub().publish("news", "still here");
    assertThat(survivor.readUntil(text -> text.contains("data: still here\n\n"), WAIT))
        .contains("data: still here");
  }
}
