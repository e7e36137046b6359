package io.ssehub.core;

/**
 * What a channel may be called: 1 to {@value #MAX_LENGTH} characters of ASCII letters, digits and
 * {@code _ . - : @ / ~ +}.
 *
 * <p>Why so strict: a channel name ends up in a Redis channel name, a Redis key, metric tags, log
 * lines and (for streams over several channels) in the ids sent to clients, where {@code ,} and
 * {@code =} separate channels. Wildcards ({@code *}) belong to authorization patterns, not to
 * names; whitespace, control characters and non-ASCII letters are refused so that two names that
 * look alike are alike.
 */
public final class ChannelNames {
  /** The channel a stream or publish uses when it names none, as in flask-sse. */
  public static final String DEFAULT_CHANNEL = "sse";

  /**
   * Channels whose names start with this belong to ssehub's own front doors (the Mercure one
   * carries its updates on {@code ssehub.mercure}): clients cannot stream or publish them through
   * {@code /stream} and {@code /publish}; see {@link SubscribeRequest#reserved}.
   */
  public static final String RESERVED_PREFIX = "ssehub.";

  /** The longest channel name accepted. */
  public static final int MAX_LENGTH = 200;

  private ChannelNames() {}

  /** Whether {@code name} is a valid channel name. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isAllowed(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Returns {@code name} if valid, else throws an {@link InvalidInputException} saying why. */
  public static String validate(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidInputException("channel", "must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new InvalidInputException(
          "channel",
          "is " + name.length() + " characters long (expected: at most " + MAX_LENGTH + ")");
    }
    for (int i = 0; i < name.length(); i++) {
      if (!isAllowed(name.charAt(i))) {
        throw new InvalidInputException(
            "channel",
            InvalidInputException.quote(name)
                + " has a character not allowed at position "
                + i
                + " (expected: ASCII letters, digits and _ . - : @ / ~ +)");
      }
    }
    return name;
  }

  /** Whether {@code name} is one of ssehub's own channels ({@value #RESERVED_PREFIX}...). */
  public static boolean isReserved(String name) {
    return name != null && name.startsWith(RESERVED_PREFIX);
  }

  /** Refuses a reserved channel on behalf of a client. */
  static void rejectReserved(String name) {
    if (isReserved(name)) {
      throw new InvalidInputException(
          "channel",
          InvalidInputException.quote(name)
              + " is reserved for ssehub's own use (expected: a name not starting with \""
              + RESERVED_PREFIX
              + "\")");
    }
  }

  private static boolean isAllowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-'
        || c == ':'
        || c == '@'
        || c == '/'
        || c == '~'
        || c == '+';
  }
}
