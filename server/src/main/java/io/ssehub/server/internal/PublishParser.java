package io.ssehub.server.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
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
 * inputs). Unknown fields are ignored. What the event builder and the hub check (line breaks in
 * {@code type} and {@code id}, channel names, reserved types, size) is checked there.
 */
public final class PublishParser {
  /** A parsed publish: where to and what. */
  public record Publish(String channel, SseEvent event) {}

  private static final String JSON_TYPE = "application/json";
  private static final String FORM_TYPE = "application/x-www-form-urlencoded";

  private static final ObjectReader READER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // {"channel":"a","channel":"b"} is a mistake
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // data's numbers keep their digits: 2.50 stays 2.50, 0.1 does not become 0.1000000000000000055...
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build()
      .reader();

  private static final ObjectMapper WRITER = new ObjectMapper();

  private PublishParser() {}

  /**
   * Parses a body of the given {@code Content-Type}.
   *
   * @throws HttpError 415 for a content type other than JSON or form, 400 for bad input
   */
  public static Publish parse(String contentType, ByteBuffer body) {
    String mediaType = mediaType(contentType);
    String text = FormDecoder.utf8(body, "body");
    return switch (mediaType) {
      case JSON_TYPE -> fromJson(text);
      case FORM_TYPE -> fromForm(FormDecoder.decode(text, "body", "invalid_form"));
      default -> throw new IllegalStateException(mediaType);
    };
  }

  /** The media type, lower case, if it is one we read; only {@code charset=utf-8} may come with it. */
  static String mediaType(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      throw unsupported("Content-Type: missing");
    }
    String[] parts = contentType.split(";");
    String type = parts[0].trim().toLowerCase(Locale.ROOT);
    if (!type.equals(JSON_TYPE) && !type.equals(FORM_TYPE)) {
      throw unsupported("Content-Type: " + quote(contentType) + " is not supported");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim();
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : unquote(param.substring(eq + 1).trim());
      if (name.equals("charset") && !value.equalsIgnoreCase("utf-8") && !value.equalsIgnoreCase("utf8")) {
        throw unsupported("Content-Type: charset " + quote(value) + " is not supported (expected: utf-8)");
      }
    }
    return type;
  }

  private static HttpError unsupported(String what) {
    return new HttpError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", null,
        what + " (expected: " + JSON_TYPE + " or " + FORM_TYPE + ", in UTF-8)");
  }

  // ---- JSON

  static Publish fromJson(String text) {
    JsonNode root;
    try {
      root = READER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw HttpError.badRequest("invalid_json", null,
          "body: malformed JSON" + where + ": " + e.getOriginalMessage() + " (expected: a JSON object)");
    }
    if (root == null || root.isMissingNode()) {
      throw HttpError.badRequest("invalid_json", null, "body: empty (expected: a JSON object)");
    }
    if (!root.isObject()) {
      throw HttpError.badRequest("invalid_json", null,
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
      if (!retryNode.isIntegralNumber() || !retryNode.canConvertToLong() || retryNode.longValue() < 0) {
        throw badRetry(retryNode.toString());
      }
      retry = retryNode.longValue();
    }
    return build(channel, dataText, jsonString(root, "type", false), jsonString(root, "id", false), retry);
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
      throw HttpError.badRequest("invalid_field", field,
          field + ": " + abbreviate(node.toString()) + " is a JSON " + kind(node) + " (expected: a string)");
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

  static Publish fromForm(Map<String, List<String>> form) {
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
    return build(channel, data, emptyToNull(formValue(form, "type")), emptyToNull(formValue(form, "id")), retry);
  }

  private static String formValue(Map<String, List<String>> form, String field) {
    List<String> values = form.get(field);
    if (values == null) {
      return null;
    }
    if (values.size() > 1) {
      throw HttpError.badRequest("invalid_field", field,
          field + ": given " + values.size() + " times (expected: once)");
    }
    return values.get(0);
  }

  /** A decimal string of digits: what SSE's own {@code retry:} field accepts. */
  static long parseRetry(String text) {
    if (text.isEmpty() || text.length() > 18) {
      throw badRetry(quote(text));
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        throw badRetry(quote(text));
      }
    }
    return Long.parseLong(text);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  // ---- both

  private static Publish build(String channel, String data, String type, String id, Long retry) {
    try {
      return new Publish(channel, SseEvent.builder().data(data).type(type).id(id).retry(retry).build());
    } catch (InvalidInputException e) {
      throw HttpError.badRequest("invalid_field", e.field(), e.getMessage());
    }
  }

  private static HttpError missing(String field, String expected) {
    return HttpError.badRequest("missing_field", field, field + ": missing (expected: " + expected + ")");
  }

  private static HttpError badRetry(String got) {
    return HttpError.badRequest("invalid_field", "retry",
        "retry: " + abbreviate(got) + " is not a non-negative integer (expected: milliseconds, as digits)");
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "... (" + text.length() + " chars)";
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }
}
