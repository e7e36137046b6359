package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseEventTest {

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\r\nb", "a\0b", "\n", "evil\n\ndata: injected"})
  void typeWithLineBreakOrNulIsRefusedToPreventInjection(String type) {
    assertThatThrownBy(() -> SseEvent.builder().type(type).data("x").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("type: must not contain CR, LF or NUL")
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo("type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\0b"})
  void idWithLineBreakOrNulIsRefused(String id) {
    assertThatThrownBy(() -> SseEvent.builder().id(id).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("id: must not contain CR, LF or NUL");
  }

  @Test
  void errorMessageQuotesTheValueWithControlCharactersEscaped() {
    assertThatThrownBy(() -> SseEvent.builder().id("ab\r\ncd").build())
        .hasMessage("id: must not contain CR, LF or NUL (got \"ab\\r\\ncd\")");
  }

  @Test
  void emptyIdIsRefusedBecauseItWouldResetTheClientsLastEventId() {
    assertThatThrownBy(() -> SseEvent.builder().id("").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("id: must not be empty");
  }

  @Test
  void negativeRetryIsRefused() {
    assertThatThrownBy(() -> SseEvent.builder().retry(-1L).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("retry: must be a non-negative integer (got -1)");
  }

  @Test
  void defaultsAreEmptyDataAndNoTypeIdOrRetry() {
    SseEvent event = SseEvent.builder().build();
    assertThat(event.data()).isEmpty();
    assertThat(event.type()).isNull();
    assertThat(event.id()).isNull();
    assertThat(event.retry()).isNull();
    assertThat(SseEvent.builder().type("").build().type()).as("empty type means message").isNull();
  }

  @Test
  void withIdKeepsTheOtherFields() {
    SseEvent event = SseEvent.builder().type("t").data("d").retry(5L).build().withId("7");
    assertThat(event).isEqualTo(SseEvent.builder().type("t").data("d").retry(5L).id("7").build());
    assertThat(event.toBuilder().build()).isEqualTo(event);
  }
}
