package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bad requests over real HTTP, each answered with its 4xx and JSON body, while one stream stays
 * open through all of them; the last test checks that it still receives events. (Each case is also
 * a handler test in {@code HttpRouterTest}.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MAX_EVENT_BYTES = 4096;

  private static SseHubServer server;
  private static SseClient bystander;

  @BeforeAll
  static void start() {
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .maxEventBytes(MAX_EVENT_BYTES)
            .hub(io.ssehub.core.SseHub.builder().maxEventBytes(MAX_EVENT_BYTES).build())
            .build()
            .start();
    HttpClient http = SseClient.newHttpClient();
    bystander =
        SseClient.open(
            http, URI.create("http://127.0.0.1:" + server.port() + "/stream?channel=calm"));
    assertThat(bystander.awaitOpen(WAIT)).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    bystander.close();
    server.close();
  }

  @Test
  void malformedJson() {
    assertError(publish("application/json", "{\"channel\":"), 400, "invalid_json", null);
  }

  @Test
  void missingChannel() {
    assertError(publish("application/json", "{\"data\":\"x\"}"), 400, "missing_field", "channel");
  }

  @Test
  void missingData() {
    assertError(
        publish("application/x-www-form-urlencoded", "channel=calm"), 400, "missing_field", "data");
  }

  @Test
  void invalidChannel() {
    assertError(
        publish("application/json", "{\"channel\":\"caf\u00e9\",\"data\":\"x\"}"),
        400,
        "invalid_field",
        "channel");
  }

  @Test
  void typeWithLineBreak() {
    assertError(
        publish(
            "application/json", "{\"channel\":\"calm\",\"data\":\"x\",\"type\":\"a\\r\\nid: 1\"}"),
        400,
        "invalid_field",
        "type");
  }

  @Test
  void idWithNul() {
    assertError(
        publish("application/json", "{\"channel\":\"calm\",\"data\":\"x\",\"id\":\"a\\u0000\"}"),
        400,
        "invalid_field",
        "id");
  }

  @Test
  void negativeRetry() {
    assertError(
        publish("application/json", "{\"channel\":\"calm\",\"data\":\"x\",\"retry\":-1}"),
        400,
        "invalid_field",
        "retry");
  }

  @Test
  void bodyThatIsNotAnObject() {
    assertError(publish("application/json", "42"), 400, "invalid_json", null);
  }

  @Test
  void tooLargeByContentLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
    try (Socket socket = RawHttp.connect(server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 50000000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // No body sent: the answer comes from the header alone.
      assertError(RawHttp.read(socket.getInputStream()), 413, "payload_too_large", null);
    }
  }

  @Test
  void tooLargeEvent() {
    String data = "x".repeat((int) MAX_EVENT_BYTES);
    assertError(
        publish("application/json", "{\"channel\":\"calm\",\"data\":\"" + data + "\"}"),
        413,
        "payload_too_large",
        "data");
  }

  @Test
  void wrongMethod() {
    RawHttp.Response response =
        RawHttp.exchange(server.port(), "DELETE /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    assertError(response, 405, "method_not_allowed", null);
    assertThat(response.header("allow")).isEqualTo("GET, HEAD"); // HEAD is GET without the body
  }

  @Test
  void unknownPath() {
    assertError(
        RawHttp.exchange(server.port(), "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"),
        404,
        "not_found",
        null);
  }

  @Test
  void unsupportedContentType() {
    assertError(publish("text/csv", "calm,x"), 415, "unsupported_media_type", null);
  }

  @Test
  void invalidUtf8() {
    byte[] body = {
      '{', '"', 'c', 'h', 'a', 'n', 'n', 'e', 'l', '"', ':', '"', (byte) 0xc3, '(', '"', '}'
    };
    byte[] head =
        ("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    assertError(RawHttp.exchange(server.port(), request), 400, "invalid_encoding", null);
  }

  @Test
  void badPercentEncoding() {
    assertError(
        RawHttp.exchange(server.port(), "GET /stream?channel=calm%2 HTTP/1.1\r\nHost: x\r\n\r\n"),
        400,
        "invalid_query",
        null);
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void theStreamOpenThroughoutStillReceivesEvents() {
    server.hub().publish("calm", "still here").join();
    SseParser.Event event = bystander.awaitEvents(1, WAIT).get(0);
    assertThat(event.data()).isEqualTo("still here");
    assertThat(bystander.isClosed()).isFalse();
  }

  private static RawHttp.Response publish(String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return RawHttp.exchange(
        server.port(),
        ("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n"
            + new String(bytes, StandardCharsets.ISO_8859_1)));
  }

  private static void assertError(
      RawHttp.Response response, int status, String code, String field) {
    assertThat(response.status()).as("%s", response).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    JsonNode body = response.json();
    assertThat(body.get("error").asText()).as("%s", body).isEqualTo(code);
    assertThat(body.get("message").asText()).as("%s", body).isNotBlank();
    if (field != null) {
      assertThat(body.get("field").asText()).as("%s", body).isEqualTo(field);
      assertThat(body.get("message").asText())
          .as("the message names the field")
          .startsWith(field + ":");
    }
  }
}
