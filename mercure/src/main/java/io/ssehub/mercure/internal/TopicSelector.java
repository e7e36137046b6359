package io.ssehub.mercure.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One Mercure topic selector, compiled: {@code *} (every topic), a URI template (RFC 6570, any
 * level: it holds a {@code {}), or an exact string. A template matches the topics it could expand
 * to, as the Go hub's {@code uritemplate.Regexp()} does: each expression becomes a pattern of the
 * characters its operator may produce.
 *
 * <p>No Java library on Maven Central matches topics against level-4 templates (the ones there,
 * such as vertx-uri-template, only expand), hence this small compiler. Compiled templates are
 * cached, bounded ({@value #CACHE_SIZE}, least recently used out): selectors come from clients.
 *
 * <p>An invalid template (an unclosed {@code {}, a bad variable name) matches only itself, as an
 * exact string: the Go hub's matcher does not match it either, and nobody is refused for it.
 */
public final class TopicSelector {
  static final int CACHE_SIZE = 10_000;

  private static final Map<String, TopicSelector> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, TopicSelector> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  private static final String UNRESERVED = "A-Za-z0-9\\-._~";
  private static final String RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
  private static final String PCT = "%[0-9A-Fa-f]{2}";
  private static final Pattern VARNAME = Pattern.compile("(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*");

  private final String selector;
  private final Pattern template;

  private TopicSelector(String selector, Pattern template) {
    this.selector = selector;
    this.template = template;
  }

  /** The compiled selector, from the cache when it was compiled lately. */
  public static TopicSelector of(String selector) {
    if (selector.indexOf('{') < 0) {
      return new TopicSelector(selector, null); // nothing to compile, nothing to cache
    }
    synchronized (CACHE) {
      TopicSelector cached = CACHE.get(selector);
      if (cached != null) {
        return cached;
      }
    }
    TopicSelector compiled = new TopicSelector(selector, compile(selector));
    synchronized (CACHE) {
      CACHE.put(selector, compiled);
    }
    return compiled;
  }

  /** The selector as given. */
  public String selector() {
    return selector;
  }

  public boolean matches(String topic) {
    if ("*".equals(selector) || selector.equals(topic)) {
      return true;
    }
    return template != null && template.matcher(topic).matches();
  }

  /** Whether any of {@code selectors} matches any of {@code topics}. */
  public static boolean anyMatches(List<TopicSelector> selectors, List<String> topics) {
    for (String topic : topics) {
      for (TopicSelector selector : selectors) {
        if (selector.matches(topic)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The template as a pattern; null when it is not a valid template. */
  static Pattern compile(String template) {
    StringBuilder regex = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        regex.append(Pattern.quote(template.substring(i)));
        break;
      }
      if (open > i) {
        regex.append(Pattern.quote(template.substring(i, open)));
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        return null;
      }
      String expression = expression(template.substring(open + 1, close));
      if (expression == null) {
        return null;
      }
      regex.append(expression);
      i = close + 1;
    }
    return Pattern.compile(regex.toString());
  }

  /** The pattern of one expression ({@code op var1,var2:3,var3*}), or null if it is not valid. */
  private static String expression(String body) {
    if (body.isEmpty()) {
      return null;
    }
    char op = body.charAt(0);
    String prefix;
    String separator;
    boolean named;
    boolean reservedAllowed = false;
    switch (op) {
      case '+' -> { prefix = ""; separator = ","; named = false; reservedAllowed = true; }
      case '#' -> { prefix = "#"; separator = ","; named = false; reservedAllowed = true; }
      case '.' -> { prefix = "."; separator = "."; named = false; }
      case '/' -> { prefix = "/"; separator = "/"; named = false; }
      case ';' -> { prefix = ";"; separator = ";"; named = true; }
      case '?' -> { prefix = "?"; separator = "&"; named = true; }
      case '&' -> { prefix = "&"; separator = "&"; named = true; }
      default -> { prefix = ""; separator = ","; named = false; }
    }
    String list = "+#./;?&".indexOf(op) >= 0 ? body.substring(1) : body;
    if (list.isEmpty()) {
      return null;
    }
    // A value's characters: unreserved and percent-encoded; reserved too for + and #; the comma of lists.
    String valueChar = "(?:[" + UNRESERVED + (reservedAllowed ? RESERVED : ",") + "]|" + PCT + ")";
    String value = valueChar + "*";
    StringBuilder items = new StringBuilder();
    String[] specs = list.split(",", -1);
    boolean anyExplode = false;
    for (String spec : specs) {
      String name = spec;
      boolean explode = false;
      if (name.endsWith("*")) {
        explode = true;
        anyExplode = true;
        name = name.substring(0, name.length() - 1);
      } else {
        int colon = name.indexOf(':');
        if (colon >= 0) {
          String length = name.substring(colon + 1);
          if (length.isEmpty() || length.length() > 4 || !length.chars().allMatch(Character::isDigit) || length.startsWith("0")) {
            return null;
          }
          name = name.substring(0, colon);
        }
      }
      if (!VARNAME.matcher(name).matches()) {
        return null;
      }
      String item;
      if (named) {
        String key = explode ? "(?:[" + UNRESERVED + "]|" + PCT + ")+" : Pattern.quote(name);
        item = key + "(?:=" + value + ")?";
      } else {
        item = value;
      }
      if (items.length() > 0) {
        items.append('|');
      }
      items.append(item);
    }
    // Undefined variables expand to nothing; defined ones join with the separator after the prefix:
    // at most one item per variable, any number when a variable explodes (its list or map members).
    String one = "(?:" + items + ")";
    String more = anyExplode ? "*" : "{0," + (specs.length - 1) + "}";
    return "(?:" + Pattern.quote(prefix) + one + "(?:" + Pattern.quote(separator) + one + ")" + more + ")?";
  }

  @Override
  public String toString() {
    return selector;
  }
}
