package io.ssehub.core.internal;

import io.ssehub.core.ChannelNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The id a stream over several channels sends: where the client stands in each channel, as {@code
 * channel=lastId} pairs joined by {@code ,} (design invariant 4; Nchan packs its ids the same way).
 * Ids are percent-encoded so that {@code ,}, {@code =} and {@code %} in them stay unambiguous;
 * channel names never hold those characters.
 */
public final class Cursor {
  private Cursor() {}

  /** Packs the positions, in the map's order. */
  public static String format(Map<String, String> positions) {
    StringBuilder out = new StringBuilder(positions.size() * 24);
    for (Map.Entry<String, String> position : positions.entrySet()) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(position.getKey()).append('=');
      escape(position.getValue(), out);
    }
    return out.toString();
  }

  /**
   * The {@code id:} line carrying the packed positions, for a stream's next event. Written per
   * event and stream, so it skips the encoder's check: {@link #format} escapes every control
   * character, so the line can hold no CR, LF or NUL, and it is ASCII.
   */
  static byte[] idLine(Map<String, String> positions) {
    return ("id: " + format(positions) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The positions in a packed id, or null if {@code id} is not one. */
  public static Map<String, String> parse(String id) {
    Map<String, String> positions = new LinkedHashMap<>();
    for (String part : id.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      String channel = part.substring(0, eq);
      String raw = part.substring(eq + 1);
      if (raw.indexOf('=') >= 0) {
        return null; // a cursor escapes '=' in ids: this is a plain id, base64 padding for instance
      }
      String lastId = unescape(raw);
      if (!ChannelNames.isValid(channel) || lastId == null || lastId.isEmpty()) {
        return null;
      }
      positions.put(channel, lastId);
    }
    return positions;
  }

  private static void escape(String id, StringBuilder out) {
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c <= 0x20 || c >= 0x7f || c == '%' || c == ',' || c == '=') {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      } else {
        out.append((char) c);
      }
    }
  }

  private static String unescape(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          return null;
        }
        int high = Character.digit(text.charAt(i + 1), 16);
        int low = Character.digit(text.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
