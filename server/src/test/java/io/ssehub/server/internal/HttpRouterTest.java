package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.Authorizer;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.server.RawHttp;
import io.ssehub.server.Refusals;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing, error bodies and the start of streams, on an {@link EmbeddedChannel} that holds the
 * server's whole pipeline (codec included): requests go in as bytes, responses come out as bytes.
 * Every test ends with nothing left in the channel and, under paranoid leak detection, no leak.
 */
class HttpRouterTest {
  private static final int MAX_EVENT_BYTES = 1024;

  private SseHub hub;
  private EmbeddedChannel channel;

  @BeforeEach
  void setUp() {
    // No keepalive timer: an EmbeddedChannel must only be touched from the test's thread.
    hub = SseHub.builder().keepalive(Duration.ZERO).maxEventBytes(MAX_EVENT_BYTES).build();
    channel =
        new EmbeddedChannel(new HttpInitializer(new ServerContext(hub, MAX_EVENT_BYTES + 256)));
  }

  /** Replaces the hub (and the connection) by one whose authorizer is {@code authorizer}. */
  private void useAuthorizer(Authorizer authorizer) {
    tearDown();
    hub =
        SseHub.builder()
            .keepalive(Duration.ZERO)
            .maxEventBytes(MAX_EVENT_BYTES)
            .authorizer(authorizer)
            .build();
    channel =
        new EmbeddedChannel(new HttpInitializer(new ServerContext(hub, MAX_EVENT_BYTES + 256)));
  }

  @AfterEach
  void tearDown() {
    hub.close();
    channel.runPendingTasks();
    drainOutbound();
    assertThat(channel.finishAndReleaseAll()).as("messages left in the channel").isFalse();
  }

  // ---- routing

