package io.ssehub.redis.internal;

/**
 * Writes JSON strings byte for byte as Python's {@code json.dumps} does with its defaults ({@code
 * ensure_ascii=True}): {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}, {@code \b},
 * {@code \f}, and every other character outside printable ASCII (U+0020 to U+007E) as a lowercase
 * {@code \}{@code uXXXX} escape, astral characters as their surrogate pair.
 *
 * <p>Why copy Python's formatting rather than write compact UTF-8 JSON: flask-sse apps and ssehub
 * share Redis channels, and matching the bytes flask-sse's {@code publish} sends means a tool that
 * compares or logs messages sees one format, whichever side published. The output is pure ASCII.
 */
final class PythonJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private PythonJson() {}

  /** Appends {@code value} as a quoted JSON string. */
  static StringBuilder appendString(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c >= 0x20 && c <= 0x7e) {
            out.append(c);
          } else {
            out.append("\\u")
                .append(HEX[c >> 12 & 0xf])
                .append(HEX[c >> 8 & 0xf])
                .append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
          }
        }
      }
    }
    return out.append('"');
  }
}
