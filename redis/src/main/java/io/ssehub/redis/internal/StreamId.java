package io.ssehub.redis.internal;

/**
 * A Redis stream entry id, {@code <ms>-<seq>}, both unsigned 64-bit
 * (https://redis.io/docs/latest/develop/data-types/streams/#entry-ids). Ordered as Redis orders
 * them.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
  /** The id before every entry: what {@code lastId} answers for a channel without history. */
  public static final StreamId ZERO = new StreamId(0, 0);

  /** The id in {@code text}, or null if it is not exactly {@code digits-digits} within 64 bits. */
  public static StreamId parse(String text) {
    if (text == null) {
      return null;
    }
    int dash = text.indexOf('-');
    if (dash <= 0 || dash == text.length() - 1 || dash > 20 || text.length() - dash - 1 > 20) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (i != dash && (c < '0' || c > '9')) {
        return null;
      }
    }
    try {
      return new StreamId(
          Long.parseUnsignedLong(text, 0, dash, 10),
          Long.parseUnsignedLong(text, dash + 1, text.length(), 10));
    } catch (NumberFormatException tooBig) {
      return null;
    }
  }

  public boolean isZero() {
    return ms == 0 && seq == 0;
  }

  @Override
  public int compareTo(StreamId other) {
    int byMs = Long.compareUnsigned(ms, other.ms);
    return byMs != 0 ? byMs : Long.compareUnsigned(seq, other.seq);
  }

  @Override
  public String toString() {
    return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
  }
}
