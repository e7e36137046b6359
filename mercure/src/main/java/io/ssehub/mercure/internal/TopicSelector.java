package io.ssehub.mercure.internal;

import com.google.re2j.Pattern;
import io.ssehub.core.InvalidInputException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Mercure topic selector, compiled: {@code *} (every topic), a URI template (RFC 6570, any
 * level: it holds a {@code {}), or an exact string. A template matches the topics it could expand
 * to, as the Go hub's {@code uritemplate.Regexp()} does: each expression becomes a pattern of the
 * characters its operator may produce.
 *
 * <p>No Java library on Maven Central matches topics against level-4 templates (the ones there,
 * such as vertx-uri-template, only expand), hence this small compiler. Its patterns run on RE2/J,
 * which matches in time linear in the topic and never recurses per character: selectors come from
 * anonymous clients, and a backtracking engine lets one selector stall the node.
 *
 * <p>Bounds, each refused with an {@link InvalidInputException} on field {@code topic}: a selector
 * holds at most {@value #MAX_LENGTH} characters, a template at most {@value #MAX_EXPRESSIONS}
 * expressions (matching costs time per character in proportion to them) and compiles to at most
 * {@value #MAX_COMPILED_SIZE} units of pattern (a unit is about a character of pattern text, with
 * each bounded repetition counted as often as it repeats). Compiled templates are cached, least
 * recently used out, bounded by {@value #CACHE_SIZE} entries and by {@value #CACHE_BYTES} bytes of
 * their estimated {@link #weight()}: a count alone lets a few large selectors fill the heap.
 *
 * <p>An invalid template (an unclosed {@code {}, a bad variable name) matches only itself, as an
 * exact string: the Go hub's matcher does not match it either, and nobody is refused for it.
 */
public final class TopicSelector {
  /** The longest selector, in characters. */
  public static final int MAX_LENGTH = 4096;

  /** The most expressions ({@code {...}}) one template may hold. */
  public static final int MAX_EXPRESSIONS = 16;

  /** The largest compiled template, in units of pattern. */
  public static final int MAX_COMPILED_SIZE = 16_384;

  /** The longest topic of a publish, in characters. */
  public static final int MAX_TOPIC_LENGTH = 256 * 1024;

  static final int CACHE_SIZE = 10_000;
  static final long CACHE_BYTES = 16L * 1024 * 1024;
  /** What a unit of compiled pattern costs on the heap, measured on RE2/J 1.8 and rounded up. */
  static final int BYTES_PER_UNIT = 20;
  /** What any compiled pattern costs besides its units (RE2/J's objects), measured and rounded up. */
  static final int PATTERN_BYTES = 4096;

  private static final Map<String, TopicSelector> CACHE = new LinkedHashMap<>(256, 0.75f, true);
  private static long cachedBytes;

  private static final String UNRESERVED = "A-Za-z0-9\\-._~";
  private static final String RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
  private static final String PCT = "%[0-9A-Fa-f]{2}";
  private static final Pattern VARNAME = Pattern.compile("(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*");

  private final String selector;
  private final Pattern template;
  private final int compiledSize;

  private TopicSelector(String selector, Pattern template, int compiledSize) {
    this.selector = selector;
    this.template = template;
    this.compiledSize = compiledSize;
  }

  /**
   * The compiled selector, from the cache when it was compiled lately.
   *
   * @throws InvalidInputException (field {@code topic}) for a selector over one of the bounds
   */
  public static TopicSelector of(String selector) {
    if (selector.length() > MAX_LENGTH) {
      throw new InvalidInputException("topic", "topic selector of " + selector.length() + " characters (expected: at most "
          + MAX_LENGTH + ")");
    }
    if (selector.indexOf('{') < 0) {
      return new TopicSelector(selector, null, 0); // nothing to compile, nothing to cache
    }
    synchronized (CACHE) {
      TopicSelector cached = CACHE.get(selector);
      if (cached != null) {
        return cached;
      }
    }
    Compiled compiled = compile(selector);
    TopicSelector result = compiled == null
        ? new TopicSelector(selector, null, 0)
        : new TopicSelector(selector, Pattern.compile(compiled.regex()), compiled.size());
    synchronized (CACHE) {
      TopicSelector previous = CACHE.put(selector, result);
      if (previous != null) {
        cachedBytes -= previous.weight();
      }
      cachedBytes += result.weight();
      Iterator<TopicSelector> eldest = CACHE.values().iterator();
      while ((cachedBytes > CACHE_BYTES || CACHE.size() > CACHE_SIZE) && eldest.hasNext()) {
        cachedBytes -= eldest.next().weight();
        eldest.remove();
      }
    }
    return result;
  }

  /** The selector as given. */
  public String selector() {
    return selector;
  }

  /** The size of the compiled template in units of pattern; 0 for a selector that is not a template. */
  public int compiledSize() {
    return compiledSize;
  }

  /** What this selector holds on the heap, estimated in bytes. */
  public long weight() {
    long text = 64 + 2L * selector.length();
    return compiledSize == 0 ? text : text + PATTERN_BYTES + (long) BYTES_PER_UNIT * compiledSize;
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

  /** The bytes the cache holds now, by the selectors' weights. */
  static long cachedBytes() {
    synchronized (CACHE) {
      return cachedBytes;
    }
  }

  /** A template as a pattern and its size in units. */
  record Compiled(String regex, int size) {
  }

  /**
   * The template as a pattern; null when it is not a valid template.
   *
   * @throws InvalidInputException for a valid template over {@value #MAX_EXPRESSIONS} expressions or
   *     {@value #MAX_COMPILED_SIZE} units
   */
  static Compiled compile(String template) {
    StringBuilder regex = new StringBuilder();
    long size = 0;
    int expressions = 0;
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        String literal = Pattern.quote(template.substring(i));
        regex.append(literal);
        size += literal.length();
        break;
      }
      if (open > i) {
        String literal = Pattern.quote(template.substring(i, open));
        regex.append(literal);
        size += literal.length();
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        return null;
      }
      Expression expression = expression(template.substring(open + 1, close));
      if (expression == null) {
        return null;
      }
      regex.append(expression.regex());
      size += expression.size();
      expressions++;
      i = close + 1;
    }
    if (expressions > MAX_EXPRESSIONS) {
      throw new InvalidInputException("topic", "topic selector " + InvalidInputException.quote(template)
          + " has " + expressions + " expressions (expected: at most " + MAX_EXPRESSIONS + ")");
    }
    if (size > MAX_COMPILED_SIZE) {
      throw new InvalidInputException("topic", "topic selector " + InvalidInputException.quote(template)
          + " is too complex: it compiles to " + size + " units (expected: at most " + MAX_COMPILED_SIZE
          + "; fewer variables per expression, or shorter names)");
    }
    return new Compiled(regex.toString(), (int) size);
  }

  /** One expression as a pattern, and its size with each bounded repetition counted as often as it repeats. */
  private record Expression(String regex, long size) {
  }

  /** The pattern of one expression ({@code op var1,var2:3,var3*}), or null if it is not valid. */
  private static Expression expression(String body) {
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
    String regex = "(?:" + Pattern.quote(prefix) + one + "(?:" + Pattern.quote(separator) + one + ")" + more + ")?";
    long repeated = (long) (one.length() + separator.length() + 8) * (anyExplode ? 1 : specs.length - 1);
    return new Expression(regex, regex.length() + repeated);
  }

  @Override
  public String toString() {
    return selector;
  }
}
