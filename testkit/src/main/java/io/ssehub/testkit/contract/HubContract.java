package io.ssehub.testkit.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end contract of an ssehub HTTP endpoint, over loopback HTTP only: the standalone hub,
 * the servlet adapter in each container and the Spring Boot starter all extend this class and run
 * the same tests.
 *
 * <p>A subclass starts its hub (once per class, or per test) and returns its address from {@link
 * #base()}. The hub must refuse the channel {@value #FORBIDDEN} with a 403, for reading and for
 * publishing (an {@code Authorizer} answering {@code forbidden} for it), keep at least 100 events
 * of history per channel, and use the default reconnect delay. Each test uses channels of its own,
 * so one hub may serve the whole class.
 *
 * <p>Every wait is bounded ({@link #WAIT}); streams are closed after each test.
 */
public abstract class HubContract {
  /** The channel every implementation under test refuses with a 403. */
  public static final String FORBIDDEN = "forbidden";

  /** The longest any one step waits. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  private static final HttpClient HTTP = SseClient.newHttpClient();
  private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]*)\"");

  private final List<SseClient> streams = new ArrayList<>();

  /** The endpoint's root, such as {@code http://127.0.0.1:8080}, without a trailing slash. */
  protected abstract URI base();

  /** The path of the stream endpoint. */
  protected String streamPath() {
    return "/stream";
  }

  /** The path of the publish endpoint. */
  protected String publishPath() {
    return "/publish";
  }

  /**
   * Whether a wrong method is answered by the endpoint itself (405 with a JSON body and {@code
   * Allow}).
   */
  protected boolean methodNotAllowedIsJson() {
    return true;
  }

  @AfterEach
  void closeStreams() {
    streams.forEach(SseClient::close);
    streams.clear();
  }

  // ---- delivery

  @Test
  void publishedEventReachesSubscriber() {
    String channel = channel("delivery");
    SseClient stream = subscribe("?channel=" + channel);
    assertTrue(
        stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
        "content-type: " + stream.headers().map());
    assertEquals(List.of("no-cache"), stream.headers().allValues("cache-control"));

    String id =
        publish(
            "{\"channel\":\""
                + channel
                + "\",\"type\":\"greeting\",\"data\":{\"message\":\"Hello!\"}}");

    SseParser.Event event = stream.awaitEvents(1, WAIT).get(0);
    assertEquals(new SseParser.Event(id, "greeting", "{\"message\":\"Hello!\"}", null), event);
    assertEquals(3000L, stream.retry().orElse(-1L), "the stream's retry: hint");
  }

  @Test
  void formPublishReachesSubscriber() {
    String channel = channel("form");
    SseClient stream = subscribe("?channel=" + channel);
    HttpResponse<String> response =
        post(
            "application/x-www-form-urlencoded",
            "channel="
                + channel
                + "&type=note&data="
                + URLEncoder.encode("two\nlines & more", StandardCharsets.UTF_8));
    assertEquals(200, response.statusCode(), response.body());
    SseParser.Event event = stream.awaitEvents(1, WAIT).get(0);
    assertEquals("note", event.type());
    assertEquals("two\nlines & more", event.data());
  }

  @Test
  void eventsArriveInPublishOrder() {
    String channel = channel("order");
    SseClient stream = subscribe("?channel=" + channel);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      publish("{\"channel\":\"" + channel + "\",\"data\":\"" + i + "\"}");
      sent.add(String.valueOf(i));
    }
    assertEquals(sent, data(stream.awaitEvents(50, WAIT)));
  }

  @Test
  void eachStreamGetsOnlyItsChannels() {
    String a = channel("a");
    String b = channel("b");
    SseClient onA = subscribe("?channel=" + a);
    SseClient onB = subscribe("?channel=" + b);
    SseClient onBoth = subscribe("?channel=" + a + "&channel=" + b);

    publish("{\"channel\":\"" + a + "\",\"data\":\"to a\"}");
    publish("{\"channel\":\"" + b + "\",\"data\":\"to b\"}");
    publish("{\"channel\":\"" + a + "\",\"data\":\"to a again\"}");

    assertEquals(List.of("to a", "to b", "to a again"), data(onBoth.awaitEvents(3, WAIT)));
    assertEquals(List.of("to a", "to a again"), data(onA.awaitEvents(2, WAIT)));
    assertEquals(List.of("to b"), data(onB.awaitEvents(1, WAIT)));
    // Everything published has reached onBoth, after it: anything misrouted would be there by now.
    assertEquals(2, onA.events().size(), "channel a's stream: " + onA.events());
    assertEquals(1, onB.events().size(), "channel b's stream: " + onB.events());
  }

  // ---- resume

  @Test
  void resumesAfterLastEventIdHeaderWithoutGapOrDuplicate() {
    String channel = channel("resume");
    SseClient first = subscribe("?channel=" + channel);
    for (int i = 1; i <= 3; i++) {
      publish("{\"channel\":\"" + channel + "\",\"data\":\"e" + i + "\"}");
    }
    List<SseParser.Event> seen = first.awaitEvents(3, WAIT);
    first.close();
    publish("{\"channel\":\"" + channel + "\",\"data\":\"e4\"}"); // missed while away
    String lastSeen = seen.get(1).id(); // as if the client got e1, e2 only

    SseClient resumed = subscribe("?channel=" + channel, Map.of("Last-Event-ID", lastSeen));
    assertEquals(List.of("e3", "e4"), data(resumed.awaitEvents(2, WAIT)));
    publish("{\"channel\":\"" + channel + "\",\"data\":\"e5\"}");
    assertEquals(List.of("e3", "e4", "e5"), data(resumed.awaitEvents(3, WAIT)));
  }

  @Test
  void resumesAfterLastEventIdQueryParameter() {
    String channel = channel("resume-param");
    String first = publish("{\"channel\":\"" + channel + "\",\"data\":\"one\"}");
    publish("{\"channel\":\"" + channel + "\",\"data\":\"two\"}");
    SseClient resumed =
        subscribe(
            "?channel="
                + channel
                + "&lastEventId="
                + URLEncoder.encode(first, StandardCharsets.UTF_8));
    assertEquals(List.of("two"), data(resumed.awaitEvents(1, WAIT)));
  }

  @Test
  void resumeFromIdHistoryDoesNotHoldSaysSoThenSendsWhatItHas() {
    String channel = channel("cut");
    publish("{\"channel\":\"" + channel + "\",\"data\":\"kept 1\"}");
    publish("{\"channel\":\"" + channel + "\",\"data\":\"kept 2\"}");
    SseClient resumed = subscribe("?channel=" + channel, Map.of("Last-Event-ID", "424242"));
    List<SseParser.Event> events = resumed.awaitEvents(3, WAIT);
    assertEquals("ssehub.history-cut", events.get(0).type(), "first event: " + events);
    assertTrue(events.get(0).data().contains("\"lastEventId\":\"424242\""), events.get(0).data());
    assertEquals(List.of("kept 1", "kept 2"), data(events.subList(1, 3)));
  }

  // ---- authorization

  @Test
  void forbiddenChannelStreamIs403JsonBeforeAnyStreamByte() {
    SseClient stream = SseClient.open(HTTP, uri(streamPath() + "?channel=" + FORBIDDEN));
    streams.add(stream);
    assertEquals(403, stream.awaitOpen(WAIT));
    stream.awaitClosed(WAIT);
    assertJsonError(
        stream.headers().firstValue("content-type").orElse(""), stream.errorBody(), "forbidden");
    assertFalse(stream.errorBody().contains("retry:"), stream.errorBody());
  }

  @Test
  void forbiddenAmongOtherChannelsRefusesTheWholeStream() {
    SseClient stream =
        SseClient.open(
            HTTP, uri(streamPath() + "?channel=" + channel("ok") + "&channel=" + FORBIDDEN));
    streams.add(stream);
    assertEquals(403, stream.awaitOpen(WAIT));
  }

  @Test
  void publishToForbiddenChannelIs403() {
    HttpResponse<String> response =
        post("application/json", "{\"channel\":\"" + FORBIDDEN + "\",\"data\":\"x\"}");
    assertEquals(403, response.statusCode(), response.body());
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "forbidden");
  }

  // ---- bad input

  @Test
  void badChannelNameIs400Json() {
    SseClient stream =
        SseClient.open(
            HTTP,
            uri(
                streamPath()
                    + "?channel="
                    + URLEncoder.encode("no spaces!", StandardCharsets.UTF_8)));
    streams.add(stream);
    assertEquals(400, stream.awaitOpen(WAIT));
    stream.awaitClosed(WAIT);
    assertJsonError(
        stream.headers().firstValue("content-type").orElse(""),
        stream.errorBody(),
        "invalid_field");
    assertTrue(stream.errorBody().contains("\"field\":\"channel\""), stream.errorBody());
  }

  @Test
  void publishToBadChannelNameIs400Json() {
    HttpResponse<String> response =
        post("application/json", "{\"channel\":\"no spaces!\",\"data\":\"x\"}");
    assertEquals(400, response.statusCode(), response.body());
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "invalid_field");
  }

  @Test
  void lineBreakInTypeIs400NotInjected() {
    String channel = channel("inject");
    HttpResponse<String> response =
        post(
            "application/json",
            "{\"channel\":\"" + channel + "\",\"type\":\"a\\r\\ndata: injected\",\"data\":\"x\"}");
    assertEquals(400, response.statusCode(), response.body());
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "invalid_field");
    assertTrue(response.body().contains("\"field\":\"type\""), response.body());
  }

  @Test
  void malformedJsonIs400() {
    HttpResponse<String> response = post("application/json", "{\"channel\":\"x\", \"data\":");
    assertEquals(400, response.statusCode(), response.body());
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "invalid_json");
  }

  @Test
  void missingDataIs400() {
    HttpResponse<String> response = post("application/json", "{\"channel\":\"x\"}");
    assertEquals(400, response.statusCode(), response.body());
    assertJsonError(
        response.headers().firstValue("content-type").orElse(""), response.body(), "missing_field");
  }

  @Test
  void unsupportedContentTypeIs415() {
    HttpResponse<String> response = post("text/plain", "hello");
    assertEquals(415, response.statusCode(), response.body());
  }

  @Test
  void wrongMethodOnStreamIs405() {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri(streamPath() + "?channel=x"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json"));
    assertEquals(405, response.statusCode(), response.body());
    if (methodNotAllowedIsJson()) {
      assertJsonError(
          response.headers().firstValue("content-type").orElse(""),
          response.body(),
          "method_not_allowed");
      // GET, and HEAD where the transport answers it (RFC 9110, 9.3.2); never the method refused.
      List<String> allowed =
          List.of(response.headers().firstValue("allow").orElse("").split(",\\s*"));
      assertTrue(allowed.contains("GET") && !allowed.contains("POST"), "Allow: " + allowed);
    }
  }

  @Test
  void wrongMethodOnPublishIs405() {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri(publishPath())).GET());
    assertEquals(405, response.statusCode(), response.body());
    if (methodNotAllowedIsJson()) {
      assertJsonError(
          response.headers().firstValue("content-type").orElse(""),
          response.body(),
          "method_not_allowed");
      assertEquals("POST", response.headers().firstValue("allow").orElse(""));
    }
  }

  // ---- helpers for subclasses' own tests

  /** A channel name of this test's own: {@code prefix} and a random suffix. */
  protected static String channel(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Opens a stream ({@code query} starts with {@code ?}) and waits for its 200; closed after the
   * test.
   */
  protected SseClient subscribe(String query) {
    return subscribe(query, Map.of());
  }

  /** As {@link #subscribe(String)}, with request headers. */
  protected SseClient subscribe(String query, Map<String, String> headers) {
    SseClient stream = SseClient.open(HTTP, uri(streamPath() + query), headers);
    streams.add(stream);
    int status = stream.awaitOpen(WAIT);
    assertEquals(200, status, () -> "GET " + stream.uri() + ": " + stream.errorBody());
    return stream;
  }

  /** Publishes a JSON body, asserts a 200, and returns the stored event's id. */
  protected String publish(String json) {
    HttpResponse<String> response = post("application/json", json);
    assertEquals(200, response.statusCode(), () -> "POST " + json + ": " + response.body());
    Matcher id = ID.matcher(response.body());
    assertTrue(id.find(), response.body());
    return id.group(1);
  }

  /** POSTs {@code body} to the publish endpoint. */
  protected HttpResponse<String> post(String contentType, String body) {
    return send(
        HttpRequest.newBuilder(uri(publishPath()))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
  }

  /** The HttpClient shared by the streams of these tests. */
  protected static HttpClient httpClient() {
    return HTTP;
  }

  protected URI uri(String pathAndQuery) {
    return URI.create(base().toString() + pathAndQuery);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(
          request.timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static List<String> data(List<SseParser.Event> events) {
    return events.stream().map(SseParser.Event::data).toList();
  }

  private static void assertJsonError(String contentType, String body, String code) {
    assertTrue(
        contentType.startsWith("application/json"),
        () -> "content-type: " + contentType + ", body: " + body);
    assertTrue(
        body.contains("\"error\":\"" + code + "\""), () -> "expected error " + code + ": " + body);
    assertTrue(body.contains("\"message\":\""), body);
  }
}
