package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"sse", "logs", "user.u1.inbox", "a-b_c", "ns:room/42", "x@y", "a~b+c", "Z9"})
  void acceptsLettersDigitsAndSafePunctuation(String name) {
    assertThat(ChannelNames.validate(name)).isEqualTo(name);
    assertThat(ChannelNames.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a b",
        "a*",
        "a,b",
        "a=b",
        "a\nb",
        "a\0b",
        "caf\u00e9",
        "{tag}",
        "a%20",
        "a?b",
        "a#b"
      })
  void refusesEverythingElseNamingThePosition(String name) {
    assertThat(ChannelNames.isValid(name)).isFalse();
    assertThatThrownBy(() -> ChannelNames.validate(name))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("channel: ")
        .hasMessageContaining("has a character not allowed at position");
  }

  @Test
  void refusesEmptyAndNull() {
    assertThatThrownBy(() -> ChannelNames.validate("")).hasMessage("channel: must not be empty");
    assertThatThrownBy(() -> ChannelNames.validate(null)).hasMessage("channel: must not be empty");
  }

  @Test
  void refusesNamesLongerThanTheLimit() {
    String longest = "a".repeat(ChannelNames.MAX_LENGTH);
    assertThat(ChannelNames.isValid(longest)).isTrue();
    assertThatThrownBy(() -> ChannelNames.validate(longest + "a"))
        .hasMessage("channel: is 201 characters long (expected: at most 200)");
  }

  @Test
  void quotesHostileNamesShortenedAndEscaped() {
    assertThatThrownBy(() -> ChannelNames.validate("x\r\n" + "y".repeat(100)))
        .hasMessageContaining("\"x\\r\\n")
        .hasMessageContaining("(103 chars)");
  }
}
