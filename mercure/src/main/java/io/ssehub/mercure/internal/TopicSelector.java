package io.ssehub.mercure.internal;

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
 * such as vertx-uri-template, only expand), hence this small compiler: {@link UriTemplate} parses,
 * {@link TemplateAutomaton} matches with an automaton of its own, in time linear in the topic and
 * without recursing per character: selectors come from anonymous clients, and a backtracking engine
 * lets one selector stall the node (RE2/J is linear too, but slower per character by an order of
 * magnitude; it stays as the tests' oracle).
 *
 * <p>Bounds, each refused with an {@link InvalidInputException} on field {@code topic}: a selector
 * holds at most {@value #MAX_LENGTH} characters, a template at most {@value #MAX_EXPRESSIONS}
 * expressions (matching costs time per character in proportion to them) and compiles to at most
 * {@value #MAX_COMPILED_SIZE} units of pattern (a unit is about a character of the regular
 * expression the template stands for, with each bounded repetition counted as often as it repeats;
 * the automaton has at most about a node per unit). Compiled templates are cached, least recently
 * used out, bounded by {@value #CACHE_SIZE} entries and by {@value #CACHE_BYTES} bytes of their
 * {@link #weight()}: a count alone lets a few large selectors fill the heap.
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

  private static final Map<String, TopicSelector> CACHE = new LinkedHashMap<>(256, 0.75f, true);
  private static long cachedBytes;

  private final String selector;
  private final TemplateAutomaton template;
  private final int compiledSize;

  private TopicSelector(String selector, TemplateAutomaton template, int compiledSize) {
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
      throw new InvalidInputException(
          "topic",
          "topic selector of "
              + selector.length()
              + " characters (expected: at most "
              + MAX_LENGTH
              + ")");
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
    UriTemplate template = UriTemplate.parse(selector);
    if (template != null) {
      checkBounds(selector, template);
    }
    TopicSelector result =
        template == null
            ? new TopicSelector(selector, null, 0)
            : new TopicSelector(selector, new TemplateAutomaton(template), (int) template.units());
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

  /**
   * The size of the compiled template in units of pattern; 0 for a selector that is not a template.
   */
  public int compiledSize() {
    return compiledSize;
  }

  /**
   * What this selector holds on the heap, estimated in bytes: its text, and its automaton at the
   * most it may grow to (its NFA's arrays, and its DFA's table and state sets once at their
   * bounds).
   */
  public long weight() {
    long text = 64 + 2L * selector.length();
    return template == null ? text : text + template.bytes();
  }

  public boolean matches(String topic) {
    if ("*".equals(selector) || selector.equals(topic)) {
      return true;
    }
    return template != null && template.matches(topic);
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

  /**
   * @throws InvalidInputException for a template over {@value #MAX_EXPRESSIONS} expressions or
   *     {@value #MAX_COMPILED_SIZE} units
   */
  private static void checkBounds(String selector, UriTemplate template) {
    if (template.expressions() > MAX_EXPRESSIONS) {
      throw new InvalidInputException(
          "topic",
          "topic selector "
              + InvalidInputException.quote(selector)
              + " has "
              + template.expressions()
              + " expressions (expected: at most "
              + MAX_EXPRESSIONS
              + ")");
    }
    if (template.units() > MAX_COMPILED_SIZE) {
      throw new InvalidInputException(
          "topic",
          "topic selector "
              + InvalidInputException.quote(selector)
              + " is too complex: it compiles to "
              + template.units()
              + " units (expected: at most "
              + MAX_COMPILED_SIZE
              + "; fewer variables per expression, or shorter names)");
    }
  }

  @Override
  public String toString() {
    return selector;
  }
}
