package io.ssehub.mercure.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A URI template (RFC 6570, any level) parsed into literal runs and expressions, with its size in
 * units: the length of the regular expression the selector compiler used to emit for it (a unit is
 * a character of pattern text, each bounded repetition counted as often as it repeats). The size
 * stays the measure of {@link TopicSelector#MAX_COMPILED_SIZE}, so the same selectors are refused;
 * it also bounds the automaton, which has at most about one node per unit.
 *
 * @param parts the literal runs ({@link Literal}) and expressions ({@link Expression}), in order
 * @param expressions how many expressions the template holds
 * @param units the template's size in units
 */
record UriTemplate(List<Part> parts, int expressions, long units) {
  /** The regular-expression metacharacters a literal escaped, one unit each (RE2's quoteMeta). */
  private static final String META = "\\.+*?()|[]{}^$";

  /**
   * The lengths of the pattern texts the units are measured on: unreserved, reserved,
   * percent-encoded.
   */
  private static final int UNRESERVED_UNITS = "A-Za-z0-9\\-._~".length();

  private static final int RESERVED_UNITS = ":/?#\\[\\]@!$&'()*+,;=".length();
  private static final int PCT_UNITS = "%[0-9A-Fa-f]{2}".length();

  /** A part of a template. */
  sealed interface Part permits Literal, Expression {}

  /** Characters that stand for themselves. */
  record Literal(String text) implements Part {}

  /**
   * One expression ({@code {op var1,var2:3,var3*}}): its operator's prefix and separator, whether
   * its items are named ({@code ;?&}), whether its values may hold reserved characters ({@code
   * +#}).
   */
  record Expression(
      String prefix,
      String separator,
      boolean named,
      boolean reservedAllowed,
      List<Variable> variables,
      boolean anyExplode,
      long units)
      implements Part {}

  /**
   * A variable of an expression; the length of a prefix modifier ({@code :n}) does not change what
   * matches.
   */
  record Variable(String name, boolean explode) {}

  /**
   * The template's parts, or null when it is not a valid template (an unclosed brace, a bad
   * expression).
   */
  static UriTemplate parse(String template) {
    List<Part> parts = new ArrayList<>();
    long units = 0;
    int expressions = 0;
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        parts.add(new Literal(template.substring(i)));
        units += quotedUnits(template.substring(i));
        break;
      }
      if (open > i) {
        parts.add(new Literal(template.substring(i, open)));
        units += quotedUnits(template.substring(i, open));
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        return null;
      }
      Expression expression = expression(template.substring(open + 1, close));
      if (expression == null) {
        return null;
      }
      parts.add(expression);
      units += expression.units();
      expressions++;
      i = close + 1;
    }
    return new UriTemplate(List.copyOf(parts), expressions, units);
  }

  /** One expression's body ({@code op var1,var2:3,var3*}), or null if it is not valid. */
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
    String[] specs = list.split(",", -1);
    List<Variable> variables = new ArrayList<>(specs.length);
    boolean anyExplode = false;
    // The units of the pattern (?:[chars]|%[0-9A-Fa-f]{2})* of a value, and of the items between |
    // in (?:...).
    long value =
        4 + UNRESERVED_UNITS + (reservedAllowed ? RESERVED_UNITS : 1) + 2 + PCT_UNITS + 1 + 1;
    long items = specs.length - 1;
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
      if (!isVarname(name)) {
        return null;
      }
      variables.add(new Variable(name, explode));
      if (named) {
        long key = explode ? 4 + UNRESERVED_UNITS + 2 + PCT_UNITS + 2 : quotedUnits(name);
        items += key + 4 + value + 2;
      } else {
        items += value;
      }
    }
    long one = 3 + items + 1;
    long more = anyExplode ? 1 : 4 + String.valueOf(specs.length - 1).length();
    long regex = 3 + quotedUnits(prefix) + one + 3 + quotedUnits(separator) + one + 1 + more + 2;
    long repeated = (one + separator.length() + 8) * (anyExplode ? 1 : specs.length - 1);
    return new Expression(
        prefix,
        separator,
        named,
        reservedAllowed,
        List.copyOf(variables),
        anyExplode,
        regex + repeated);
  }

  /**
   * Whether a variable name is valid: letters, digits, _ and percent-encoded octets, single dots
   * between them.
   */
  private static boolean isVarname(String name) {
    boolean afterDot = true;
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c == '.') {
        if (afterDot) {
          return false;
        }
        afterDot = true;
        i++;
        continue;
      }
      if (c == '%') {
        if (i + 2 >= name.length() || !isHex(name.charAt(i + 1)) || !isHex(name.charAt(i + 2))) {
          return false;
        }
        i += 3;
      } else if (c == '_'
          || (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')) {
        i++;
      } else {
        return false;
      }
      afterDot = false;
    }
    return !afterDot;
  }

  static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  }

  /** The units of a literal: a character each, two for a metacharacter escaped. */
  private static long quotedUnits(String literal) {
    long units = literal.length();
    for (int i = 0; i < literal.length(); i++) {
      if (META.indexOf(literal.charAt(i)) >= 0) {
        units++;
      }
    }
    return units;
  }
}
