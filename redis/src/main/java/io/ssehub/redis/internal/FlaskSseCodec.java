package io.ssehub.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.SseEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages on Redis channels and in history streams, as flask-sse writes and reads them.
 *
 * <h2>Writing</h2>
 *
 * A JSON object with {@code data} (always a JSON string: the SSE text as is), then {@code id},
 * {@code retry} and {@code type} when set, and no other key (but ssehub's own {@code tags}, an
 * array of strings between {@code retry} and {@code type}, present only on events that have tags,
 * such as Mercure updates: plain events stay byte for byte what flask-sse writes): flask-sse
 * readers call {@code Message(**json.loads(msg))}, which fails on an unknown key. The bytes are
 * those of flask-sse's {@code sse.publish(data, type=, id=, retry=)}: Flask's {@code json.dumps}
 * sorts the keys and separates with {@code ", "} and {@code ": "}, and escapes non-ASCII ({@link
 * PythonJson}), e.g.
 *
 * <pre>{"data": "{\"message\": \"hi\"}", "id": "1732570000000-0", "type": "greeting"}</pre>
 *
 * Why {@code data} is always a string, even when it holds JSON: the SSE text must reach browsers
 * unchanged (whitespace and key order included), and a flask-sse reader streams a string {@code
 * data} as is. An event is {@linkplain Encoded encoded} in two halves so that the publish script
 * can put the history entry id between them when the publisher gave none.
 *
 * <h2>Reading</h2>
 *
 * <ul>
 *   <li>{@code {"data": ..., "type": ..., "id": ..., "retry": ...}} (singingwolfboy/flask-sse):
 *       only {@code data} is required; a {@code data} that is not a string becomes its compact JSON
 *       text (flask-sse's {@code Message.__str__} does {@code json.dumps} on it); {@code null},
 *       empty strings and missing keys mean "not set"; numbers are taken as their text for {@code
 *       type} and {@code id}; {@code retry} is a non-negative integer (or a string of digits);
 *       unknown keys are ignored.
 *   <li>{@code [type, data]} (the original DazWorrall/flask-sse: {@code redis.publish(channel,
 *       json.dumps([event_name, data]))}), {@code type} a string or null.
 * </ul>
 *
 * Anything else is {@linkplain Decoded#problem() refused} with the reason: not JSON, another shape,
 * a {@code type} or {@code id} with CR, LF or NUL (they would inject SSE fields), a negative or
 * fractional {@code retry}, or {@code data} over the size limit. The caller skips such messages.
 *
 * <p>Thread-safe and stateless apart from its limit.
 */
public final class FlaskSseCodec {
  /** The largest {@code data} accepted from Redis, in UTF-8 bytes, by default. */
  public static final int DEFAULT_MAX_DATA_BYTES = 1024 * 1024;

  /**
   * A JSON-escaped character takes at most 6 bytes ({@code \}{@code u0000}) per UTF-8 byte of data;
   * messages longer than that bound (plus room for the other fields) are refused unparsed.
   */
  private static final int ESCAPE_FACTOR = 6;

  private static final int FIELD_ROOM = 64 * 1024;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          // Numbers in non-string data keep their digits (2.50 stays 2.50).
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private final int maxDataBytes;
  private final long maxMessageBytes;

  public FlaskSseCodec(int maxDataBytes) {
    if (maxDataBytes < 1) {
      throw new IllegalArgumentException("maxDataBytes: " + maxDataBytes + " (expected: > 0)");
    }
    this.maxDataBytes = maxDataBytes;
    this.maxMessageBytes = (long) maxDataBytes * ESCAPE_FACTOR + FIELD_ROOM;
  }

  public int maxDataBytes() {
    return maxDataBytes;
  }

  /** An event as flask-sse JSON, in two halves around the place of the {@code id} member. */
  public static Encoded encode(SseEvent event) {
    StringBuilder head = new StringBuilder(event.data().length() + 32).append("{\"data\": ");
    PythonJson.appendString(head, event.data());
    if (event.id() != null) {
      PythonJson.appendString(head.append(", \"id\": "), event.id());
    }
    StringBuilder tail = new StringBuilder(32);
    if (event.retry() != null) {
      tail.append(", \"retry\": ").append(event.retry().longValue());
    }
    if (!event.tags().isEmpty()) {
      tail.append(", \"tags\": [");
      for (int i = 0; i < event.tags().size(); i++) {
        PythonJson.appendString(i == 0 ? tail : tail.append(", "), event.tags().get(i));
      }
      tail.append(']');
    }
    if (event.type() != null) {
      PythonJson.appendString(tail.append(", \"type\": "), event.type());
    }
    tail.append('}');
    return new Encoded(head.toString(), tail.toString(), event.id() != null);
  }

  /**
   * Reads one message. {@code defaultId} is the event's id when the message has none: the history
   * entry's id for entries read from a stream, null for messages from a channel.
   */
  public Decoded decode(byte[] message, String defaultId) {
    if (message.length > maxMessageBytes) {
      return Decoded.problem(
          "message is "
              + message.length
              + " bytes (expected: data of at most "
              + maxDataBytes
              + " bytes)");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(message);
    } catch (IOException e) {
      return Decoded.problem("not JSON (" + firstLine(e) + ")");
    } catch (NumberFormatException e) {
      // A number whose exponent does not fit a BigDecimal (1e4444444444): valid JSON, no value.
      return Decoded.problem("a number that cannot be represented (" + firstLine(e) + ")");
    }
    if (root == null || root.isMissingNode()) {
      return Decoded.problem("not JSON (empty message)");
    }
    try {
      if (root.isObject()) {
        return fromObject(root, defaultId);
      }
      if (root.isArray()) {
        return fromArray(root, defaultId);
      }
      return Decoded.problem(
          "a JSON "
              + kind(root)
              + " (expected: an object {\"data\": ...} or an array [type, data])");
    } catch (InvalidInputException e) {
      return Decoded.problem(e.getMessage());
    }
  }

  private Decoded fromObject(JsonNode root, String defaultId) {
    JsonNode data = root.get("data");
    if (data == null) {
      return Decoded.problem(
          "a JSON object without \"data\" (expected: {\"data\": ..., \"type\": ..., \"id\": ...})");
    }
    String text = dataText(data);
    if (text == null) {
      return tooBig();
    }
    String type = scalarText(root.get("type"), "type");
    String id = scalarText(root.get("id"), "id");
    Long retry = retry(root.get("retry"));
    return Decoded.of(
        SseEvent.builder()
            .data(text)
            .type(type)
            .id(id != null ? id : defaultId)
            .retry(retry)
            .tags(tags(root.get("tags")))
            .build());
  }

  private Decoded fromArray(JsonNode root, String defaultId) {
    if (root.size() != 2) {
      return Decoded.problem(
          "a JSON array of " + root.size() + " elements (expected: [type, data])");
    }
    JsonNode type = root.get(0);
    if (!type.isTextual() && !type.isNull()) {
      return Decoded.problem("[type, data] with a " + kind(type) + " type (expected: a string)");
    }
    String text = dataText(root.get(1));
    if (text == null) {
      return tooBig();
    }
    return Decoded.of(
        SseEvent.builder()
            .data(text)
            .type(type.isNull() ? null : type.asText())
            .id(defaultId)
            .build());
  }

  /** The SSE text of {@code data}, or null when it is over the limit. */
  private String dataText(JsonNode data) {
    String text;
    if (data.isTextual()) {
      text = data.textValue();
    } else {
      try {
        text = MAPPER.writeValueAsString(data);
      } catch (JsonProcessingException e) {
        throw new InvalidInputException("data", "cannot be written as JSON (" + firstLine(e) + ")");
      }
    }
    // A cheap bound first: a UTF-16 unit takes at most 3 UTF-8 bytes.
    if ((long) text.length() * 3 > maxDataBytes
        && text.getBytes(StandardCharsets.UTF_8).length > maxDataBytes) {
      return null;
    }
    return text;
  }

  private Decoded tooBig() {
    return Decoded.problem("data is over " + maxDataBytes + " bytes");
  }

  /** A {@code type} or {@code id}: a string or a number, null or empty for "not set". */
  private static String scalarText(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual() || node.isNumber()) {
      String text = node.asText();
      return text.isEmpty() ? null : text; // checked for CR, LF and NUL by SseEvent's builder
    }
    throw new InvalidInputException(field, "is a JSON " + kind(node) + " (expected: a string)");
  }

  /**
   * ssehub's {@code tags} (see {@link SseEvent#tags()}): an array of strings, absent for most
   * events.
   */
  private static List<String> tags(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new InvalidInputException(
          "tags", "is a JSON " + kind(node) + " (expected: an array of strings)");
    }
    List<String> tags = new ArrayList<>(node.size());
    for (JsonNode tag : node) {
      if (!tag.isTextual()) {
        throw new InvalidInputException(
            "tags", "holds a JSON " + kind(tag) + " (expected: strings)");
      }
      tags.add(tag.textValue());
    }
    return tags;
  }

  private static Long retry(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      long value = node.longValue();
      if (value < 0) {
        throw new InvalidInputException(
            "retry", "is " + value + " (expected: a non-negative integer)");
      }
      return value;
    }
    if (node.isTextual()) {
      String text = node.textValue();
      if (text.isEmpty()) {
        return null;
      }
      if (text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Long.parseLong(text);
      }
    }
    throw new InvalidInputException(
        "retry", "is " + abbreviate(node.toString()) + " (expected: a non-negative integer)");
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return abbreviate(newline < 0 ? message : message.substring(0, newline));
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  /**
   * An encoded event: {@code head} then {@code tail}, with the {@code id} member in between when
   * the broker gives the id. {@code hasId} says that {@code head} already holds the publisher's id.
   */
  public record Encoded(String head, String tail, boolean hasId) {
    /** The message with {@code id} put in its place (for an event that has no id of its own). */
    public String withId(String id) {
      if (hasId) {
        throw new IllegalStateException("the event has an id of its own");
      }
      return head + ", \"id\": \"" + id + "\"" + tail;
    }

    /** The message as it is: with the publisher's id, or without any. */
    public String json() {
      return head + tail;
    }
  }

  /** An event read from Redis, or the reason the message was refused. Exactly one is set. */
  public record Decoded(SseEvent event, String problem) {
    static Decoded of(SseEvent event) {
      return new Decoded(event, null);
    }

    static Decoded problem(String problem) {
      return new Decoded(null, problem);
    }

    public boolean ok() {
      return event != null;
    }
  }
}
