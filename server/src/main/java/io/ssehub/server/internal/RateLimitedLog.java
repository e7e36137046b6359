package io.ssehub.server.internal;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs errors that clients can cause at will (malformed HTTP/2, protocol errors, a failing probe)
 * at most once per period and kind: one line, with the count of those left out since the last one,
 * the cause's text stripped of secrets ({@link Redaction}), and its stack trace only at DEBUG. So
 * that a flood of bad requests costs a few lines of log, not megabytes.
 *
 * <p>Thread-safe.
 */
final class RateLimitedLog {
  /**
   * Kinds tracked apart; past it every new kind shares one entry, so the map cannot grow without
   * end.
   */
  static final int MAX_KINDS = 256;

  private static final String OTHER = "other";

  private final Logger log;
  private final long periodNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private final LongSupplier clock;

  RateLimitedLog(Logger log, Duration period) {
    this(log, period, System::nanoTime);
  }

  /** With {@code clock} for the time, in nanoseconds; for tests. */
  RateLimitedLog(Logger log, Duration period, LongSupplier clock) {
    this.log = log;
    this.periodNanos = period.toNanos();
    this.clock = clock;
  }

  /**
   * Logs {@code message} and {@code cause} at WARN unless a line of this {@code kind} went out
   * within the period.
   */
  void warn(String kind, String message, Throwable cause) {
    String key = windows.size() >= MAX_KINDS && !windows.containsKey(kind) ? OTHER : kind;
    Window window = windows.computeIfAbsent(key, k -> new Window());
    long now = clock.getAsLong();
    long suppressed;
    synchronized (window) {
      if (window.loggedAt != 0 && now - window.loggedAt < periodNanos) {
        window.suppressed.incrementAndGet();
        return;
      }
      window.loggedAt = now;
      suppressed = window.suppressed.getAndSet(0);
    }
    String text =
        Redaction.strip(message)
            + ": "
            + Redaction.strip(String.valueOf(cause))
            + (suppressed > 0
                ? " ("
                    + suppressed
                    + " more like it in the last "
                    + periodNanos / 1_000_000_000L
                    + " s)"
                : "");
    if (log.isDebugEnabled()) {
      log.warn(text, Redaction.stripped(cause));
    } else {
      log.warn(text);
    }
  }

  /** Lines of this kind left out since its last one; for tests. */
  long suppressed(String kind) {
    Window window = windows.get(kind);
    return window == null ? 0 : window.suppressed.get();
  }

  private static final class Window {
    /** When the last line went out; 0: never. Guarded by the window. */
    long loggedAt;

    final AtomicLong suppressed = new AtomicLong();
  }
}
