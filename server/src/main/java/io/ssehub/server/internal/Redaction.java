package io.ssehub.server.internal;

import java.util.regex.Pattern;

/**
 * Strips secrets from text that is about to be logged: the values of {@code token=}, {@code
 * authorization=} and similar query parameters, and of {@code Authorization} and {@code Cookie}
 * headers, wherever they appear (a request line or a path in an exception's message).
 */
final class Redaction {
  /** Query parameters and form fields that carry credentials, with their values. */
  private static final Pattern PARAMETER =
      Pattern.compile(
          "(?i)((?:^|[?&;\\s\"'(])(?:access_token|token|authorization|jwt|password|secret)=)[^&\\s\"')]*");

  /** A header holding credentials, to the end of its line. */
  private static final Pattern HEADER =
      Pattern.compile(
          "(?i)((?:authorization|proxy-authorization|cookie|set-cookie)\\s*:\\s*)[^\\r\\n]*");

  /** A URL's user information: {@code redis://user:password@host}. */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^/@\\s:]*:)[^/@\\s]*@");

  static final String MASK = "***";

  private Redaction() {}

  /** {@code text} with every secret replaced by {@value #MASK}; null stays null. */
  static String strip(String text) {
    if (text == null) {
      return null;
    }
    String stripped = PARAMETER.matcher(text).replaceAll("$1" + MASK);
    stripped = HEADER.matcher(stripped).replaceAll("$1" + MASK);
    return USER_INFO.matcher(stripped).replaceAll("$1" + MASK + "@");
  }

  /**
   * A copy of {@code cause} whose message and causes' messages are stripped, with the same stack
   * trace: what may be logged whole at DEBUG.
   */
  static Throwable stripped(Throwable cause) {
    return stripped(cause, 8);
  }

  private static Throwable stripped(Throwable cause, int depth) {
    if (cause == null || depth == 0) {
      return null;
    }
    Throwable copy =
        new StrippedThrowable(
            cause.getClass().getName() + ": " + strip(cause.getMessage()),
            stripped(cause.getCause() == cause ? null : cause.getCause(), depth - 1));
    copy.setStackTrace(cause.getStackTrace());
    return copy;
  }

  private static final class StrippedThrowable extends Throwable {
    StrippedThrowable(String message, Throwable cause) {
      super(message, cause, false, true);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
