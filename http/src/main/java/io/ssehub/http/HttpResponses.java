package io.ssehub.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HTTP API answers, apart from errors ({@link HttpProblem}): the headers of a stream
 * response, and the JSON bodies of {@code POST /publish} and {@code GET /health}.
 */
public final class HttpResponses {
  /**
   * A stream's {@code Content-Type} (WHATWG HTML, 9.2: {@code text/event-stream}, always UTF-8).
   */
  public static final String EVENT_STREAM_CONTENT_TYPE = "text/event-stream; charset=utf-8";

  /** A stream's {@code Cache-Control}: no proxy may hold events back or replay them. */
  public static final String EVENT_STREAM_CACHE_CONTROL = "no-cache";

  /**
   * nginx buffers proxied responses unless told not to with this header, which would hold events
   * back.
   */
  public static final String X_ACCEL_BUFFERING = "X-Accel-Buffering";

  /** The value of {@link #X_ACCEL_BUFFERING} on a stream. */
  public static final String X_ACCEL_BUFFERING_NO = "no";

  /**
   * The headers of a {@code 200} stream response, in order: {@code Content-Type}, {@code
   * Cache-Control}, {@code X-Accel-Buffering}. The transport adds its framing (chunked, or {@code
   * Connection: close} on HTTP/1.0).
   */
  public static final Map<String, String> STREAM_HEADERS =
      orderedMap(
          "Content-Type",
          EVENT_STREAM_CONTENT_TYPE,
          "Cache-Control",
          EVENT_STREAM_CACHE_CONTROL,
          X_ACCEL_BUFFERING,
          X_ACCEL_BUFFERING_NO);

  /** The {@code Content-Type} of every JSON body, errors included. */
  public static final String JSON_CONTENT_TYPE = "application/json";

  /** The {@code Cache-Control} of every JSON body: answers to one request, never to be reused. */
  public static final String JSON_CACHE_CONTROL = "no-store";

  /** Thread-safe once configured. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpResponses() {}

  /** A complete JSON response: its status and its UTF-8 body. */
  public record JsonResponse(int status, byte[] body) {}

  /**
   * The {@code 200} body of a publish, once stored: {@code {"id":"<event
   * id>","channel":"<channel>"}}.
   */
  public static byte[] publishedJson(SseEvent stored, String channel) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", stored.id());
    body.put("channel", channel);
    return bytes(body);
  }

  /**
   * {@code GET /health}: {@code 200 {"status":"up","broker":"...","connected":true,"streams":N}},
   * or {@code 503} with {@code "status":"down"} while the hub cannot take publishes.
   */
  public static JsonResponse health(SseHub hub) {
    return health(hub, true);
  }

  /**
   * {@code GET /health}, with the broker's whole description (its address and prefix) only when
   * {@code detail}: to others, its kind alone ({@code redis}, {@code memory}).
   */
  public static JsonResponse health(SseHub hub, boolean detail) {
    boolean ready = hub.isReady();
    ObjectNode body = JSON.createObjectNode();
    body.put("status", ready ? "up" : "down");
    body.put("broker", brokerDescription(hub, detail));
    body.put("connected", hub.broker().isConnected());
    body.put("streams", hub.streamCount());
    return new JsonResponse(ready ? 200 : 503, bytes(body));
  }

  /**
   * The broker as {@code /health} shows it: all of its description when {@code detail}, else its
   * first word, its kind.
   */
  public static String brokerDescription(SseHub hub, boolean detail) {
    String describe = hub.broker().describe();
    int space = describe.indexOf(' ');
    return detail || space < 0 ? describe : describe.substring(0, space);
  }

  static byte[] bytes(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write a JSON tree", e); // an ObjectNode always serializes
    }
  }

  private static Map<String, String> orderedMap(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
