package io.ssehub.server.internal;

import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far behind the event loops run. Every fan-out, stream write and publish of a loop waits in
 * its task queue, so this is the lateness the node adds to an event for every client that keeps up;
 * publishes are pushed back past a bound on it ({@code --max-fanout-delay}).
 *
 * <p>Measured by probes rather than by timing each task: every {@code interval}, a no-op task is
 * posted to each loop that has none waiting, and a loop is as far behind as its waiting probe is
 * old, or as its latest probe waited. A probe is through only once the writes of the iteration it
 * ran in are done (streams are written at the end of an iteration), so the reading is what an event
 * handed to the loop waits until it is written, not only until its task runs. The probes come from
 * a thread of their own, so that a loop that stalls is seen stalling; the hot path pays nothing.
 */
public final class LoopDelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoopDelay.class);

  /**
   * Rounds missed before the probe counts as stopped ({@link #probing}), and a reading as too old
   * to keep.
   */
  static final int ROUNDS_MISSED = 20;

  /**
   * The least time a round may be late before the probe counts as stopped, whatever the interval.
   */
  static final Duration MIN_STALE = Duration.ofSeconds(2);

  private final List<Probe> probes = new ArrayList<>();
  private final ScheduledExecutorService timer;

  /** Past it, a probe round or a reading is too old: the probe has stopped, or a round failed. */
  private final long staleNanos;

  /** When the latest round posted to every loop without failing. */
  private volatile long lastRound = System.nanoTime();

  private final RateLimitedLog failures = new RateLimitedLog(log, Duration.ofSeconds(10));

  /**
   * Starts probing {@code loops} (a Netty group is an iterable of its loops) every {@code
   * interval}.
   */
  public LoopDelay(Iterable<? extends EventExecutor> loops, Duration interval) {
    this.staleNanos = Math.max(interval.toNanos() * ROUNDS_MISSED, MIN_STALE.toNanos());
    for (EventExecutor loop : loops) {
      probes.add(new Probe(loop, staleNanos));
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ssehub-loop-delay");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleAtFixedRate(this::probe, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** How far the furthest-behind loop is behind now, in nanoseconds: 0 when all keep up. */
  public long nanos() {
    long now = System.nanoTime();
    long behind = 0;
    for (Probe probe : probes) {
      behind = Math.max(behind, probe.behind(now));
    }
    return behind;
  }

  /**
   * Whether the probe runs: a round went to every loop within the last {@code max(20 intervals, 2
   * s)}. A probe that stopped measures nothing, so readiness ({@code /health/ready}) watches this.
   */
  public boolean probing() {
    return System.nanoTime() - lastRound <= staleNanos;
  }

  /**
   * One round. Whatever it throws (an {@code OutOfMemoryError} while posting, say) is caught and
   * logged: a periodic task that throws is never run again, and the node would keep its last
   * reading forever.
   */
  void probe() {
    try {
      for (Probe probe : probes) {
        probe.post();
      }
      lastRound = System.nanoTime();
    } catch (Throwable e) {
      failures.warn(
          "loop-delay probe", "The event-loop delay probe failed; it goes on at its next round", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** One loop's probe: at most one waits in its queue at a time. */
  private static final class Probe {
    private final EventExecutor loop;
    private final long staleNanos;
    private volatile boolean waiting;

    /** When the waiting probe was posted; meaningful while {@link #waiting}. */
    private volatile long postedAt;

    /** How long the latest probe to run waited. */
    private volatile long lastWait;

    /** When the latest probe ran: its {@link #lastWait} is kept only while fresh. */
    private volatile long ranAt;

    Probe(EventExecutor loop, long staleNanos) {
      this.loop = loop;
      this.staleNanos = staleNanos;
    }

    /**
     * On the timer's thread only: the one writer of {@link #postedAt}, written before {@link
     * #waiting}.
     */
    void post() {
      if (waiting) {
        return; // the last one still waits: its age is the reading
      }
      postedAt = System.nanoTime();
      waiting = true;
      onLoop(() -> loop.execute(this::reached));
    }

    /**
     * On the loop: everything queued before the probe has run. A loop writes to its streams at the
     * end of an iteration ({@link WriteBatch}), so an event handed to it with the probe leaves only
     * once that iteration's writes are done: the probe goes on to the end of the iteration, then to
     * the start of the next, and only there counts as through (the end's tasks run in the order
     * they were added, and the writes may have been added after the probe).
     */
    private void reached() {
      if (loop instanceof SingleThreadIoEventLoop eventLoop) {
        onLoop(
            () ->
                eventLoop.executeAfterEventLoopIteration(
                    () -> onLoop(() -> loop.execute(this::ran))));
      } else {
        ran(); // other executors write nothing at the end of an iteration
      }
    }

    /**
     * Hands the probe's next step to the loop; a loop that shuts down leaves nothing to wait for,
     * and nor does a hand-over that failed (then the next round posts a new probe).
     */
    private void onLoop(Runnable handOver) {
      try {
        handOver.run();
      } catch (RejectedExecutionException e) {
        waiting = false;
      } catch (Throwable e) {
        waiting = false;
        throw e;
      }
    }

    private void ran() {
      long now = System.nanoTime();
      lastWait = now - postedAt;
      ranAt = now;
      waiting = false;
    }

    long behind(long now) {
      long waited = waiting ? now - postedAt : 0;
      long last = now - ranAt <= staleNanos ? lastWait : 0; // a reading is never kept for good
      return Math.max(waited, last);
    }
  }
}
