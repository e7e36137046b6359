package io.ssehub.server.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations and sizes that flags and environment variables take.
 *
 * <ul>
 *   <li>Durations: a whole number with a unit, {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}
 *       (also {@code d}); ISO-8601 such as {@code PT15S}; or {@code 0}.
 *   <li>Sizes: a whole number of bytes, optionally with a binary suffix, case-insensitive: {@code
 *       k}/{@code KiB} (1024), {@code m}/{@code MiB}, {@code g}/{@code GiB}; {@code 64k}, {@code
 *       4MiB}, {@code 1048576}.
 * </ul>
 */
public final class Units {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(|b|k|kib|m|mib|g|gib)");

  /** How durations may be written, for error messages and help. */
  public static final String DURATION_FORMS = "a duration like 500ms, 15s, 2m, 1h or PT15S";

  /** How sizes may be written, for error messages and help. */
  public static final String SIZE_FORMS =
      "a size in bytes like 1048576, 64KiB, 4MiB (k, m, g work too)";

  private Units() {}

  /**
   * @throws IllegalArgumentException naming the value and the forms accepted
   */
  public static Duration parseDuration(String text) {
    String value = text.trim();
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      try {
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is too long a duration");
      }
    }
    if (value.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not " + DURATION_FORMS);
  }

  /**
   * @throws IllegalArgumentException naming the value and the forms accepted
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not " + SIZE_FORMS);
    }
    long amount = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k", "kib" -> 10;
          case "m", "mib" -> 20;
          case "g", "gib" -> 30;
          default -> 0;
        };
    if (amount > Long.MAX_VALUE >> shift) {
      throw new IllegalArgumentException("'" + text + "' is too large a size");
    }
    return amount << shift;
  }

  /**
   * A duration the way it is written on the command line: {@code 15s}, {@code 500ms}, {@code 1h}.
   */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0";
    }
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
