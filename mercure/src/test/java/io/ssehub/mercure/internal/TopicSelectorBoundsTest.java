package io.ssehub.mercure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ssehub.core.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Selectors from hostile clients: matching in time linear in the topic, bounded selectors, a cache
 * bounded in bytes.
 */
class TopicSelectorBoundsTest {
  private static final String BACKTRACKER = "{+v0}{+v1}{+v2}{+v3}{+v4}{+v5}{+v6}{+v7}{+v8}!";

  @Test
  void templatesThatWouldBacktrackMatchInLinearTime() {
    String topic = "https://example.com/books/" + "a".repeat(10_000);
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          for (int i = 0; i < 10; i++) {
            assertThat(TopicSelector.of(BACKTRACKER).matches(topic)).isFalse();
          }
          assertThat(TopicSelector.of(BACKTRACKER).matches(topic + "!")).isTrue();
        });
  }

  @Test
  void aTopicOf200KilobytesMatchesWithoutRecursingPerCharacter() {
    String topic = "https://example.com/" + "a/".repeat(100_000);
    assertThat(TopicSelector.of("https://example.com/{+path}").matches(topic)).isTrue();
    assertThat(TopicSelector.of("https://example.com/{id}").matches(topic)).isFalse();
    assertThat(
            TopicSelector.of("https://example.com{/segments*}")
                .matches(topic.substring(0, topic.length() - 1)))
        .isTrue();
    assertThat(TopicSelector.of(BACKTRACKER).matches(topic)).isFalse();
  }

  @Test
  void aSelectorOverTheLengthIsRefusedNamingItsSize() {
    String selector = "https://example.com/" + "x".repeat(TopicSelector.MAX_LENGTH);
    assertThatThrownBy(() -> TopicSelector.of(selector))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("topic"))
        .hasMessageContaining("topic selector of " + selector.length() + " characters")
        .hasMessageContaining("at most " + TopicSelector.MAX_LENGTH);
    assertThat(
            TopicSelector.of("x".repeat(TopicSelector.MAX_LENGTH))
                .matches("x".repeat(TopicSelector.MAX_LENGTH)))
        .isTrue();
  }

  @Test
  void aTemplateOverTheExpressionsIsRefused() {
    assertThatThrownBy(() -> TopicSelector.of("{a}".repeat(TopicSelector.MAX_EXPRESSIONS + 1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has " + (TopicSelector.MAX_EXPRESSIONS + 1) + " expressions")
        .hasMessageContaining("at most " + TopicSelector.MAX_EXPRESSIONS);
    assertThat(TopicSelector.of("{a}".repeat(TopicSelector.MAX_EXPRESSIONS)).matches("x,y"))
        .isTrue();
    assertThat(TopicSelector.of("{a".repeat(1000)).matches("{a".repeat(1000)))
        .as("not a template: exact")
        .isTrue();
  }

  @Test
  void aTemplateThatCompilesTooLargeIsRefused() {
    String names = String.join(",", java.util.Collections.nCopies(40, "n".repeat(60)));
    assertThatThrownBy(() -> TopicSelector.of("https://example.com/{?" + names + "}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("too complex")
        .hasMessageContaining("at most " + TopicSelector.MAX_COMPILED_SIZE);
  }

  @Test
  void theCacheIsBoundedInBytesNotOnlyInCount() {
    String heavy = "https://example.com/{?" + "abcdefgh,".repeat(12) + "z}";
    TopicSelector one = TopicSelector.of(heavy + "/0");
    assertThat(one.weight()).isGreaterThan(100_000);
    long count = TopicSelector.CACHE_BYTES / one.weight() * 3;
    for (int i = 1; i <= count; i++) {
      TopicSelector.of(heavy + "/" + i);
      assertThat(TopicSelector.cachedBytes()).isLessThanOrEqualTo(TopicSelector.CACHE_BYTES);
    }
    assertThat(TopicSelector.cachedBytes()).isGreaterThan(TopicSelector.CACHE_BYTES / 2);
  }
}
