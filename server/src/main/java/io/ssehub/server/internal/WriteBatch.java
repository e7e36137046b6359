package io.ssehub.server.internal;

import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.Collections;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sinks of one event loop that have something to write, drained by one task.
 *
 * <p>Why: an event published to a thousand streams would otherwise queue a thousand tasks on the
 * event loops, each woken and run on its own. Here the first sink that becomes ready schedules one
 * task for its loop, and every sink that becomes ready before that task runs joins it: one task
 * (and at most one wake-up) per loop and burst of events, whatever the number of streams.
 */
final class WriteBatch implements Runnable {
  /** Weak keys: an event loop group that shut down takes its batch with it. A batch holds no loop. */
  private static final Map<EventLoop, WriteBatch> BATCHES = Collections.synchronizedMap(new WeakHashMap<>());

  private final Queue<NettySink> ready = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  private WriteBatch() {}

  /** The batch of {@code loop}; looked up once per stream, when its sink is made. */
  static WriteBatch of(EventLoop loop) {
    return BATCHES.computeIfAbsent(loop, ignored -> new WriteBatch());
  }

  /**
   * Adds a sink that has something to write; {@code loop} is its channel's event loop. Returns
   * false if the loop no longer runs tasks (it is shutting down and closes its channels).
   */
  boolean add(NettySink sink, EventLoop loop) {
    ready.offer(sink);
    if (scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        return false;
      }
    }
    return true;
  }

  @Override
  public void run() {
    // Cleared first: a sink that becomes ready while this runs schedules a run after it, so that
    // none waits for a task that has already looked at the queue.
    scheduled.set(false);
    NettySink sink;
    while ((sink = ready.poll()) != null) {
      sink.drain();
    }
  }
}
