package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ssehub.core.Broker;
import io.ssehub.core.SseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a broker hands its hub, queued; every wait is bounded and fails with what it waited for. */
final class RecordingListener implements Broker.Listener {
  static final Duration WAIT = Duration.ofSeconds(10);

  record Received(String channel, SseEvent event) {}

  private final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<Boolean> connection = new LinkedBlockingQueue<>();
  private volatile String thread;
  private volatile boolean threadChanged;

  @Override
  public void onEvent(String channel, SseEvent event) {
    events.add(new Received(channel, event));
  }

  @Override
  public void onConnectionChanged(boolean connected) {
    connection.add(connected);
  }

  Received next() {
    try {
      Received received = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (received == null) {
        fail("Timed out waiting for an event (" + WAIT + ")");
      }
      return received;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  SseEvent next(String channel) {
    Received received = next();
    assertThat(received.channel()).isEqualTo(channel);
    return received.event();
  }

  List<Received> next(int count) {
    List<Received> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(next());
    }
    return all;
  }

  /** The next connection change, which must be {@code expected}. */
  void expectConnection(boolean expected) {
    try {
      Boolean changed = connection.poll(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
      if (changed == null) {
        fail("Timed out waiting for onConnectionChanged(" + expected + ")");
      }
      assertThat(changed).as("onConnectionChanged").isEqualTo(expected);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  void expectNoMoreEvents() {
    assertThat(events).as("events not expected by the test").isEmpty();
  }

  void expectNoConnectionChange() {
    assertThat(connection).as("connection changes not expected by the test").isEmpty();
  }

  void clearConnectionChanges() {
    connection.clear();
  }
}
