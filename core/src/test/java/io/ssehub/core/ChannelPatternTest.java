package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelPatternTest {

  @ParameterizedTest
  @CsvSource({
    "news, news, true",
    "news, news2, false",
    "news, new, false",
    "*, anything, true",
    "user.u1.*, user.u1.inbox, true",
    "user.u1.*, user.u1., true",
    "user.u1.*, user.u2.inbox, false",
    "user.u1.*, user.u1, false",
    "*.admin, room.admin, true",
    "*.admin, room.admins, false",
    "a*b*c, abc, true",
    "a*b*c, a-b-b-c, true",
    "a*b*c, acb, false",
    "a*a, a, false",
    "a*a, aa, true",
    "**, x, true",
  })
  void starMatchesAnyRun(String pattern, String channel, boolean matches) {
    assertThat(ChannelPattern.of(pattern).matches(channel)).isEqualTo(matches);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "a,*", "..*\n", "caf\u00e9*", "x=*"})
  void refusesWhatIsNotAChannelNameWithWildcards(String pattern) {
    assertThatThrownBy(() -> ChannelPattern.of(pattern))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("pattern: ");
  }

  @Test
  void refusesEmptyAndTooLong() {
    assertThatThrownBy(() -> ChannelPattern.of("")).hasMessage("pattern: must not be empty");
    assertThatThrownBy(() -> ChannelPattern.of("*".repeat(201)))
        .hasMessageContaining("at most 200");
  }
}
