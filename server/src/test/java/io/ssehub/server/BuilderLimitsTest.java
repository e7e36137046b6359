package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server builder refuses limits and sizes that mean nothing, naming the setting. */
class BuilderLimitsTest {
  @Test
  void negativeFanOutDelayIsRefused() {
    assertThatThrownBy(() -> SseHubServer.builder().maxFanOutDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFanOutDelay: PT-0.001S (expected: >= 0, 0 for no limit)");
  }

  @Test
  void missingFanOutDelayIsRefused() {
    assertThatThrownBy(() -> SseHubServer.builder().maxFanOutDelay(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxFanOutDelay");
  }

  @Test
  void negativeIoThreadsAreRefused() {
    assertThatThrownBy(() -> SseHubServer.builder().ioThreads(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ioThreads: -1 (expected: >= 0, 0 for two per core)");
  }

  @Test
  void negativeFanOutBacklogIsRefused() {
    assertThatThrownBy(() -> SseHubServer.builder().maxFanOutBacklog(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFanOutBacklog: -1 (expected: >= 0)");
  }
}
