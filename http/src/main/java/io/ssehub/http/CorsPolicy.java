package io.ssehub.http;

import io.ssehub.core.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which web pages of other origins may call the hub from a browser (WHATWG Fetch, "CORS protocol"),
 * and the response headers that say so.
 *
 * <ul>
 *   <li>A <b>listed</b> origin ({@code https://app.example.com}) is answered with itself in {@code
 *       Access-Control-Allow-Origin} and {@code Access-Control-Allow-Credentials: true}: its pages
 *       may send the token cookie ({@code new EventSource(url, {withCredentials: true})}).
 *   <li>{@code *} lets every other origin read without credentials: {@code
 *       Access-Control-Allow-Origin: *} and nothing credential-related (Fetch forbids {@code *}
 *       with credentials; a token in {@code Authorization} or {@code ?token=} still works).
 *   <li>Any other origin gets no CORS header: the browser keeps the answer from the page.
 * </ul>
 *
 * <p>The origin written back is always the configured string, never the request's header, so
 * nothing a client sends (a CR/LF, say) reaches a response header. With listed origins every answer
 * carries {@code Vary: Origin}, so caches keep one answer per origin.
 *
 * <p>A preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered 204 with
 * {@link #preflightHeaders}: the methods {@value #ALLOWED_METHODS}, the request headers {@value
 * #ALLOWED_HEADERS}, and a {@code Access-Control-Max-Age} of {@link #DEFAULT_MAX_AGE}. Immutable.
 */
public final class CorsPolicy {
  /** No cross-origin access: no CORS header at all. */
  public static final CorsPolicy NONE = new CorsPolicy(Set.of(), false, Duration.ZERO);

  /** The methods of the API. */
  public static final String ALLOWED_METHODS = "GET, POST, OPTIONS";

  /**
   * The request headers a page may set: a bearer token, a publish body's type, the resume position.
   */
  public static final String ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";

  /** How long a browser may cache a preflight's answer, by default. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  private final Set<String> origins;
  private final boolean any;
  private final Duration maxAge;

  private CorsPolicy(Set<String> origins, boolean any, Duration maxAge) {
    this.origins = origins;
    this.any = any;
    this.maxAge = maxAge;
  }

  /**
   * A policy for these origins ({@code scheme://host[:port]}, as a browser sends them in {@code
   * Origin}), and {@code *} for any origin without credentials.
   *
   * @throws IllegalArgumentException for an entry that is neither {@code *} nor an origin
   */
  public static CorsPolicy of(List<String> allowed) {
    Set<String> origins = new LinkedHashSet<>();
    boolean any = false;
    for (String entry : Objects.requireNonNull(allowed, "allowed")) {
      String origin = Objects.requireNonNull(entry, "origin");
      if (origin.equals("*")) {
        any = true;
      } else {
        origins.add(checkOrigin(origin));
      }
    }
    if (!any && origins.isEmpty()) {
      return NONE;
    }
    return new CorsPolicy(Collections.unmodifiableSet(origins), any, DEFAULT_MAX_AGE);
  }

  /** This policy with another preflight cache time (whole seconds, 0 to 1 day). */
  public CorsPolicy withMaxAge(Duration maxAge) {
    if (maxAge.isNegative() || maxAge.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: 0 to 1 day)");
    }
    return new CorsPolicy(origins, any, maxAge);
  }

  private static String checkOrigin(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      uri = null;
    }
    boolean ok =
        uri != null
            && origin.chars().allMatch(c -> c > 0x20 && c < 0x7f)
            && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            && uri.getHost() != null
            && uri.getRawUserInfo() == null
            && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null;
    if (!ok) {
      throw new IllegalArgumentException(
          "cors origin: "
              + InvalidInputException.quote(origin)
              + " (expected: * or scheme://host[:port], no path, e.g. https://app.example.com)");
    }
    return origin.toLowerCase(Locale.ROOT);
  }

  /** Whether any cross-origin access is allowed. */
  public boolean enabled() {
    return any || !origins.isEmpty();
  }

  /**
   * The CORS headers of an answer (stream, publish, health, errors included) to a request with this
   * {@code Origin} (null when it had none). Empty when nothing is allowed.
   */
  public Map<String, String> responseHeaders(String origin) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (!origins.isEmpty()) {
      headers.put("Vary", "Origin");
    }
    if (origin == null) {
      return headers;
    }
    String listed = listed(origin);
    if (listed != null) {
      headers.put("Access-Control-Allow-Origin", listed);
      headers.put("Access-Control-Allow-Credentials", "true");
    } else if (any) {
      headers.put("Access-Control-Allow-Origin", "*");
    }
    return headers;
  }

  /**
   * Whether a request is a CORS preflight: {@code OPTIONS} with an {@code Origin} and an {@code
   * Access-Control-Request-Method}.
   */
  public static boolean isPreflight(String method, String origin, String requestMethod) {
    return "OPTIONS".equals(method) && origin != null && requestMethod != null;
  }

  /**
   * The headers of a 204 answer to a preflight from {@code origin}: {@link #responseHeaders} plus
   * the allowed methods, headers and max age when the origin is allowed; only {@code Vary} when it
   * is not (the browser then refuses the request).
   */
  public Map<String, String> preflightHeaders(String origin) {
    Map<String, String> headers = responseHeaders(origin);
    if (headers.containsKey("Access-Control-Allow-Origin")) {
      headers.put("Access-Control-Allow-Methods", ALLOWED_METHODS);
      headers.put("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      headers.put("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
    }
    return headers;
  }

  private String listed(String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    return origins.contains(lower) ? lower : null;
  }

  @Override
  public String toString() {
    return !enabled() ? "CorsPolicy{none}" : "CorsPolicy{" + (any ? "*, " : "") + origins + "}";
  }
}
