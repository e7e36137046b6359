package io.ssehub.core;

/**
 * Input that ssehub refuses: a bad channel name, an event field that would corrupt the stream, an
 * oversized event. The message names the field, the value and what was expected, so that adapters
 * can pass it on to the client unchanged (the HTTP adapters answer 400 with it in a JSON body).
 */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidInputException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /**
   * The name of the offending field, as the client called it ({@code channel}, {@code id}, ...).
   */
  public String field() {
    return field;
  }

  /** The message without the field name in front. */
  public String reason() {
    return getMessage().substring(field.length() + 2);
  }

  /**
   * Quotes a client-supplied value for an error message: control characters escaped (so that a
   * message never carries a line break into a log or a header) and long values shortened.
   */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 64) + 8).append('"');
    for (int i = 0; i < value.length() && i < 64; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\0' -> out.append("\\0");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (value.length() > 64) {
      out.append("...\" (").append(value.length()).append(" chars)");
      return out.toString();
    }
    return out.append('"').toString();
  }
}
