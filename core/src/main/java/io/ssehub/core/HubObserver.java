package io.ssehub.core;

import java.util.List;

/**
 * Watches what a hub does, for metrics: set one with {@link SseHub.Builder#observer}. Core knows no
 * metrics library; {@code ssehub-metrics} binds this to Micrometer.
 *
 * <p>Contract: callbacks come from any thread (a transport's I/O thread, the broker's, the
 * keepalive timer), sometimes while the hub holds a stream's or a channel's lock, so they must be
 * cheap and must not block or call back into the hub. The hub calls them once per fan-out, not once
 * per stream. An observer that throws is logged and ignored: it can never break the hub.
 */
public interface HubObserver {
  /** Observes nothing: the default. */
  HubObserver NONE = new HubObserver() {};

  /** Why a stream ended, or never started. */
  enum CloseReason {
    /** The client went away (the transport closed its subscription). */
    CLIENT_GONE,
    /** The client did not read fast enough and was cut (it resumes by id). */
    SLOW_CONSUMER,
    /** The authorizer refused it: never opened. */
    REFUSED,
    /** A limit refused it (too many channels for one stream): never opened. */
    LIMIT,
    /** The hub shut down, or the hub refused it while shutting down. */
    SHUTDOWN,
    /** Its start failed: the broker could not subscribe or read history. */
    START_FAILED,
    /** A write to it failed, or its channel could not catch up after a broker outage. */
    FAILED;
  }

  /** A stream opened on these channels (its {@code retry:} line is queued). */
  default void streamOpened(List<String> channels) {}

  /**
   * A stream ended, once per stream; or a stream was refused before it opened ({@link
   * CloseReason#REFUSED}, {@link CloseReason#LIMIT}, {@link CloseReason#SHUTDOWN}), then without a
   * matching {@link #streamOpened}.
   */
  default void streamClosed(CloseReason reason) {}

  /** The broker stored an event published through this hub (this node's publishes only). */
  default void eventPublished(String channel) {}

  /**
   * One fan-out: an event of {@code channel} was handed to {@code streams} local streams, which
   * took {@code fanOutNanos} from the broker handing it to the hub to the last stream having it
   * queued. Called once per event and node, not once per stream.
   */
  default void eventDelivered(String channel, int streams, long fanOutNanos) {}

  /** The broker lost ({@code false}) or regained ({@code true}) its connection. */
  default void brokerConnectionChanged(boolean connected) {}

  /** A resuming stream got {@code events} events from history before going live (0 included). */
  default void historyReplayed(int events) {}
}
