package io.ssehub.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.SseEvent;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a {@code POST /publish} body, JSON or form-encoded, into a channel and an event.
 *
 * <p>Fields: {@code channel} and {@code data} are required; {@code type}, {@code id} and {@code
 * retry} are optional. In JSON, {@code data} may be any value: a string is sent as is, anything
 * else as its compact JSON text (as flask-sse does); a JSON {@code null} counts as absent. In a
 * form, an empty {@code type}, {@code id} or {@code retry} counts as absent (HTML forms send empty
 * inputs). Unknown fields are ignored. What the event builder checks (line breaks in {@code type}
 * and {@code id}) is checked here, through it; what the hub checks (channel names, reserved types,
 * size, authorization) is left to the hub's publish.
 *
 * <p>The body must be UTF-8 ({@code charset=utf-8}, or no charset), strictly: invalid bytes are a
 * 400, not replaced.
 */
public final class PublishRequests {
  private static final String JSON_TYPE = "application/json";
  private static final String FORM_TYPE = "application/x-www-form-urlencoded";

  private static final ObjectReader READER =
      JsonMapper.builder()
          .enable(
              StreamReadFeature
                  .STRICT_DUPLICATE_DETECTION) // {"channel":"a","channel":"b"} is a mistake
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // data's numbers keep their digits: 2.50 stays 2.50, 0.1 does not become
          // 0.1000000000000000055...
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build()
          .reader();

  private static final ObjectMapper WRITER = new ObjectMapper();

  private PublishRequests() {}

  /**
   * Parses a body (its remaining bytes; the buffer's position moves to its limit) of the given
   * {@code Content-Type} (null if the request had none).
   *
   * @throws HttpProblem 415 for a content type other than JSON or form, 400 for bad input
   */
  public static PublishRequest parse(String contentType, ByteBuffer body) {
    String mediaType = mediaType(contentType);
    String text = QueryDecoder.utf8(body, "body");
    return switch (mediaType) {
      case JSON_TYPE -> fromJson(text);
      case FORM_TYPE -> fromForm(QueryDecoder.decode(text, "body", "invalid_form"));
      default -> throw new IllegalStateException(mediaType);
    };
  }

  /** As {@link #parse(String, ByteBuffer)}, for a body in an array. */
  public static PublishRequest parse(String contentType, byte[] body) {
    return parse(contentType, ByteBuffer.wrap(body));
  }

