package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durationsWithUnits() {
    assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.parseDuration("15s")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Units.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Units.parseDuration("15S")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Units.parseDuration("0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void durationsInIso8601() {
    assertThat(Units.parseDuration("PT15S")).isEqualTo(Duration.ofSeconds(15));
    assertThat(Units.parseDuration("pt0.5s")).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void badDurationsNameTheValueAndTheForms() {
    for (String bad : new String[] {"", "15", "s", "1.5s", "-1s", "15 parsecs", "P", "PTXS"}) {
      assertThatThrownBy(() -> Units.parseDuration(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'")
          .hasMessageContaining("500ms, 15s");
    }
  }

  @Test
  void sizes() {
    assertThat(Units.parseSize("1048576")).isEqualTo(1048576);
    assertThat(Units.parseSize("64k")).isEqualTo(65536);
    assertThat(Units.parseSize("64KiB")).isEqualTo(65536);
    assertThat(Units.parseSize("4MiB")).isEqualTo(4L << 20);
    assertThat(Units.parseSize("1m")).isEqualTo(1L << 20);
    assertThat(Units.parseSize("2G")).isEqualTo(2L << 30);
    assertThat(Units.parseSize("12b")).isEqualTo(12);
  }

  @Test
  void badSizesNameTheValue() {
    for (String bad : new String[] {"", "k", "1.5m", "-1", "lots", "1 TB"}) {
      assertThatThrownBy(() -> Units.parseSize(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void formatWritesTheShortestUnit() {
    assertThat(Units.format(Duration.ofSeconds(15))).isEqualTo("15s");
    assertThat(Units.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Units.format(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Units.format(Duration.ZERO)).isEqualTo("0");
  }
}
