package io.ssehub.core.internal;

import io.ssehub.core.ChannelNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The id a stream over several channels sends: where the client stands in each channel, as {@code
 * channel=lastId} pairs joined by {@code ,} after a leading {@value #MARK} (ARCHITECTURE.md
 * invariant 4; Nchan packs its ids the same way), such as {@code *a=17,b=1732570000000-3}. The mark
 * is what tells a cursor from a plain id: publishers' ids may not start with it ({@link
 * HubEngine#publish}), so a plain id shaped like a cursor ({@code cur=p1,zz=9}) stays a plain id.
 * Ids are percent-encoded where {@code ,}, {@code %}, spaces, control characters or non-ASCII would
 * make them ambiguous or not fit a header; an {@code =} needs no escape, as a pair splits at its
 * first one and channel names never hold it.
 *
 * <p>Cursors of older versions had no mark and escaped {@code =}: {@link #parseUnmarked} still
 * reads them, for streams over several channels only (where a plain id was never sent).
 */
public final class Cursor {
  /** The first character of every cursor, and one that no publisher's id may start with. */
  public static final char MARK = '*';

  /**
   * The longest cursor a stream may send: the {@code Last-Event-ID} header that carries it back
   * must fit the server's header limit (16 KiB by default) beside the request's other headers. A
   * stream whose channels could make a longer one is refused ({@link #maxLength}).
   */
  public static final int MAX_LENGTH = 12 * 1024;

  private Cursor() {}

  /** Packs the positions, in the map's order. */
  public static String format(Map<String, String> positions) {
    StringBuilder out = new StringBuilder(1 + positions.size() * 24).append(MARK);
    for (Map.Entry<String, String> position : positions.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append(position.getKey()).append('=');
      escape(position.getValue(), out);
    }
    return out.toString();
  }

  /**
   * The longest cursor over {@code channels} whose ids are each at most {@code maxIdLength} long as
   * {@link #escapedLength} counts them.
   */
  public static long maxLength(List<String> channels, int maxIdLength) {
    long length = 1 + Math.max(0, channels.size() - 1); // the mark, the commas
    for (String channel : channels) {
      length += channel.length() + 1 + maxIdLength;
    }
    return length;
  }

  /**
   * How long {@code id} is in a cursor: one per byte of printable ASCII, three per byte escaped.
   */
  public static int escapedLength(String id) {
    int length = 0;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      length += needsEscape(b & 0xff) ? 3 : 1;
    }
    return length;
  }

  /**
   * The {@code id:} line carrying the packed positions, for a stream's next event. Written per
   * event and stream, so it skips the encoder's check: {@link #format} escapes every control
   * character, so the line can hold no CR, LF or NUL, and it is ASCII.
   */
  static byte[] idLine(Map<String, String> positions) {
    return ("id: " + format(positions) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The positions in a cursor, or null if {@code id} is not one (it does not start with {@link
   * #MARK}, or is malformed).
   */
  public static Map<String, String> parse(String id) {
    if (id.isEmpty() || id.charAt(0) != MARK) {
      return null;
    }
    Map<String, String> positions = new LinkedHashMap<>();
    for (String part : id.substring(1).split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return null;
      }
      String channel = part.substring(0, eq);
      String lastId = unescape(part.substring(eq + 1));
      if (!ChannelNames.isValid(channel) || lastId == null || lastId.isEmpty()) {
        return null;
      }
      positions.put(channel, lastId);
    }
    return positions;
  }

  /**
   * The positions in a cursor of an older version (no mark, {@code =} escaped in ids), or null if
   * {@code id} is not one. Only for streams over several channels: on a stream of one channel a
   * plain id shaped like this is just an id.
   */
  public static Map<String, String> parseUnmarked(String id) {
    if (id.indexOf('=') <= 0) {
      return null;
    }
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

  private static boolean needsEscape(int c) {
    return c <= 0x20 || c >= 0x7f || c == '%' || c == ',';
  }

  private static void escape(String id, StringBuilder out) {
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (needsEscape(c)) {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
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