  /**
   * The media type, lower case, if it is one we read; only {@code charset=utf-8} may come with it.
   */
  static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      throw unsupported("Content-Type: missing");
    }
    String[] parts =
        contentType.split(
            ";", -1); // -1: ";" alone must not split into no part at all (found by fuzzing)
    String type = parts[0].trim().toLowerCase(Locale.ROOT);
    if (!type.equals(JSON_TYPE) && !type.equals(FORM_TYPE)) {
      throw unsupported(
          "Content-Type: " + InvalidInputException.quote(contentType) + " is not supported");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : unquote(param.substring(eq + 1).trim());
      if (name.equals("charset")
          && !value.equalsIgnoreCase("utf-8")
          && !value.equalsIgnoreCase("utf8")) {
        throw unsupported(
            "Content-Type: charset "
                + InvalidInputException.quote(value)
                + " is not supported (expected: utf-8)");
      }
    }
    return type;
  }

  private static HttpProblem unsupported(String what) {
    return new HttpProblem(
        415,
        "unsupported_media_type",
        null,
        what + " (expected: " + JSON_TYPE + " or " + FORM_TYPE + ", in UTF-8)");
  }

  // ---- JSON

  static PublishRequest fromJson(String text) {
    JsonNode root;
    try {
      root = READER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw HttpProblem.badRequest(
          "invalid_json",
          null,
          "body: malformed JSON"
              + where
              + ": "
              + e.getOriginalMessage()
              + " (expected: a JSON object)");
    } catch (NumberFormatException e) {
      // Numbers are read as BigDecimal to keep their digits; one whose exponent does not fit
      // (1e4444444444) is valid JSON that no number type holds.
      throw HttpProblem.badRequest(
          "invalid_json",
          null,
          "body: a number that cannot be represented ("
              + abbreviate(e.getMessage())
              + ") (expected: numbers with an exponent of at most 9 digits)");
    }
    if (root == null || root.isMissingNode()) {
      throw HttpProblem.badRequest("invalid_json", null, "body: empty (expected: a JSON object)");
    }
    if (!root.isObject()) {
      throw HttpProblem.badRequest(
          "invalid_json",
          null,
          "body: a JSON " + kind(root) + " (expected: a JSON object with channel and data)");
    }
    String channel = jsonString(root, "channel", true);
    JsonNode data = root.get("data");
    if (data == null || data.isNull()) {
      throw missing("data", "the event's data: a string, or any JSON value to send as JSON text");
    }
    String dataText = data.isTextual() ? data.textValue() : compact(data);
    Long retry = null;
    JsonNode retryNode = root.get("retry");
    if (retryNode != null && !retryNode.isNull()) {
      if (!retryNode.isIntegralNumber()
          || !retryNode.canConvertToLong()
          || retryNode.longValue() < 0) {
        throw badRetry(abbreviate(retryNode.toString()));
      }
      retry = retryNode.longValue();
    }
    return build(
        channel, dataText, jsonString(root, "type", false), jsonString(root, "id", false), retry);
  }

  private static String jsonString(JsonNode root, String field, boolean required) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw missing(field, "a string");
      }
      return null;
    }
    if (!node.isTextual()) {
      throw HttpProblem.badRequest(
          "invalid_field",
          field,
          field
              + ": "
              + abbreviate(node.toString())
              + " is a JSON "
              + kind(node)
              + " (expected: a string)");
    }
    return node.textValue();
  }

  private static String compact(JsonNode node) {
    try {
      return WRITER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "array";
      case OBJECT -> "object";
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      default -> node.getNodeType().toString().toLowerCase(Locale.ROOT);
    };
  }

  // ---- form

  static PublishRequest fromForm(Map<String, List<String>> form) {
    String channel = formValue(form, "channel");
    if (channel == null) {
      throw missing("channel", "a channel name");
    }
    String data = formValue(form, "data");
    if (data == null) {
      throw missing("data", "the event's data");
    }
    String retryText = emptyToNull(formValue(form, "retry"));
    Long retry = null;
    if (retryText != null) {
      retry = parseRetry(retryText);
    }
    return build(
        channel,
        data,
        emptyToNull(formValue(form, "type")),
        emptyToNull(formValue(form, "id")),
        retry);
  }

  private static String formValue(Map<String, List<String>> form, String field) {
    List<String> values = form.get(field);
    if (values == null) {
      return null;
    }
    if (values.size() > 1) {
      throw HttpProblem.badRequest(
          "invalid_field", field, field + ": given " + values.size() + " times (expected: once)");
    }
    return values.get(0);
  }

  /** A decimal string of digits: what SSE's own {@code retry:} field accepts. */
  static long parseRetry(String text) {
    if (text.isEmpty() || text.length() > 18) {
      throw badRetry(InvalidInputException.quote(text));
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        throw badRetry(InvalidInputException.quote(text));
      }
    }
    return Long.parseLong(text);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  // ---- both

  private static PublishRequest build(
      String channel, String data, String type, String id, Long retry) {
    try {
      return new PublishRequest(
          channel, SseEvent.builder().data(data).type(type).id(id).retry(retry).build());
    } catch (InvalidInputException e) {
      throw HttpProblem.badRequest("invalid_field", e.field(), e.getMessage());
    }
  }

  private static HttpProblem missing(String field, String expected) {
    return HttpProblem.badRequest(
        "missing_field", field, field + ": missing (expected: " + expected + ")");
  }

  /** {@code shown}: the value as the message shows it, quoted or abbreviated. */
  private static HttpProblem badRetry(String shown) {
    return HttpProblem.badRequest(
        "invalid_field",
        "retry",
        "retry: " + shown + " is not a non-negative integer (expected: milliseconds, as digits)");
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "... (" + text.length() + " chars)";
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }
}