  @Test
  void healthReportsUpWithBrokerAndStreams() {
    RawHttp.Response response = exchange(get("/health"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    JsonNode body = response.json();
    assertThat(body.get("status").asText()).isEqualTo("up");
    assertThat(body.get("broker").asText()).startsWith("memory");
    assertThat(body.get("connected").asBoolean()).isTrue();
    assertThat(body.get("streams").asInt()).isZero();
  }

  @Test
  void healthReportsDownWith503WhenTheHubIsClosed() {
    hub.close();
    RawHttp.Response response = exchange(get("/health"));
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.json().get("status").asText()).isEqualTo("down");
  }

  @Test
  void demoPageIsServedAsHtml() {
    RawHttp.Response response = exchange(get("/"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(response.text()).contains("new EventSource(", "id=\"messages\"", "id=\"status\"");
    assertThat(response.text()).doesNotContain("<script src=", "https://");
  }

  @Test
  void unknownPathIs404() {
    RawHttp.Response response = exchange(get("/nope"));
    assertError(response, 404, "not_found", null, "\"/nope\"");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    RawHttp.Response response =
        exchange("PUT /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertError(response, 405, "method_not_allowed", null, "PUT");
    assertThat(response.header("allow")).isEqualTo("POST");

    RawHttp.Response onStream =
        exchange("POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertError(onStream, 405, "method_not_allowed", null, "POST");
    assertThat(onStream.header("allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() {
    assertThat(exchange(get("/health")).status()).isEqualTo(200);
    assertThat(exchange(get("/nope")).status()).isEqualTo(404);
    assertThat(exchange(publishJson("{\"channel\":\"a\",\"data\":\"x\"}")).status()).isEqualTo(200);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void connectionCloseIsRespected() {
    RawHttp.Response response =
        exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("connection")).isEqualTo("close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    channel.writeInbound(
        ascii(get("/health") + publishJson("{\"channel\":\"a\",\"data\":\"x\"}") + get("/nope")));
    channel.runPendingTasks();
    List<RawHttp.Response> responses = readResponses();
    assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 200, 404);
  }

  // ---- publish

  @Test
  void publishJsonAnswersIdAndChannel() {
    RawHttp.Response response =
        exchange(
            publishJson(
                "{\"channel\":\"logs\",\"type\":\"myevent\",\"data\":{\"message\":\"Hello!\"}}"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    assertThat(response.json().get("channel").asText()).isEqualTo("logs");
    assertThat(response.json().get("id").asText()).isNotEmpty();
  }

  @Test
  void publishFormAnswersIdAndChannel() {
    RawHttp.Response response =
        exchange(
            publish(
                "application/x-www-form-urlencoded; charset=UTF-8",
                "channel=logs&data=hello+world&type=myevent&retry=100"));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("channel").asText()).isEqualTo("logs");
  }

  @Test
  void malformedJsonIs400InvalidJson() {
    assertError(
        exchange(publishJson("{\"channel\":\"logs\",")),
        400,
        "invalid_json",
        null,
        "malformed JSON");
  }

  @Test
  void jsonThatIsNotAnObjectIs400() {
    assertError(exchange(publishJson("[\"logs\",\"hi\"]")), 400, "invalid_json", null, "array");
    assertError(exchange(publishJson("\"hi\"")), 400, "invalid_json", null, "string");
  }

  @Test
  void emptyJsonBodyIs400() {
    assertError(exchange(publishJson("")), 400, "invalid_json", null, "empty");
  }

  @Test
  void missingChannelIs400MissingField() {
    assertError(
        exchange(publishJson("{\"data\":\"hi\"}")),
        400,
        "missing_field",
        "channel",
        "channel: missing");
    assertError(
        exchange(publishForm("data=hi")), 400, "missing_field", "channel", "channel: missing");
  }

  @Test
  void missingDataIs400MissingField() {
    assertError(
        exchange(publishJson("{\"channel\":\"logs\"}")),
        400,
        "missing_field",
        "data",
        "data: missing");
    assertError(
        exchange(publishForm("channel=logs")), 400, "missing_field", "data", "data: missing");
  }

  @Test
  void invalidChannelNameIs400WithTheCoreMessage() {
    assertError(
        exchange(publishJson("{\"channel\":\"no spaces\",\"data\":\"hi\"}")),
        400,
        "invalid_field",
        "channel",
        "channel: \"no spaces\" has a character not allowed at position 2");
  }

  @Test
  void typeWithLineBreakIs400SoNoFieldCanBeInjected() {
    assertError(
        exchange(
            publishJson("{\"channel\":\"logs\",\"data\":\"x\",\"type\":\"a\\ndata: injected\"}")),
        400,
        "invalid_field",
        "type",
        "must not contain CR, LF or NUL");
    assertError(
        exchange(publishForm("channel=logs&data=x&type=a%0Did")),
        400,
        "invalid_field",
        "type",
        "must not contain CR, LF or NUL");
  }

  @Test
  void idWithCrLfOrNulIs400() {
    assertError(
        exchange(
            publishJson("{\"channel\":\"logs\",\"data\":\"x\",\"id\":\"1\\r\\nevent: evil\"}")),
        400,
        "invalid_field",
        "id",
        "must not contain CR, LF or NUL");
    assertError(
        exchange(publishJson("{\"channel\":\"logs\",\"data\":\"x\",\"id\":\"1\\u0000\"}")),
        400,
        "invalid_field",
        "id",
        "must not contain CR, LF or NUL");
  }

  @Test
  void retryThatIsNotANonNegativeIntegerIs400() {
    for (String retry :
        List.of("-1", "1.5", "\"abc\"", "true", "\"100\"", "1e3", "99999999999999999999")) {
      assertError(
          exchange(publishJson("{\"channel\":\"logs\",\"data\":\"x\",\"retry\":" + retry + "}")),
          400,
          "invalid_field",
          "retry",
          "is not a non-negative integer");
    }
    for (String retry : List.of("-1", "1.5", "abc", "%2B1")) {
      assertError(
          exchange(publishForm("channel=logs&data=x&retry=" + retry)),
          400,
          "invalid_field",
          "retry",
          "is not a non-negative integer");
    }
  }

  @Test
  void reservedTypeIs400() {
    assertError(
        exchange(
            publishJson("{\"channel\":\"logs\",\"data\":\"x\",\"type\":\"ssehub.history-cut\"}")),
        400,
        "invalid_field",
        "type",
        "reserved");
  }

  @Test
  void bodyOverTheLimitByContentLengthIs413() {
    String data = "x".repeat(MAX_EVENT_BYTES + 300);
    assertError(
        exchange(publishJson("{\"channel\":\"logs\",\"data\":\"" + data + "\"}")),
        413,
        "payload_too_large",
        null,
        "expected: at most");
    assertThat(channel.isOpen()).as("keep-alive connection survives a 413").isTrue();
    assertThat(exchange(get("/health")).status()).isEqualTo(200);
  }

  @Test
  void chunkedBodyOverTheLimitIs413ByCounting() {
    String chunk = "x".repeat(500);
    StringBuilder request =
        new StringBuilder(
            "POST /publish HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4; i++) {
      request
          .append(Integer.toHexString(chunk.length()))
          .append("\r\n")
          .append(chunk)
          .append("\r\n");
    }
    request.append("0\r\n\r\n");
    assertError(exchange(request.toString()), 413, "payload_too_large", null, "more than");
    assertThat(exchange(get("/health")).status()).isEqualTo(200);
  }

  @Test
  void eventOverTheHubLimitIs413() {
    // Within the body allowance, but the event itself is over maxEventBytes.
    String data = "x".repeat(MAX_EVENT_BYTES);
    assertError(
        exchange(publishJson("{\"channel\":\"logs\",\"data\":\"" + data + "\"}")),
        413,
        "payload_too_large",
        "data",
        "expected: at most " + MAX_EVENT_BYTES);
  }

  @Test
  void expectContinueOverTheLimitIs413BeforeTheBody() {
    RawHttp.Response response =
        exchange(
            "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
    assertError(response, 413, "payload_too_large", null, "100000 bytes");
  }

  @Test
  void unsupportedContentTypeIs415() {
    assertError(
        exchange(publish("text/plain", "hi")), 415, "unsupported_media_type", null, "text/plain");
    assertError(
        exchange(publish("application/json; charset=iso-8859-1", "{}")),
        415,
        "unsupported_media_type",
        null,
        "iso-8859-1");
    assertError(
        exchange("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"),
        415,
        "unsupported_media_type",
        null,
        "missing");
  }

  @Test
  void contentTypeParametersAndCaseAreAccepted() {
    assertThat(
            exchange(
                    publish(
                        "Application/JSON; charset=\"utf-8\"",
                        "{\"channel\":\"a\",\"data\":\"x\"}"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void invalidUtf8InABodyIs400() {
    byte[] body =
        "{\"channel\":\"a\",\"data\":\"\u00ff\u00fe\u00fd\"}".getBytes(StandardCharsets.ISO_8859_1);
    byte[] head =
        ("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    assertError(exchange(concat(head, body)), 400, "invalid_encoding", null, "invalid UTF-8");
  }

  @Test
  void invalidUtf8InAFormEscapeIs400() {
    assertError(
        exchange(publishForm("channel=logs&data=%FF%FE")),
        400,
        "invalid_encoding",
        null,
        "invalid UTF-8");
  }

  @Test
  void badPercentEncodingInAQueryIs400() {
    assertError(exchange(get("/stream?channel=%zz")), 400, "invalid_query", null, "%zz");
    assertError(
        exchange(get("/stream?channel=a%2")), 400, "invalid_query", null, "bad percent-encoding");
  }

  @Test
  void badPercentEncodingInAFormIs400() {
    assertError(exchange(publishForm("channel=a%g1&data=x")), 400, "invalid_form", null, "%g1");
  }

  @Test
  void repeatedFormFieldIs400() {
    assertError(
        exchange(publishForm("channel=a&channel=b&data=x")),
        400,
        "invalid_field",
        "channel",
        "2 times");
  }

  @Test
  void duplicateJsonKeyIs400() {
    assertError(
        exchange(publishJson("{\"channel\":\"a\",\"channel\":\"b\",\"data\":\"x\"}")),
        400,
        "invalid_json",
        null,
        "Duplicate field");
  }

  @Test
  void nonStringChannelIs400() {
    assertError(
        exchange(publishJson("{\"channel\":5,\"data\":\"x\"}")),
        400,
        "invalid_field",
        "channel",
        "a string");
  }

  @Test
  void undecodableRequestIs400AndCloses() {
    RawHttp.Response response =
        exchange("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    assertError(response, 400, "bad_request", null, "not valid HTTP/1.1");
    assertThat(channel.isOpen()).isFalse();
  }

  // ---- streams

  @Test
  void streamStartsWithHeadersAndRetryAtOnce() {
    channel.writeInbound(ascii(get("/stream?channel=logs")));
    channel.runPendingTasks();
    String out = outboundText();
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(out.toLowerCase())
        .contains(
            "content-type: text/event-stream; charset=utf-8\r\n",
            "cache-control: no-cache\r\n",
            "x-accel-buffering: no\r\n",
            "transfer-encoding: chunked\r\n");
    assertThat(out).contains("retry: 3000\n\n");
    assertThat(hub.streamCount()).isEqualTo(1);

    hub.publish("logs", SseEvent.builder().type("myevent").data("{\"message\":\"Hello!\"}").build())
        .join();
    channel.runPendingTasks();
    assertThat(outboundText()).contains("event: myevent\ndata: {\"message\":\"Hello!\"}\n\n");

    channel.close();
    assertThat(hub.streamCount()).as("closing the connection closes the subscription").isZero();
  }

  @Test
  void streamEndsWithTheChunkedTerminatorWhenTheHubCloses() {
    channel.writeInbound(ascii(get("/stream?channel=logs")));
    channel.runPendingTasks();
    drainOutbound();
    hub.close();
    channel.runPendingTasks();
    assertThat(outboundText()).endsWith("\r\n0\r\n\r\n").contains("shutting down");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void streamReadsSeveralChannels() {
    channel.writeInbound(ascii(get("/stream?channel=a&channel=b")));
    channel.runPendingTasks();
    drainOutbound();
    hub.publish("a", "from-a").join();
    hub.publish("b", "from-b").join();
    hub.publish("c", "from-c").join();
    channel.runPendingTasks();
    assertThat(outboundText())
        .contains("data: from-a\n", "data: from-b\n")
        .doesNotContain("from-c");
  }

  @Test
  void invalidChannelOnStreamIs400BeforeAnyStreamByte() {
    RawHttp.Response response = exchange(get("/stream?channel=bad%20name"));
    assertError(response, 400, "invalid_field", "channel", "\"bad name\"");
    assertThat(hub.streamCount()).isZero();
  }

  @Test
  void emptyChannelOnStreamIs400() {
    assertError(
        exchange(get("/stream?channel=")), 400, "invalid_field", "channel", "must not be empty");
  }

  @Test
  void lastEventIdWithLineBreakIs400() {
    assertError(
        exchange(get("/stream?channel=a&lastEventId=1%0A2")),
        400,
        "invalid_field",
        "lastEventId",
        "CR, LF");
  }

  @Test
  void lastEventIdHeaderIsReadAsUtf8() {
    hub.publish("a", SseEvent.builder().id("\u00e9t\u00e9").data("before").build()).join();
    hub.publish("a", "after").join();
    byte[] request =
        concat(
            "GET /stream?channel=a HTTP/1.1\r\nHost: x\r\nLast-Event-ID: "
                .getBytes(StandardCharsets.US_ASCII),
            "\u00e9t\u00e9\r\n\r\n".getBytes(StandardCharsets.UTF_8));
    channel.writeInbound(Unpooled.wrappedBuffer(request));
    channel.runPendingTasks();
    String out = outboundText();
    assertThat(out)
        .contains("data: after\n")
        .doesNotContain("data: before")
        .doesNotContain("history-cut");
  }

  @Test
  void http10StreamIsNotChunkedAndEndsByClosing() {
    channel.writeInbound(ascii("GET /stream?channel=old HTTP/1.0\r\n\r\n"));
    channel.runPendingTasks();
    String out = outboundText();
    assertThat(out)
        .startsWith("HTTP/1.0 200 OK\r\n")
        .doesNotContainIgnoringCase("transfer-encoding");
    assertThat(out).contains("\r\n\r\nretry: 3000\n\n");
    hub.close();
    channel.runPendingTasks();
    assertThat(outboundText()).isEqualTo(": ssehub is shutting down; reconnect\n");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void requestsAfterAStreamStartedAreIgnored() {
    channel.writeInbound(ascii(get("/stream?channel=a") + get("/health")));
    channel.runPendingTasks();
    assertThat(outboundText()).doesNotContain("\"status\"");
  }

  // ---- authorization

  @Test
  void unauthenticatedStreamIs401JsonAndNoStreamByte() {
    List<AccessRequest> asked = new CopyOnWriteArrayList<>();
    useAuthorizer(
        request -> {
          asked.add(request);
          return AccessDecision.unauthenticated("no token");
        });
    channel.writeInbound(ascii(get("/stream?channel=logs")));
    channel.runPendingTasks();
    byte[] bytes = outboundBytes();
    String out = new String(bytes, StandardCharsets.UTF_8);
    assertThat(out)
        .doesNotContainIgnoringCase("text/event-stream")
        .doesNotContain("retry:")
        .doesNotContainIgnoringCase("transfer-encoding");
    RawHttp.Response response = readOne(bytes);
    assertError(response, 401, "unauthorized", null, "no token");
    assertThat(hub.streamCount()).isZero();
    assertThat(asked)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.action()).isEqualTo(AccessRequest.Action.SUBSCRIBE);
              assertThat(request.channels()).containsExactly("logs");
              assertThat(request.principal()).isNull();
            });
    // The refusal is an ordinary response: the keep-alive connection goes on.
    assertThat(channel.isOpen()).isTrue();
    assertThat(exchange(get("/health")).status()).isEqualTo(200);
  }

  @Test
  void forbiddenChannelOnAStreamIs403EvenAmongAllowedOnes() {
    useAuthorizer(
        request ->
            request.channels().contains("secret")
                ? AccessDecision.forbidden("channel \"secret\" is not granted")
                : AccessDecision.allow());
    channel.writeInbound(ascii(get("/stream?channel=logs&channel=secret")));
    channel.runPendingTasks();
    byte[] bytes = outboundBytes();
    assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("retry:");
    assertError(readOne(bytes), 403, "forbidden", null, "channel \"secret\" is not granted");
    assertThat(hub.streamCount()).isZero();
    assertThat(hub.subscribedChannels())
        .as("no broker subscription for a refused stream")
        .isEmpty();

    // The same connection may then open a stream it is allowed.
    channel.writeInbound(ascii(get("/stream?channel=logs")));
    channel.runPendingTasks();
    assertThat(outboundText()).startsWith("HTTP/1.1 200 OK\r\n").contains("retry: 3000\n\n");
    assertThat(hub.streamCount()).isEqualTo(1);
  }

  @Test
  void authorizerThatThrowsIs403NotA500() {
    useAuthorizer(
        request -> {
          throw new IllegalStateException("authorizer bug");
        });
    RawHttp.Response response = exchange(get("/stream?channel=logs"));
    assertError(response, 403, "forbidden", null, "authorization failed");
    assertThat(response.text()).doesNotContain("authorizer bug");
  }

  @Test
  void refusedPublishIs403AndNothingIsStored() {
    List<AccessRequest> asked = new CopyOnWriteArrayList<>();
    useAuthorizer(
        request -> {
          asked.add(request);
          return request.action() == AccessRequest.Action.PUBLISH
                  && request.channels().contains("secret")
              ? AccessDecision.forbidden("publishing to \"secret\" is not granted")
              : AccessDecision.allow();
        });
    assertError(
        exchange(publishJson("{\"channel\":\"secret\",\"data\":\"x\"}")),
        403,
        "forbidden",
        null,
        "publishing to \"secret\" is not granted");
    assertError(
        exchange(publishForm("channel=secret&data=x")), 403, "forbidden", null, "not granted");
    assertThat(asked).extracting(AccessRequest::action).containsOnly(AccessRequest.Action.PUBLISH);
    assertThat(
            exchange(publishJson("{\"channel\":\"open\",\"data\":\"x\"}"))
                .json()
                .get("id")
                .asText())
        .as("the first event stored: the refused ones never were")
        .isEqualTo("1");
  }

  @Test
  void unauthenticatedPublishIs401() {
    useAuthorizer(request -> AccessDecision.unauthenticated(null));
    assertError(
        exchange(publishJson("{\"channel\":\"logs\",\"data\":\"x\"}")),
        401,
        "unauthorized",
        null,
        "credentials: missing or not valid");
  }

  @Test
  void badChannelOnPublishIs400BeforeTheAuthorizerIsAsked() {
    List<AccessRequest> asked = new CopyOnWriteArrayList<>();
    useAuthorizer(
        request -> {
          asked.add(request);
          return AccessDecision.forbidden("never");
        });
    assertError(
        exchange(publishJson("{\"channel\":\"no spaces\",\"data\":\"x\"}")),
        400,
        "invalid_field",
        "channel",
        "\"no spaces\"");
    assertThat(asked).isEmpty();
  }

  // ---- helpers

  private static String get(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  private static String publishJson(String body) {
    return publish("application/json", body);
  }

  private static String publishForm(String body) {
    return publish("application/x-www-form-urlencoded", body);
  }

  private static String publish(String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + bytes.length
        + "\r\n\r\n"
        + new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void publishesPastTheFanOutBacklogGet503WithRetryAfterUntilItIsWritten() {
    ServerOptions options =
        new ServerOptions(
            null,
            CorsPolicy.NONE,
            0,
            0,
            16 * 1024,
            8 * 1024,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            2,
            ServerOptions.DEFAULT_MAX_FAN_OUT_DELAY);
    ServerContext context = new ServerContext(hub, MAX_EVENT_BYTES + 256, options, new Refusals());
    EmbeddedChannel stream = new EmbeddedChannel(new HttpInitializer(context));
    EmbeddedChannel publisher = new EmbeddedChannel(new HttpInitializer(context));
    try {
      stream.writeInbound(ascii(get("/stream?channel=busy")));
      stream.runPendingTasks();
      releaseAll(stream);
      // The stream's event loop does not run (its pending tasks wait): three deliveries queue up.
      for (int i = 0; i < 3; i++) {
        hub.publish("busy", "event " + i).join();
      }
      assertThat(context.deliveriesWaiting()).isEqualTo(3);

      RawHttp.Response refused =
          exchange(publisher, publishJson("{\"channel\":\"busy\",\"data\":\"one more\"}"));
      assertError(refused, 503, "fanout_backlog", null, "3 deliveries wait to be written");
      assertThat(refused.header("retry-after")).isEqualTo("1");
      assertThat(context.refusals().count(Refusals.Cause.FANOUT_BACKLOG)).isEqualTo(1);

      stream.runPendingTasks(); // the loop catches up
      assertThat(context.deliveriesWaiting()).isZero();
      assertThat(
              exchange(publisher, publishJson("{\"channel\":\"busy\",\"data\":\"one more\"}"))
                  .status())
          .isEqualTo(200);
      stream.runPendingTasks();
      assertThat(new String(releaseAll(stream), StandardCharsets.UTF_8))
          .contains("data: event 0\n", "data: event 2\n", "data: one more\n");
    } finally {
      stream.close();
      stream.runPendingTasks();
      releaseAll(stream);
      assertThat(stream.finishAndReleaseAll()).isFalse();
      assertThat(publisher.finishAndReleaseAll()).isFalse();
    }
    assertThat(context.deliveriesWaiting()).as("nothing counted once the stream is gone").isZero();
  }

  @Test
  void publishesWhileTheEventLoopsRunBehindGet503WithRetryAfterUntilTheyCatchUp()
      throws InterruptedException {
    Duration maxDelay = Duration.ofMillis(100);
    ServerOptions options =
        new ServerOptions(
            null,
            CorsPolicy.NONE,
            0,
            0,
            16 * 1024,
            8 * 1024,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            ServerOptions.DEFAULT_MAX_FAN_OUT_BACKLOG,
            maxDelay);
    ServerContext context = new ServerContext(hub, MAX_EVENT_BYTES + 256, options, new Refusals());
    DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
    CountDownLatch release = new CountDownLatch(1);
    try (LoopDelay delay = new LoopDelay(loops, Duration.ofMillis(10))) {
      context.loopDelay(delay);
      EmbeddedChannel publisher = new EmbeddedChannel(new HttpInitializer(context));
      String publish = publishJson("{\"channel\":\"late\",\"data\":\"x\"}");
      loops
          .next()
          .execute(
              () -> {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> context.loopDelayNanos() > maxDelay.toNanos());

      RawHttp.Response refused = exchange(publisher, publish);
      assertError(
          refused,
          503,
          "fanout_backlog",
          null,
          "ms behind (expected: at most 100 ms, --max-fanout-delay)");
      assertThat(refused.header("retry-after")).isEqualTo("1");
      assertThat(context.refusals().count(Refusals.Cause.FANOUT_BACKLOG)).isEqualTo(1);

      release.countDown(); // the loop catches up
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> context.loopDelayNanos() < maxDelay.toNanos());
      assertThat(exchange(publisher, publish).status()).isEqualTo(200);
      assertThat(publisher.finishAndReleaseAll()).isFalse();
    } finally {
      release.countDown();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static RawHttp.Response exchange(EmbeddedChannel on, String request) {
    on.writeInbound(Unpooled.wrappedBuffer(request.getBytes(StandardCharsets.ISO_8859_1)));
    on.runPendingTasks();
    return readOne(releaseAll(on));
  }

  /** Everything {@code on} wrote so far, released. */
  private static byte[] releaseAll(EmbeddedChannel on) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object message;
    while ((message = on.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) message;
      try (ByteBufInputStream in = new ByteBufInputStream(buf, true)) {
        in.transferTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toByteArray();
  }

  private RawHttp.Response exchange(String request) {
    return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private RawHttp.Response exchange(byte[] request) {
    channel.writeInbound(Unpooled.wrappedBuffer(request));
    channel.runPendingTasks();
    List<RawHttp.Response> responses = readResponses();
    assertThat(responses).hasSize(1);
    return responses.get(0);
  }

  private List<RawHttp.Response> readResponses() {
    return readResponses(outboundBytes());
  }

  private static RawHttp.Response readOne(byte[] bytes) {
    List<RawHttp.Response> responses = readResponses(bytes);
    assertThat(responses).hasSize(1);
    return responses.get(0);
  }

  private static List<RawHttp.Response> readResponses(byte[] bytes) {
    List<RawHttp.Response> responses = new ArrayList<>();
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      while (in.available() > 0) {
        responses.add(RawHttp.read(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return responses;
  }

  private String outboundText() {
    return new String(outboundBytes(), StandardCharsets.UTF_8);
  }

  /** Everything written so far, released. */
  private byte[] outboundBytes() {
    return releaseAll(channel);
  }

  private void drainOutbound() {
    outboundBytes();
  }

  private static void assertError(
      RawHttp.Response response, int status, String code, String field, String messagePart) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json");
    JsonNode body = response.json();
    assertThat(body.get("error").asText()).as("error code in %s", body).isEqualTo(code);
    assertThat(body.get("message").asText()).as("message in %s", body).contains(messagePart);
    if (field == null) {
      assertThat(body.has("field")).as("no field in %s", body).isFalse();
    } else {
      assertThat(body.get("field").asText()).as("field in %s", body).isEqualTo(field);
    }
  }
}
