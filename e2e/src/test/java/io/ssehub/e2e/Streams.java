package io.ssehub.e2e;

import io.ssehub.testkit.SseClient;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Waits on streams, polling often: tests open hundreds, and a 100 ms first poll each adds up. */
final class Streams {
  private Streams() {}

  /**
   * Waits until the hub has started the stream: its position line ({@code id:} alone) arrived, so
   * the node is subscribed to the channel and an event published from now on reaches it.
   */
  static void awaitStarted(SseClient client) {
    Awaitility.await("stream " + client.uri() + " started")
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(30))
        .until(() -> !client.idOnlyUpdates().isEmpty());
  }

  /**
   * Waits until the hub has started a Mercure stream: its first comment arrived, which the hub
   * writes once the node is subscribed (a Mercure stream has no position line).
   */
  static void awaitMercureStarted(SseClient client) {
    Awaitility.await("Mercure stream " + client.uri() + " started")
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(30))
        .until(() -> !client.comments().isEmpty());
  }
}
