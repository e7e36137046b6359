package io.ssehub.mercure.internal;

import io.ssehub.core.InvalidInputException;
import io.ssehub.http.InvalidTokenException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code mercure} claim of a verified token (or its namespaced form {@code
 * https://mercure.rocks/}): selectors for publishing and for private updates, and the payload that
 * subscription events carry.
 *
 * @param publish selectors of the topics the holder may publish to; null when the claim has none
 * @param subscribe selectors of the private updates the holder may receive; null when none
 * @param payload the {@code payload} member as JSON values, or null
 * @param expiresAt the token's {@code exp}, or null
 */
public record MercureClaims(
    List<TopicSelector> publish, List<TopicSelector> subscribe, Object payload, Instant expiresAt) {
  /** At most this many selectors per list, as the Go hub. */
  public static final int MAX_SELECTORS = 1000;

  /**
   * Reads the claims of a verified token; a claim of the wrong shape is an {@link
   * InvalidTokenException}.
   */
  public static MercureClaims of(Map<String, Object> claims) {
    Object mercure = claims.get("https://mercure.rocks/");
    if (mercure == null) {
      mercure = claims.get("mercure");
    }
    Instant exp =
        claims.get("exp") instanceof Number seconds
            ? Instant.ofEpochSecond(seconds.longValue())
            : null;
    if (mercure == null) {
      return new MercureClaims(null, null, null, exp);
    }
    if (!(mercure instanceof Map<?, ?> map)) {
      throw new InvalidTokenException(
          "token: claim mercure has the wrong shape (expected: a JSON object"
              + " {\"publish\":[...],\"subscribe\":[...]})");
    }
    return new MercureClaims(
        selectors(map.get("publish"), "publish"),
        selectors(map.get("subscribe"), "subscribe"),
        map.get("payload"),
        exp);
  }

  private static List<TopicSelector> selectors(Object value, String field) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> list)) {
      throw new InvalidTokenException(
          "token: claim mercure."
              + field
              + " has the wrong shape (expected: an array of topic selectors)");
    }
    if (list.size() > MAX_SELECTORS) {
      throw new InvalidTokenException(
          "token: claim mercure."
              + field
              + " has "
              + list.size()
              + " selectors (expected: at most "
              + MAX_SELECTORS
              + ")");
    }
    List<TopicSelector> selectors = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String text)) {
        throw new InvalidTokenException(
            "token: claim mercure."
                + field
                + "["
                + i
                + "] is not a string (expected: a topic selector)");
      }
      try {
        selectors.add(TopicSelector.of(text));
      } catch (InvalidInputException e) {
        throw new InvalidTokenException(
            "token: claim mercure." + field + "[" + i + "]: " + e.reason());
      }
    }
    return List.copyOf(selectors);
  }
}
