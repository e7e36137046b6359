package io.ssehub.server.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.ssehub.core.InvalidInputException;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.HttpProblem;
import java.net.URI;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The CSRF guard of {@code POST /publish}: a browser sends a site's cookies, and reaches a hub on
 * its own machine's loopback, from any page it opens, so a publish that no {@code Authorization}
 * header (or {@code token} parameter) authorizes must come from a page the hub trusts. The page's
 * origin is its {@code Origin} header, or its {@code Referer}'s when it has none; it is trusted
 * when it is the hub's own (the {@code Host} the request was sent to) or allowed by {@code
 * --cors-origin}, by the rule the Mercure door applies to its cookie ({@link #origins}).
 *
 * <ul>
 *   <li>Authorized by the cookie: the origin must be trusted, and must be there (no {@code Origin}
 *       and no {@code Referer}: refused, as the Mercure door does).
 *   <li>Anonymous (the authorizer trusts the address, say loopback): a request that names an origin
 *       must name a trusted one; one that names none (curl, a server-side publisher) is not a
 *       browser's form and goes on as before.
 * </ul>
 */
public final class CsrfGuard {
  private final Predicate<String> allowed;

  CsrfGuard(Predicate<String> allowed) {
    this.allowed = allowed;
  }

  /**
   * The origins {@code cors} answers with {@code Access-Control-Allow-Origin}: the Mercure door's
   * rule.
   */
  public static Predicate<String> origins(CorsPolicy cors) {
    return origin -> cors.responseHeaders(origin).containsKey("Access-Control-Allow-Origin");
  }

  /**
   * Lets a publish through, or throws a 403 that says why.
   *
   * @param byCookie whether the request's credentials come from its cookie (not a header or
   *     parameter)
   */
  void check(HttpHeaders headers, boolean byCookie) {
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    String field = "Origin";
    if (origin == null || origin.isEmpty()) {
      String referer = headers.get(HttpHeaderNames.REFERER);
      if (referer == null || referer.isEmpty()) {
        if (byCookie) {
          throw forbidden(
              "headers",
              "no Origin and no Referer on a publish authorized by the cookie (expected: the"
                  + " Origin of a page allowed by --cors-origin)");
        }
        return; // not a browser's request
      }
      field = "Referer";
      origin = originOf(referer);
    }
    if (origin == null
        || !(sameOrigin(origin, headers.get(HttpHeaderNames.HOST)) || allowed.test(origin))) {
      throw forbidden(
          field,
          field
              + ": "
              + InvalidInputException.quote(String.valueOf(headers.get(field)))
              + " is not allowed to publish "
              + (byCookie ? "with the cookie" : "without a token")
              + " (expected: this hub's own origin or one of --cors-origin; a cross-site request forgery is refused)");
    }
  }

  private static HttpProblem forbidden(String field, String message) {
    return new HttpProblem(403, "forbidden_origin", field, message);
  }

  /** {@code scheme://authority} of a URL, or null when it is not one. */
  private static String originOf(String url) {
    try {
      URI uri = new URI(url);
      return uri.getScheme() == null || uri.getRawAuthority() == null
          ? null
          : uri.getScheme() + "://" + uri.getRawAuthority();
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /**
   * Whether {@code origin} names the host the request was sent to: a page the hub served itself.
   */
  private static boolean sameOrigin(String origin, String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    int scheme = origin.indexOf("://");
    return scheme > 0
        && origin
            .substring(scheme + 3)
            .toLowerCase(Locale.ROOT)
            .equals(host.toLowerCase(Locale.ROOT));
  }
}
