package io.ssehub.redis.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Says that messages were skipped, without letting a flood of bad messages flood the log: the first
 * malformed message of a channel is logged with its reason; later ones are counted and summed up in
 * at most one line per channel and {@code interval}. Anyone who can publish on a Redis channel can
 * send garbage at line rate; this keeps the cost of that to a counter.
 *
 * <p>Time comes from an injected nanosecond clock so that tests advance it. Thread-safe: each
 * channel's counters are guarded by their own monitor.
 */
public final class MalformedMessageLog {
  /** At most one line per channel this often, by default. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

  private final Consumer<String> sink;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final Map<String, ChannelCount> channels = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  public MalformedMessageLog(Consumer<String> sink, LongSupplier nanoTime, Duration interval) {
    this.sink = sink;
    this.nanoTime = nanoTime;
    this.intervalNanos = interval.toNanos();
  }

  /** Notes that a message on {@code channel} was skipped for {@code problem}; may log a line. */
  public void skipped(String channel, String problem) {
    total.incrementAndGet();
    ChannelCount count = channels.computeIfAbsent(channel, c -> new ChannelCount());
    String line = null;
    synchronized (count) {
      long now = nanoTime.getAsLong();
      if (!count.logged) {
        count.logged = true;
        count.lastLogNanos = now;
        line =
            "Skipping a malformed message on Redis channel "
                + channel
                + ": "
                + problem
                + ". Further malformed messages on this channel are counted and logged at most once every "
                + Duration.ofNanos(intervalNanos)
                + ".";
      } else if (now - count.lastLogNanos >= intervalNanos) {
        long skipped = count.suppressed + 1;
        count.suppressed = 0;
        count.lastLogNanos = now;
        line =
            "Skipped "
                + skipped
                + " more malformed message"
                + (skipped == 1 ? "" : "s")
                + " on Redis channel "
                + channel
                + "; the latest: "
                + problem;
      } else {
        count.suppressed++;
      }
    }
    if (line != null) {
      sink.accept(line);
    }
  }

  /** Forgets a channel's counts: its subscription ended. */
  public void forget(String channel) {
    channels.remove(channel);
  }

  /** How many messages were skipped since this log was made. */
  public long total() {
    return total.get();
  }

  private static final class ChannelCount {
    boolean logged;
    long lastLogNanos;
    long suppressed;
  }
}
