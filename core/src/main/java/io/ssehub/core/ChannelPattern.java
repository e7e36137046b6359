package io.ssehub.core;

/**
 * A channel name with {@code *} wildcards, each matching any run of characters (the empty one
 * included): {@code news}, {@code user.u1.*}, {@code *}. Used by authorization grants and public
 * channel lists. Matching is linear in the name's length times the pattern's; no regex is built
 * from client input.
 */
public final class ChannelPattern {
  private final String pattern;
  private final String[] parts;

  private ChannelPattern(String pattern) {
    this.pattern = pattern;
    this.parts = pattern.split("\\*", -1);
  }

  /**
   * Parses a pattern: channel-name characters and {@code *}.
   *
   * @throws InvalidInputException if it holds anything else or is empty or too long
   */
  public static ChannelPattern of(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new InvalidInputException("pattern", "must not be empty");
    }
    if (pattern.length() > ChannelNames.MAX_LENGTH) {
      throw new InvalidInputException(
          "pattern",
          "is "
              + pattern.length()
              + " characters long (expected: at most "
              + ChannelNames.MAX_LENGTH
              + ")");
    }
    String withoutWildcards = pattern.replace("*", "");
    if (!withoutWildcards.isEmpty() && !ChannelNames.isValid(withoutWildcards)) {
      throw new InvalidInputException(
          "pattern",
          InvalidInputException.quote(pattern) + " is not a channel name with * wildcards");
    }
    return new ChannelPattern(pattern);
  }

  /** Whether the channel name matches. */
  public boolean matches(String channel) {
    if (parts.length == 1) {
      return pattern.equals(channel);
    }
    if (!channel.startsWith(parts[0])) {
      return false;
    }
    int from = parts[0].length();
    int lastIndex = parts.length - 1;
    int end = channel.length() - parts[lastIndex].length();
    if (end < from || !channel.endsWith(parts[lastIndex])) {
      return false;
    }
    // Middle parts: greedy leftmost matching is exact for '*'-only patterns.
    for (int i = 1; i < lastIndex; i++) {
      int at = channel.indexOf(parts[i], from);
      if (at < 0 || at + parts[i].length() > end) {
        return false;
      }
      from = at + parts[i].length();
    }
    return true;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
