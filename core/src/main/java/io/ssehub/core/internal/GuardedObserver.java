package io.ssehub.core.internal;

import io.ssehub.core.HubObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's observer behind a guard: an observer that throws is logged (its first failure with the
 * stack trace, later ones at debug) and ignored, so that metrics can never break streaming.
 */
final class GuardedObserver implements HubObserver {
  private static final Logger log = LoggerFactory.getLogger(GuardedObserver.class);

  private final HubObserver observer;
  private final AtomicBoolean failedBefore = new AtomicBoolean();

  private GuardedObserver(HubObserver observer) {
    this.observer = observer;
  }

  static HubObserver of(HubObserver observer) {
    return observer == HubObserver.NONE || observer instanceof GuardedObserver
        ? observer
        : new GuardedObserver(observer);
  }

  private void failed(String callback, RuntimeException e) {
    if (failedBefore.compareAndSet(false, true)) {
      log.warn(
          "Hub observer {} failed in {}; ignored (later failures are logged at debug)",
          observer,
          callback,
          e);
    } else {
      log.debug("Hub observer {} failed in {}: {}", observer, callback, e.toString());
    }
  }

  @Override
  public void streamOpened(List<String> channels) {
    try {
      observer.streamOpened(channels);
    } catch (RuntimeException e) {
      failed("streamOpened", e);
    }
  }

  @Override
  public void streamClosed(CloseReason reason) {
    try {
      observer.streamClosed(reason);
    } catch (RuntimeException e) {
      failed("streamClosed", e);
    }
  }

  @Override
  public void eventPublished(String channel) {
    try {
      observer.eventPublished(channel);
    } catch (RuntimeException e) {
      failed("eventPublished", e);
    }
  }

  @Override
  public void eventDelivered(String channel, int streams, long fanOutNanos) {
    try {
      observer.eventDelivered(channel, streams, fanOutNanos);
    } catch (RuntimeException e) {
      failed("eventDelivered", e);
    }
  }

  @Override
  public void brokerConnectionChanged(boolean connected) {
    try {
      observer.brokerConnectionChanged(connected);
    } catch (RuntimeException e) {
      failed("brokerConnectionChanged", e);
    }
  }

  @Override
  public void historyReplayed(int events) {
    try {
      observer.historyReplayed(events);
    } catch (RuntimeException e) {
      failed("historyReplayed", e);
    }
  }
}
