package io.ssehub.core.internal;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task the hub runs on its scheduler again and again, guarded: whatever it throws (an {@link
 * OutOfMemoryError} included) is logged and the next run comes as planned, since a {@code
 * ScheduledExecutorService} never runs a task again once it has thrown. It remembers its last
 * successful run, so that readiness can tell a task that keeps failing, or a scheduler that no
 * longer gets to it, from one that works.
 */
final class PeriodicTask implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  /** However short the interval, a task is late only after this long: a GC pause is not a stall. */
  static final long MIN_STALL_MILLIS = 2000;

  private final String name;
  private final Runnable body;
  private final long stallNanos;
  private volatile long lastSuccessNanos = System.nanoTime();

  /**
   * Whether the last run failed: only the first failure of a series is logged with its stack trace.
   */
  private volatile boolean failing;

  /**
   * {@code body} run every {@code intervalMillis}; stalled once three intervals (at least 2 s) pass
   * without a success.
   */
  PeriodicTask(String name, Runnable body, long intervalMillis) {
    this.name = name;
    this.body = body;
    this.stallNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_STALL_MILLIS, 3 * intervalMillis));
  }

  @Override
  public void run() {
    try {
      body.run();
    } catch (Throwable e) {
      if (!failing) {
        failing = true;
        log.warn(
            "Periodic task '{}' failed; it runs again as planned (later failures in a row are logged at debug)",
            name,
            e);
      } else {
        log.debug("Periodic task '{}' failed again: {}", name, e.toString());
      }
      return;
    }
    lastSuccessNanos = System.nanoTime();
    if (failing) {
      failing = false;
      log.info("Periodic task '{}' works again", name);
    }
  }

  /**
   * Whether the task succeeded recently enough: false while it keeps failing or does not run at
   * all.
   */
  boolean healthy() {
    return System.nanoTime() - lastSuccessNanos <= stallNanos;
  }

  String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
