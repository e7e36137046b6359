package io.ssehub.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every "ARCHITECTURE.md invariant N" that a comment or test cites resolves to a numbered invariant
 * of ARCHITECTURE.md, so that a renumbering or a typo fails the build rather than leaving a
 * citation that points nowhere.
 */
class InvariantCitationsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** Between the words of a citation: spaces, or a line break within a comment. */
  private static final String GAP = "(?:\\s|\\*|//)+";

  private static final Pattern CITATION =
      Pattern.compile(
          "ARCHITECTURE\\.md"
              + GAP
              + "invariants?"
              + GAP
              + "(\\d+(?:(?:,"
              + GAP
              + "|"
              + GAP
              + "and"
              + GAP
              + ")\\d+)*)");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  /**
   * How citations read before ARCHITECTURE.md existed; split here so that this file does not match
   * it.
   */
  private static final Pattern OLD_FORM = Pattern.compile("(?i)design" + " invariant");

  @Test
  void everyCitedInvariantIsDefined() throws IOException {
    Set<Integer> defined = definedInvariants();
    assertThat(defined).as("invariants defined in ARCHITECTURE.md").isNotEmpty();
    List<String> dangling = new ArrayList<>();
    int citations = 0;
    for (Path file : javaSources()) {
      String text = Files.readString(file);
      Matcher citation = CITATION.matcher(text);
      while (citation.find()) {
        Matcher number = NUMBER.matcher(citation.group(1));
        while (number.find()) {
          citations++;
          if (!defined.contains(Integer.parseInt(number.group()))) {
            dangling.add(ROOT.relativize(file) + ": invariant " + number.group());
          }
        }
      }
    }
    assertThat(citations)
        .as("citations found (the pattern still matches how the code cites)")
        .isGreaterThan(10);
    assertThat(dangling)
        .as("citations of invariants ARCHITECTURE.md does not define (it defines %s)", defined)
        .isEmpty();
  }

  @Test
  void noCitationUsesTheOldUnresolvableForm() throws IOException {
    List<String> old = new ArrayList<>();
    for (Path file : javaSources()) {
      if (OLD_FORM.matcher(Files.readString(file)).find()) {
        old.add(ROOT.relativize(file).toString());
      }
    }
    assertThat(old)
        .as("files citing invariants in the old form instead of \"ARCHITECTURE.md invariant N\"")
        .isEmpty();
  }

  /** The numbers of the "## Invariants" section's list: lines that start with "N. **". */
  private static Set<Integer> definedInvariants() throws IOException {
    String doc = Files.readString(ROOT.resolve("ARCHITECTURE.md"));
    int start = doc.indexOf("\n## Invariants");
    assertThat(start).as("ARCHITECTURE.md has an Invariants section").isGreaterThanOrEqualTo(0);
    int end = doc.indexOf("\n## ", start + 1);
    String section = doc.substring(start, end < 0 ? doc.length() : end);
    Set<Integer> numbers = new TreeSet<>();
    Matcher item = Pattern.compile("(?m)^(\\d+)\\. \\*\\*").matcher(section);
    while (item.find()) {
      numbers.add(Integer.parseInt(item.group(1)));
    }
    return numbers;
  }

  private static List<Path> javaSources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(path -> path.toString().endsWith(".java"))
          .filter(
              path -> !path.toString().contains("/target/") && !path.toString().contains("/.git/"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
