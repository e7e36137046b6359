package io.ssehub.redis.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the passwords of Redis URIs out of what is printed: start-up lines, {@code /health}, {@code
 * --print-config}, exception messages.
 *
 * <p>Every form Lettuce or an operator may write is covered: the user info of {@code redis://},
 * {@code rediss://}, {@code redis+ssl://}, {@code redis-socket://}, {@code redis-sentinel://} and
 * {@code redis-cluster://} URIs ({@code user:password@}, {@code :password@} and a lone {@code
 * password@}, which Redis URIs take as the password), a cluster seed list without a scheme ({@code
 * :password@host:port,host:port}), and query parameters whose name says password, secret, token or
 * auth ({@code ?password=...}). The user info runs to the last {@code @}, as Lettuce reads it, so a
 * password holding {@code @} or {@code /} is masked whole; masking more than the password (when a
 * query value holds an {@code @}) is preferred to showing any of it.
 */
public final class RedisUriSecrets {
  /** What a masked secret reads as. */
  public static final String MASK = "***";

  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "([?&;][A-Za-z0-9_.-]*(?i:password|passwd|pwd|secret|token|auth)[A-Za-z0-9_.-]*=)([^&#]*)");
  private static final Pattern URI_IN_TEXT =
      Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s\"'<>()\\[\\]]*");
  private static final Pattern SECRET_PART_DELIMITERS = Pattern.compile("[/?#@:,;&=]");

  private RedisUriSecrets() {}

  /**
   * {@code uri} with every password replaced by {@value #MASK}: {@code redis://:s@h} gives {@code
   * redis://:***@h}, {@code redis://u:s@h} gives {@code redis://u:***@h}, {@code redis://s@h} gives
   * {@code redis://***@h}, {@code redis://h?password=s} gives {@code redis://h?password=***}.
   */
  public static String mask(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher scheme = SCHEME.matcher(uri);
    int start = scheme.find() ? scheme.end() : 0;
    String head = uri.substring(0, start);
    String rest = uri.substring(start);
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      rest = (colon >= 0 ? userInfo.substring(0, colon + 1) : "") + MASK + rest.substring(at);
    }
    return head + SECRET_PARAMETER.matcher(rest).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }

  /**
   * The passwords {@code uri} holds (user info and secret query parameters), as written; empty if
   * none.
   */
  public static List<String> secrets(String uri) {
    List<String> found = new ArrayList<>();
    if (uri == null) {
      return found;
    }
    Matcher scheme = SCHEME.matcher(uri);
    String rest = uri.substring(scheme.find() ? scheme.end() : 0);
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      int colon = userInfo.indexOf(':');
      addIfSet(found, colon >= 0 ? userInfo.substring(colon + 1) : userInfo);
    }
    Matcher parameter = SECRET_PARAMETER.matcher(rest);
    while (parameter.find()) {
      addIfSet(found, parameter.group(2));
    }
    return found;
  }

  /**
   * {@code text} (an exception's message, say) with each of {@code secrets} masked, and so every
   * piece of one between URI delimiters (a parser may quote the part after a {@code /} or
   * {@code @}), and every URI in it masked as {@link #mask} does.
   */
  public static String maskText(String text, List<String> secrets) {
    if (text == null) {
      return null;
    }
    String masked = text;
    for (String secret : secrets) {
      masked = masked.replace(secret, MASK);
      for (String part : SECRET_PART_DELIMITERS.split(secret)) {
        if (part.length() > 1) {
          masked = masked.replace(part, MASK);
        }
      }
    }
    Matcher uris = URI_IN_TEXT.matcher(masked);
    StringBuilder out = new StringBuilder(masked.length());
    while (uris.find()) {
      uris.appendReplacement(out, Matcher.quoteReplacement(mask(uris.group())));
    }
    uris.appendTail(out);
    return out.toString();
  }

  private static void addIfSet(List<String> found, String secret) {
    if (!secret.isEmpty() && !secret.equals(MASK)) {
      found.add(secret);
    }
  }
}
