package io.ssehub.server;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests and connections the server refused, counted per cause (ready to be read by a metrics
 * registry: {@link #count}, {@link #snapshot}). Each cause is logged at most once a minute, with
 * its count so far, never once per request: under abuse the log stays readable.
 *
 * <p>Thread-safe: counted from every event loop.
 */
public final class Refusals {
  private static final Logger log = LoggerFactory.getLogger(Refusals.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Why something was refused. */
  public enum Cause {
    /** {@code --max-connections} reached. */
    MAX_CONNECTIONS,
    /** {@code --max-connections-per-ip} reached for the client's address. */
    MAX_CONNECTIONS_PER_IP,
    /** No complete request within {@code --request-timeout} (slow or idle client). */
    REQUEST_TIMEOUT,
    /** A request line over {@code --max-url-bytes}: 414. */
    URL_TOO_LONG,
    /** Headers over {@code --max-header-bytes}: 431. */
    HEADERS_TOO_LARGE,
    /** A body over the publish limit: 413. */
    BODY_TOO_LARGE,
    /** No token, or one that does not hold, where one is needed: 401. */
    UNAUTHENTICATED,
    /** A token that does not grant the channel, or anonymous publishing from afar: 403. */
    FORBIDDEN,
    /**
     * A publish while more deliveries wait to be written than {@code --max-fanout-backlog}: 503.
     */
    FANOUT_BACKLOG;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Cause, LongAdder> counts = new EnumMap<>(Cause.class);
  private final Map<Cause, AtomicLong> nextLog = new EnumMap<>(Cause.class);
  private final LongSupplier nanoTime;

  /** Counters on the system's monotonic clock. */
  public Refusals() {
    this(System::nanoTime);
  }

  /** Counters on this clock (nanoseconds, monotonic): tests advance it. */
  Refusals(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    long now = nanoTime.getAsLong();
    for (Cause cause : Cause.values()) {
      counts.put(cause, new LongAdder());
      nextLog.put(cause, new AtomicLong(now));
    }
  }

  /**
   * Counts one refusal, and logs the cause if it was not logged in the last minute. Returns whether
   * it logged.
   */
  public boolean record(Cause cause) {
    LongAdder count = counts.get(cause);
    count.increment();
    AtomicLong next = nextLog.get(cause);
    long now = nanoTime.getAsLong();
    long due = next.get();
    if (now - due >= 0 && next.compareAndSet(due, now + LOG_EVERY_NANOS)) {
      log.warn(
          "Refused: {} ({} so far; this cause is logged at most once a minute)",
          cause.label(),
          count.sum());
      return true;
    }
    return false;
  }

  /** How many were refused for this cause since the server started. */
  public long count(Cause cause) {
    return counts.get(cause).sum();
  }

  /** Every cause and its count. */
  public Map<Cause, Long> snapshot() {
    Map<Cause, Long> copy = new EnumMap<>(Cause.class);
    counts.forEach((cause, count) -> copy.put(cause, count.sum()));
    return copy;
  }

  @Override
  public String toString() {
    return "Refusals" + snapshot();
  }
}
