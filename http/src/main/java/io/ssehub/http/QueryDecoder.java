package io.ssehub.http;

import io.ssehub.core.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code application/x-www-form-urlencoded} text: query strings and form bodies (WHATWG
 * URL, "application/x-www-form-urlencoded parsing").
 *
 * <p>Stricter than the spec, which passes a bad {@code %} escape through and replaces invalid UTF-8
 * with U+FFFD: we refuse both with a 400, because a silently altered channel name or event id is
 * worse than an error the publisher sees at once. Netty's {@code QueryStringDecoder} is lenient
 * about invalid UTF-8, hence this class. For adapters that get the raw query ({@code
 * HttpServletRequest.getQueryString()} too, rather than the container's lenient {@code
 * getParameterMap()}).
 */
public final class QueryDecoder {
  private QueryDecoder() {}

  /**
   * A raw query string (after the {@code ?}, without it; {@code ""} or null for none): name to
   * values, in order of appearance.
   *
   * @throws HttpProblem a 400 {@code invalid_query} for a bad escape, {@code invalid_encoding} for
   *     escapes that decode to invalid UTF-8
   */
  public static Map<String, List<String>> decode(String rawQuery) {
    return decode(rawQuery == null ? "" : rawQuery, "query", "invalid_query");
  }

  /**
   * Name to values, in order of appearance. {@code what} names the input in error messages ({@code
   * query}, {@code body}).
   *
   * @throws HttpProblem a 400 with code {@code errorCode} for a bad escape, {@code
   *     invalid_encoding} for escapes that decode to invalid UTF-8
   */
  static Map<String, List<String>> decode(String text, String what, String errorCode) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf('&', start);
      if (end < 0) {
        end = text.length();
      }
      if (end > start) {
        int eq = text.indexOf('=', start);
        String name;
        String value;
        if (eq < 0 || eq > end) {
          name = component(text, start, end, what, errorCode);
          value = "";
        } else {
          name = component(text, start, eq, what, errorCode);
          value = component(text, eq + 1, end, what, errorCode);
        }
        params.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      }
      start = end + 1;
    }
    return params;
  }

  /** One name or value: {@code +} is a space, {@code %XX} a byte; the bytes must be UTF-8. */
  private static String component(String text, int from, int to, String what, String errorCode) {
    boolean plain = true;
    for (int i = from; i < to && plain; i++) {
      char c = text.charAt(i);
      plain = c != '%' && c != '+';
    }
    if (plain) {
      return text.substring(from, to);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        int high = i + 1 < to ? Character.digit(text.charAt(i + 1), 16) : -1;
        int low = i + 2 < to ? Character.digit(text.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw HttpProblem.badRequest(
              errorCode,
              null,
              what
                  + ": bad percent-encoding "
                  + InvalidInputException.quote(text.substring(i, Math.min(i + 3, to)))
                  + " at index "
                  + i
                  + " (expected: % followed by two hex digits)");
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < to) {
          utf8 = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(utf8);
      }
    }
    return utf8(bytes.toByteArray(), what);
  }

  /**
   * Decodes UTF-8, refusing malformed input.
   *
   * @throws HttpProblem a 400 {@code invalid_encoding} naming {@code what}
   */
  static String utf8(byte[] bytes, String what) {
    return utf8(ByteBuffer.wrap(bytes), what);
  }

  /** As {@link #utf8(byte[], String)}, for a buffer's remaining bytes. */
  static String utf8(ByteBuffer bytes, String what) {
    int start = bytes.position();
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw HttpProblem.badRequest(
          "invalid_encoding",
          null,
          what
              + ": invalid UTF-8 at byte "
              + (bytes.position() - start)
              + " (expected: UTF-8 text)");
    }
  }
}
