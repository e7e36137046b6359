package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A flood of bad messages costs a counter, not a log line each: time is advanced by hand. */
class MalformedMessageLogTest {
  private final List<String> lines = new ArrayList<>();
  private long now = 1_000_000;
  private final MalformedMessageLog log =
      new MalformedMessageLog(lines::add, () -> now, Duration.ofSeconds(60));

  @AfterEach
  void noUnexpectedLines() {
    assertThat(lines).as("lines not checked by the test").isEmpty();
  }

  private String takeLine() {
    assertThat(lines).hasSize(1);
    return lines.remove(0);
  }

  @Test
  void firstMalformedMessageOfAChannelLoggedWithItsReason() {
    log.skipped("logs", "not JSON");
    assertThat(takeLine()).contains("logs").contains("not JSON");
  }

  @Test
  void floodOnOneChannelLogsOnceWithinTheInterval() {
    log.skipped("logs", "not JSON");
    takeLine();
    for (int i = 0; i < 100_000; i++) {
      log.skipped("logs", "not JSON");
      now += 1000; // 100 ms in total
    }
    assertThat(lines).isEmpty();
    assertThat(log.total()).isEqualTo(100_001);
  }

  @Test
  void summaryAfterTheInterval() {
    log.skipped("logs", "first");
    takeLine();
    log.skipped("logs", "second");
    log.skipped("logs", "third");
    now += Duration.ofSeconds(60).toNanos();
    log.skipped("logs", "fourth");
    assertThat(takeLine())
        .contains("Skipped 3 more malformed messages on Redis channel logs")
        .contains("fourth");
    log.skipped("logs", "fifth");
    assertThat(lines).isEmpty();
  }

  @Test
  void eachChannelLogsItsFirst() {
    log.skipped("a", "x");
    log.skipped("b", "y");
    log.skipped("a", "x");
    assertThat(lines).hasSize(2);
    lines.clear();
  }

  @Test
  void forgottenChannelLogsAgain() {
    log.skipped("a", "x");
    takeLine();
    log.forget("a");
    log.skipped("a", "x");
    assertThat(takeLine()).contains("Skipping");
  }
}
