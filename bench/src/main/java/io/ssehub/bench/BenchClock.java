package io.ssehub.bench;

import java.time.Instant;

/**
 * The clock that stamps events when they are published and reads them when they arrive, in
 * microseconds.
 *
 * <p>{@link #NANO} is {@code System.nanoTime()}: exact, but only comparable inside one process, so
 * it serves runs where the publisher and every subscriber share a JVM. {@link #wall()} is the wall
 * clock in microseconds since the epoch, anchored once to {@link Instant#now()} (microsecond
 * resolution on Linux) and advanced with {@code nanoTime}: comparable across the generator's
 * processes on one machine, to within the few microseconds that two anchors can differ.
 */
public final class BenchClock {
  /** Same-process clock. */
  public static final BenchClock NANO = new BenchClock("nanoTime", 0, 0);

  private final String name;
  private final long anchorMicros;
  private final long anchorNanos;

  private BenchClock(String name, long anchorMicros, long anchorNanos) {
    this.name = name;
    this.anchorMicros = anchorMicros;
    this.anchorNanos = anchorNanos;
  }

  /** Wall-clock microseconds, for runs spread over several processes. */
  public static BenchClock wall() {
    Instant now = Instant.now();
    long nanos = System.nanoTime();
    return new BenchClock(
        "wall-clock-us", now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000, nanos);
  }

  public static BenchClock named(String name) {
    return "nanoTime".equals(name) ? NANO : wall();
  }

  public long micros() {
    return anchorMicros + (System.nanoTime() - anchorNanos) / 1_000;
  }

  public String name() {
    return name;
  }
}
