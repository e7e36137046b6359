package io.ssehub.server.internal;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sinks of one event loop that have something to write, drained by one task.
 *
 * <p>Why: an event published to a thousand streams would otherwise queue a thousand tasks on the
 * event loops, each woken and run on its own. Here the first sink that becomes ready schedules one
 * task for its loop, and every sink that becomes ready before that task runs joins it: one task
 * (and at most one wake-up) per loop and burst of events, whatever the number of streams.
 *
 * <p>When the fan-out itself runs on an event loop (a publish over HTTP, or the Redis client's I/O
 * thread), the batches it makes ready are handed to their loops only when that loop's current
 * iteration ends. Handing each at once woke the other loops while the fan-out was still going: they
 * drained the first few streams, slept, and were woken again, a wake-up (a syscall on each side)
 * per few streams instead of one per loop and event.
 *
 * <p>A loop busy writing streams still answers publishers promptly: work handed to it with {@link
 * #ahead} runs between two streams' drains of a batch that is running (or as a task of its own when
 * none is). Why: a publish stored by Redis is answered from the Redis client's thread; as a plain
 * task its answer waited behind the loop's writes of a whole iteration, and a publisher that waits
 * for each answer published that much less often, so fewer events were written together.
 */
final class WriteBatch implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(WriteBatch.class);

  /**
   * Weak keys: an event loop group that shut down takes its batch with it. A batch holds no loop.
   */
  private static final Map<EventLoop, WriteBatch> BATCHES =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The batches an event-loop thread made ready in its current iteration, scheduled when it ends.
   */
  private static final FastThreadLocal<Deferred> DEFERRED =
      new FastThreadLocal<>() {
        @Override
        protected Deferred initialValue() {
          return new Deferred();
        }
      };

  /**
   * How many streams a running batch drains between two looks at the work to run {@link #ahead}.
   */
  private static final int DRAINS_BETWEEN_AHEAD = 32;

  private final Queue<NettySink> ready = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Queue<Runnable> ahead = PlatformDependent.newMpscQueue();
  private final AtomicBoolean aheadScheduled = new AtomicBoolean();

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
      EventExecutor current = ThreadExecutorMap.currentExecutor();
      // Only an I/O loop runs the tasks kept for the end of its iteration; other single-thread
      // loops
      // (an app's DefaultEventLoopGroup) never would, and the batch would wait forever.
      if (current instanceof SingleThreadIoEventLoop currentLoop
          && currentLoop.inEventLoop()
          && !currentLoop.isShuttingDown()) {
        DEFERRED.get().add(this, loop, currentLoop);
        return true;
      }
      return schedule(loop);
    }
    return true;
  }

  /**
   * An executor that runs tasks on {@code loop} ahead of the stream writes waiting there: for short
   * work that someone waits for, such as answering a publish. Tasks run in the order given.
   */
  static Executor ahead(EventLoop loop) {
    WriteBatch batch = of(loop);
    return task -> batch.handAhead(task, loop);
  }

  private void handAhead(Runnable task, EventLoop loop) {
    ahead.offer(task);
    if (aheadScheduled.compareAndSet(false, true)) {
      loop.execute(this::runAhead); // for when no batch runs; throws if the loop is shutting down
    }
  }

  private void runAhead() {
    aheadScheduled.set(false);
    Runnable task;
    while ((task = ahead.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn(
            "A task run ahead of stream writes failed", e); // the drain goes on, as a loop's would
      }
    }
  }

  private boolean schedule(EventLoop loop) {
    try {
      loop.execute(this);
      return true;
    } catch (RejectedExecutionException e) {
      // Shutting down: the loop has closed its channels, so what they queued is released, not
      // written.
      scheduled.set(false);
      NettySink sink;
      while ((sink = ready.poll()) != null) {
        sink.discard();
      }
      return false;
    }
  }

  @Override
  public void run() {
    // Cleared first: a sink that becomes ready while this runs schedules a run after it, so that
    // none waits for a task that has already looked at the queue.
    scheduled.set(false);
    int drained = 0;
    NettySink sink;
    while ((sink = ready.poll()) != null) {
      sink.drain();
      if (++drained % DRAINS_BETWEEN_AHEAD == 0 && !ahead.isEmpty()) {
        runAhead();
      }
    }
  }

  /**
   * One event-loop thread's batches waiting for the end of its iteration. Confined to that thread.
   */
  private static final class Deferred implements Runnable {
    private final List<WriteBatch> batches = new ArrayList<>();
    private final List<EventLoop> loops = new ArrayList<>();

    void add(WriteBatch batch, EventLoop loop, SingleThreadIoEventLoop current) {
      if (batches.isEmpty()) {
        current.executeAfterEventLoopIteration(this);
      }
      batches.add(batch);
      loops.add(loop);
    }

    @Override
    public void run() {
      for (int i = 0; i < batches.size(); i++) {
        WriteBatch batch = batches.get(i);
        EventLoop loop = loops.get(i);
        if (loop.inEventLoop()) {
          batch.run(); // this thread's own streams: drained now, no task needed
        } else {
          batch.schedule(loop);
        }
      }
      batches.clear();
      loops.clear();
    }
  }
}
