package io.ssehub.mercure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ssehub.core.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The automaton against its oracle, RE2/J running the regular expression the selector compiler used
 * to emit: generated templates (every operator, explode, prefixes, literals around, invalid ones)
 * and topics (expansions with random values, their mutations, random strings) match alike, and
 * templates measure the same units.
 */
class TemplateAutomatonDifferentialTest {
  private static final int TEMPLATES = 2_000;
  private static final int TOPICS_PER_TEMPLATE = 40;

  private static final String[] OPERATORS = {
    "", "", "+", "#", ".", "/", ";", "?", "&", "=", "!", "|"
  };
  private static final String[] NAMES = {"a", "id", "q", "lang", "x.y", "%41b", "_", "v0", "page"};
  private static final String[] BAD_NAMES = {"", "a b", ".a", "a.", "a..b", "%4", "é", "{a", "a}"};
  private static final String LITERAL_CHARS = "abz09/:.?&=,;#%+*()[]|^$\\-_~!@ {}é😀";
  private static final String VALUE_CHARS = "aZ09-._~:/?#[]@!$&'()*+,;=%é ";

  @Test
  void theAutomatonMatchesAsTheRegularExpression() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          Random random = new Random(20250625L);
          int compared = 0;
          int matched = 0;
          for (int t = 0; t < TEMPLATES; t++) {
            String template = template(random);
            TopicSelector selector;
            try {
              selector = TopicSelector.of(template);
            } catch (InvalidInputException refused) {
              String reason = refused.getMessage();
              assertThat(oracleRefuses(template))
                  .as("refused by both: %s (%s)", template, reason)
                  .isTrue();
              continue;
            }
            TopicSelectorOracle.Compiled oracle =
                template.indexOf('{') < 0 ? null : TopicSelectorOracle.compile(template);
            assertThat(selector.compiledSize())
                .as("units of %s", template)
                .isEqualTo(oracle == null ? 0 : oracle.size());
            UriTemplate parsed = UriTemplate.parse(template);
            TemplateAutomaton small =
                parsed == null ? null : new TemplateAutomaton(parsed, 3 + random.nextInt(3));
            Predicate<String> expectation = TopicSelectorOracle.matcher(template);
            for (String topic : topics(random, template)) {
              boolean expected = expectation.test(topic);
              assertThat(selector.matches(topic))
                  .as("%s matches %s", template, topic)
                  .isEqualTo(expected);
              if (small != null && !template.equals(topic)) {
                assertThat(small.matches(topic))
                    .as("%s with a DFA of a few states matches %s", template, topic)
                    .isEqualTo(expected);
              }
              compared++;
              matched += expected ? 1 : 0;
            }
          }
          assertThat(compared).isGreaterThan(TEMPLATES * TOPICS_PER_TEMPLATE / 2);
          assertThat(matched).as("a fair share of the topics match").isGreaterThan(compared / 10);
        });
  }

  @Test
  void aDfaOutOfRoomStepsTheNfaAndStillAgrees() {
    // Many variables of a query each open their own DFA states; long topics walk past the bound.
    String template = "https://example.com{+path}{?" + String.join(",", names(12)) + "}";
    TemplateAutomaton automaton =
        new TemplateAutomaton(UriTemplate.parse(template), TemplateAutomaton.MAX_DFA_STATES);
    Predicate<String> oracle = TopicSelectorOracle.matcher(template);
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      String topic = expand(random, template);
      if (random.nextBoolean()) {
        topic = mutate(random, topic);
      }
      assertThat(automaton.matches(topic)).as(topic).isEqualTo(oracle.test(topic));
    }
    assertThat(automaton.dfaStates())
        .as("the DFA filled up")
        .isEqualTo(TemplateAutomaton.MAX_DFA_STATES);
  }

  private static List<String> names(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("name" + i);
    }
    return names;
  }

  private static boolean oracleRefuses(String template) {
    try {
      TopicSelectorOracle.compile(template);
      return false;
    } catch (InvalidInputException refused) {
      return true;
    }
  }

  private static String template(Random random) {
    StringBuilder template = new StringBuilder();
    int parts = 1 + random.nextInt(5);
    for (int p = 0; p < parts; p++) {
      if (random.nextInt(3) == 0) {
        template.append(randomString(random, LITERAL_CHARS, 1 + random.nextInt(6)));
      }
      template.append(expression(random));
      if (random.nextInt(30) == 0) {
        template.setLength(template.length() - 1); // unclosed
      }
    }
    if (random.nextBoolean()) {
      template.append(randomString(random, LITERAL_CHARS, random.nextInt(4)));
    }
    return template.toString();
  }

  private static String expression(Random random) {
    StringBuilder expression = new StringBuilder("{");
    expression.append(OPERATORS[random.nextInt(OPERATORS.length)]);
    int variables = 1 + random.nextInt(random.nextInt(8) == 0 ? 12 : 4);
    for (int v = 0; v < variables; v++) {
      if (v > 0) {
        expression.append(',');
      }
      expression.append(
          random.nextInt(40) == 0
              ? BAD_NAMES[random.nextInt(BAD_NAMES.length)]
              : NAMES[random.nextInt(NAMES.length)]);
      switch (random.nextInt(8)) {
        case 0, 1 -> expression.append('*');
        case 2 -> expression.append(':').append(1 + random.nextInt(999));
        case 3 ->
            expression.append(
                random.nextInt(20) == 0
                    ? List.of(":0", ":01", ":12345", ":", ":x", ":3*").get(random.nextInt(6))
                    : "");
        default -> {}
      }
    }
    return expression.append('}').toString();
  }

  private static List<String> topics(Random random, String template) {
    List<String> topics = new ArrayList<>();
    topics.add(template);
    topics.add("");
    while (topics.size() < TOPICS_PER_TEMPLATE) {
      String topic = expand(random, template);
      switch (random.nextInt(6)) {
        case 0, 1 -> topic = mutate(random, topic);
        case 2 -> topic = randomString(random, LITERAL_CHARS + VALUE_CHARS, random.nextInt(30));
        default -> {}
      }
      topics.add(random.nextInt(4) == 0 ? mutate(random, topic) : topic);
    }
    return topics;
  }

  /**
   * The template with each expression expanded, more or less as RFC 6570 would, with random values.
   */
  private static String expand(Random random, String template) {
    StringBuilder topic = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      int close = open < 0 ? -1 : template.indexOf('}', open);
      if (open < 0 || close < 0) {
        topic.append(template, i, template.length());
        break;
      }
      topic.append(template, i, open);
      String body = template.substring(open + 1, close);
      char op = body.isEmpty() ? ' ' : body.charAt(0);
      String prefix =
          switch (op) {
            case '#', '.', '/', ';', '?', '&' -> String.valueOf(op);
            default -> "";
          };
      String separator =
          switch (op) {
            case '.', '/', ';' -> String.valueOf(op);
            case '?', '&' -> "&";
            default -> ",";
          };
      boolean named = op == ';' || op == '?' || op == '&';
      boolean reserved = op == '+' || op == '#';
      String list = "+#./;?&".indexOf(op) >= 0 ? body.substring(1) : body;
      List<String> items = new ArrayList<>();
      for (String spec : list.split(",", -1)) {
        if (random.nextInt(3) == 0) {
          continue; // undefined
        }
        boolean explode = spec.endsWith("*");
        String name = spec.replaceAll("[:*].*$", "");
        int count = explode ? random.nextInt(4) : 1;
        for (int k = 0; k < count; k++) {
          String value = value(random, reserved);
          if (named) {
            String key = explode ? value(random, false).replace(",", "") : name;
            items.add(value.isEmpty() && random.nextBoolean() ? key : key + "=" + value);
          } else {
            items.add(value);
          }
        }
      }
      if (!items.isEmpty()) {
        topic.append(prefix).append(String.join(separator, items));
      }
      i = close + 1;
    }
    return topic.toString();
  }

  private static String value(Random random, boolean reserved) {
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(6);
    for (int k = 0; k < length; k++) {
      switch (random.nextInt(6)) {
        case 0 ->
            value
                .append('%')
                .append("0aF".charAt(random.nextInt(3)))
                .append("9bZ".charAt(random.nextInt(3)));
        case 1 -> value.append(reserved ? ":/?#[]@!$&'()*+,;=".charAt(random.nextInt(18)) : ',');
        default -> value.append("aZ09-._~".charAt(random.nextInt(8)));
      }
    }
    return value.toString();
  }

  private static String mutate(Random random, String topic) {
    StringBuilder mutated = new StringBuilder(topic);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = mutated.length() == 0 ? 0 : random.nextInt(mutated.length());
      char c =
          (LITERAL_CHARS + VALUE_CHARS)
              .charAt(random.nextInt(LITERAL_CHARS.length() + VALUE_CHARS.length()));
      switch (random.nextInt(4)) {
        case 0 -> mutated.insert(at, c);
        case 1 -> {
          if (mutated.length() > 0) {
            mutated.deleteCharAt(at);
          }
        }
        case 2 -> {
          if (mutated.length() > 0) {
            mutated.setCharAt(at, c);
          }
        }
        default ->
            mutated.insert(
                at, mutated.substring(at, Math.min(mutated.length(), at + 1 + random.nextInt(8))));
      }
    }
    return mutated.toString();
  }

  private static String randomString(Random random, String alphabet, int length) {
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < length; k++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }
}
