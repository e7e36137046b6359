package io.ssehub.mercure.internal;

import com.google.re2j.Pattern;
import io.ssehub.core.InvalidInputException;
import java.util.function.Predicate;

/**
 * The oracle of the selector matcher: the compiler from templates to RE2/J regular expressions that
 * {@link TopicSelector} used before its automaton, kept verbatim, and its matching of a selector.
 */
public final class TopicSelectorOracle {
  private static final String UNRESERVED = "A-Za-z0-9\\-._~";
  private static final String RESERVED = ":/?#\\[\\]@!$&'()*+,;=";
  private static final String PCT = "%[0-9A-Fa-f]{2}";
  private static final Pattern VARNAME =
      Pattern.compile("(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*");

  private TopicSelectorOracle() {}

  /**
   * Whether {@code selector} matches {@code topic} as the regular expression would.
   *
   * @throws InvalidInputException for a template over the bounds
   */
  public static boolean matches(String selector, String topic) {
    return matcher(selector).test(topic);
  }

  /**
   * The topics {@code selector} matches, as the regular expression would.
   *
   * @throws InvalidInputException for a template over the bounds
   */
  public static Predicate<String> matcher(String selector) {
    Compiled compiled = selector.indexOf('{') < 0 ? null : compile(selector);
    Pattern pattern = compiled == null ? null : Pattern.compile(compiled.regex());
    return topic ->
        "*".equals(selector)
            || selector.equals(topic)
            || (pattern != null && pattern.matcher(topic).matches());
  }

  /** A template as a pattern and its size in units. */
  public record Compiled(String regex, int size) {}

  /**
   * The template as a pattern; null when it is not a valid template.
   *
   * @throws InvalidInputException for a valid template over {@value TopicSelector#MAX_EXPRESSIONS}
   *     expressions or {@value TopicSelector#MAX_COMPILED_SIZE} units
   */
  public static Compiled compile(String template) {
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
    if (expressions > TopicSelector.MAX_EXPRESSIONS) {
      throw new InvalidInputException(
          "topic",
          "topic selector "
              + InvalidInputException.quote(template)
              + " has "
              + expressions
              + " expressions (expected: at most "
              + TopicSelector.MAX_EXPRESSIONS
              + ")");
    }
    if (size > TopicSelector.MAX_COMPILED_SIZE) {
      throw new InvalidInputException(
          "topic",
          "topic selector "
              + InvalidInputException.quote(template)
              + " is too complex: it compiles to "
              + size
              + " units (expected: at most "
              + TopicSelector.MAX_COMPILED_SIZE
              + "; fewer variables per expression, or shorter names)");
    }
    return new Compiled(regex.toString(), (int) size);
  }

  /**
   * One expression as a pattern, and its size with each bounded repetition counted as often as it
   * repeats.
   */
  private record Expression(String regex, long size) {}

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
      case '+' -> {
        prefix = "";
        separator = ",";
        named = false;
        reservedAllowed = true;
      }
      case '#' -> {
        prefix = "#";
        separator = ",";
        named = false;
        reservedAllowed = true;
      }
      case '.' -> {
        prefix = ".";
        separator = ".";
        named = false;
      }
      case '/' -> {
        prefix = "/";
        separator = "/";
        named = false;
      }
      case ';' -> {
        prefix = ";";
        separator = ";";
        named = true;
      }
      case '?' -> {
        prefix = "?";
        separator = "&";
        named = true;
      }
      case '&' -> {
        prefix = "&";
        separator = "&";
        named = true;
      }
      default -> {
        prefix = "";
        separator = ",";
        named = false;
      }
    }
    String list = "+#./;?&".indexOf(op) >= 0 ? body.substring(1) : body;
    if (list.isEmpty()) {
      return null;
    }
    // A value's characters: unreserved and percent-encoded; reserved too for + and #; the comma of
    // lists.
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
          if (length.isEmpty()
              || length.length() > 4
              || !length.chars().allMatch(Character::isDigit)
              || length.startsWith("0")) {
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
    String regex =
        "(?:"
            + Pattern.quote(prefix)
            + one
            + "(?:"
            + Pattern.quote(separator)
            + one
            + ")"
            + more
            + ")?";
    long repeated =
        (long) (one.length() + separator.length() + 8) * (anyExplode ? 1 : specs.length - 1);
    return new Expression(regex, regex.length() + repeated);
  }
}
