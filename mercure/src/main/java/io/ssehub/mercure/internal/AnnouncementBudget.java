package io.ssehub.mercure.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many subscription events a node may announce: a token bucket of {@code perSecond} tokens a
 * second, holding at most {@code burst}. Subscription events share Mercure's history with real
 * updates, so anonymous subscribers must not be able to announce at any rate they like.
 */
public final class AnnouncementBudget {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long refilledAt;

  public AnnouncementBudget(int perSecond, int burst) {
    this(perSecond, burst, System::nanoTime);
  }

  AnnouncementBudget(int perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond < 1 || burst < 1) {
      throw new IllegalArgumentException(
          "perSecond: " + perSecond + ", burst: " + burst + " (expected: both > 0)");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.refilledAt = nanoClock.getAsLong();
  }

  /** Takes {@code count} tokens if the bucket holds them all, else takes none and answers false. */
  public synchronized boolean tryTake(int count) {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / TimeUnit.SECONDS.toNanos(1));
    refilledAt = now;
    if (count > tokens) {
      return false;
    }
    tokens -= count;
    return true;
  }
}
