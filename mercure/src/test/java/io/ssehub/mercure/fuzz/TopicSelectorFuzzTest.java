package io.ssehub.mercure.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ssehub.core.InvalidInputException;
import io.ssehub.mercure.internal.TopicSelector;
import io.ssehub.mercure.internal.TopicSelectorOracle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the selector compiler and matcher: any selector compiles or is refused with an {@link
 * InvalidInputException} on field {@code topic} (a 400), and any topic matches or not in bounded
 * time, as the oracle (RE2/J running the regular expression the template stands for) says. A seed
 * input ({@code slow-nfa-fallback}) is a 1,680-character topic that once took 74 ms while fuzzing.
 */
class TopicSelectorFuzzTest {
  static final AtomicLong INPUTS = new AtomicLong();

  /**
   * What a match may take: linear in the topic, generously, since the fuzzer's coverage hooks slow
   * the matcher several times and the DFA's fallback steps the NFA set by set (tens of µs a
   * character at the largest templates allowed). Backtracking would take seconds, or for ever.
   */
  static long maxMatchNanos(String topic) {
    return TimeUnit.MILLISECONDS.toNanos(50) + TimeUnit.MICROSECONDS.toNanos(100) * topic.length();
  }

  @FuzzTest(maxDuration = "30s")
  void compileAndMatch(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    String selector = data.consumeString(TopicSelector.MAX_LENGTH + 16);
    int repeat = data.consumeInt(1, 64);
    String topic = data.consumeRemainingAsString().repeat(repeat);
    TopicSelector compiled;
    try {
      compiled = TopicSelector.of(selector);
    } catch (InvalidInputException refused) {
      assertThat(refused.field()).isEqualTo("topic");
      return;
    }
    long started = System.nanoTime();
    boolean matches = compiled.matches(topic);
    long took = System.nanoTime() - started;
    if (took >= maxMatchNanos(topic)) {
      // Once more: a pause (a collection, a busy machine) does not repeat, a slow match does.
      started = System.nanoTime();
      compiled.matches(topic);
      took = System.nanoTime() - started;
    }
    assertThat(matches)
        .as("%s matches %s as the oracle does", selector, topic)
        .isEqualTo(TopicSelectorOracle.matches(selector, topic));
    assertThat(took)
        .as("matching a topic of %d characters against %s", topic.length(), selector)
        .isLessThan(maxMatchNanos(topic));
    assertThat(compiled.matches(selector)).as("a selector matches itself").isTrue();
  }

  @AfterAll
  static void count() {
    System.out.println("[fuzz] TopicSelector.of + matches: " + INPUTS.get() + " inputs executed");
  }
}
