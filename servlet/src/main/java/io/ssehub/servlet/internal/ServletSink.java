package io.ssehub.servlet.internal;

import io.ssehub.core.SseSink;
import io.ssehub.core.Subscription;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's response in a Servlet 6 container, written without blocking (Servlet 6.0, 5.7: a
 * {@link WriteListener}) and without a thread of its own.
 *
 * <p>An explicit state machine, in the manner of Jetty's {@code IteratingCallback}: the state and
 * the queue change under a short lock ({@code this}); writes, flushes, {@code complete()} and
 * callbacks run after it is released, by the one thread that moved the state to {@link
 * State#WRITING} (the owner). Who owns the output stream is therefore always clear, as the servlet
 * spec requires (no concurrent {@code isReady}/{@code write}). One queue, written in call order
 * whatever the calling thread (ARCHITECTURE.md invariant 3); nothing blocks (invariant 8).
 *
 * <pre>
 *   NEW ──start──▶ WAITING ──onWritePossible──▶ WRITING ──queue empty──▶ IDLE
 *                     ▲                           │ ▲                     │
 *                     └──── isReady() false ──────┘ └────── send/close ───┘
 *   WRITING + onWritePossible (after isReady() false, before the owner parked) ─▶ WOKEN ─▶ WRITING
 *   any ──abort / error / complete──▶ DONE
 * </pre>
 *
 * <p>Queued events are coalesced: when the client is behind, the owner joins what waits into one
 * write of up to {@link #COALESCE_BYTES}. {@link #pendingBytes()} is what the queue holds: bytes
 * handed to the container are its buffer's concern, and {@code isReady()} tells us when that is
 * full.
 *
 * <p>Threading: {@link #send}, {@link #close}, {@link #abort} and {@link #onWritable} from any
 * thread (the hub calls them one at a time per stream); the listener methods from container
 * threads.
 */
public final class ServletSink implements SseSink, WriteListener, AsyncListener {
  private static final Logger log = LoggerFactory.getLogger(ServletSink.class);

  /** The most bytes joined into one write when events are queued behind each other. */
  static final int COALESCE_BYTES = 64 * 1024;

  enum State {
    /** Before {@link #start}: the response is not committed; sends are queued. */
    NEW,
    /**
     * Waiting for the container's {@code onWritePossible}, after {@code isReady()} said false (or
     * before the first one).
     */
    WAITING,
    /** The output is ready and nothing is queued; no thread owns it. */
    IDLE,
    /** One thread owns the output and drains the queue. */
    WRITING,
    /**
     * {@code onWritePossible} came while the owner was still writing: it must look at {@code
     * isReady()} again.
     */
    WOKEN,
    /** The response is complete, or being completed: nothing more is written. */
    DONE
  }

  private final AsyncContext context;
  private final ServletOutputStream out;

  // Guarded by this.
  private State state = State.NEW;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean closeRequested;
  private Runnable whenWritable;
  private Subscription subscription;

  /**
   * Whether bytes were written since the last flush. Only the owner (WRITING) reads or writes it.
   */
  private boolean unflushed;

  public ServletSink(AsyncContext context, ServletOutputStream out) {
    this.context = context;
    this.out = out;
  }

  /**
   * Starts writing: registers as the write and async listener; the container's first {@code
   * onWritePossible} drains what the hub queued meanwhile. The response's status and headers must
   * be set. If the hub ended the stream already ({@link #abort}), completes the response at once.
   */
  public void start(Subscription subscription) {
    boolean completeNow;
    synchronized (this) {
      this.subscription = subscription;
      completeNow = state == State.DONE;
      if (state == State.NEW) {
        state = State.WAITING;
      } else if (!completeNow) {
        throw new IllegalStateException("start in state " + state + " (expected: NEW)");
      }
    }
    context.addListener(this);
    if (completeNow) {
      finish();
      return;
    }
    out.setWriteListener(this);
  }

  /**
   * Drops everything queued, for a stream the hub refused: the caller answers with an error
   * instead.
   */
  public synchronized void discard() {
    state = State.DONE;
    queue.clear();
    queuedBytes = 0;
  }

  synchronized State state() {
    return state;
  }

  @Override
  public void send(byte[] bytes) {
    enqueue(bytes, null);
  }

  @Override
  public void send(byte[] prefix, byte[] shared) {
    enqueue(prefix, shared);
  }

  private void enqueue(byte[] first, byte[] second) {
    synchronized (this) {
      if (state == State.DONE || closeRequested) {
        return;
      }
      queue.add(first);
      queuedBytes += first.length;
      if (second != null) {
        queue.add(second);
        queuedBytes += second.length;
      }
      if (state != State.IDLE) {
        return; // NEW, WAITING: the next onWritePossible drains; WRITING, WOKEN: the owner does
      }
      state = State.WRITING;
    }
    drain();
  }

  @Override
  public synchronized long pendingBytes() {
    return queuedBytes;
  }

  /** Calls back once the queue is drained and the output ready: at once if it is so now. */
  @Override
  public boolean onWritable(Runnable callback) {
    synchronized (this) {
      if (state == State.DONE) {
        return true; // the stream is ending: never called back, the hub's close follows
      }
      if (state != State.IDLE) {
        whenWritable = callback;
        return true;
      }
    }
    callback.run();
    return true;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (state == State.DONE || closeRequested) {
        return;
      }
      closeRequested = true;
      if (state != State.IDLE) {
        return; // the owner, or the next onWritePossible, completes after the queue
      }
      state = State.WRITING;
    }
    drain();
  }

  @Override
  public void abort() {
    boolean completeNow;
    synchronized (this) {
      if (state == State.DONE) {
        return;
      }
      // NEW: start() completes. WRITING, WOKEN: the owner sees DONE when it next takes the lock,
      // and completes then, so that complete() never races a write on another thread.
      completeNow = state == State.IDLE || state == State.WAITING;
      state = State.DONE;
      queue.clear();
      queuedBytes = 0;
      whenWritable = null;
    }
    if (completeNow) {
      finish();
    }
  }

  // ---- WriteListener

  @Override
  public void onWritePossible() {
    synchronized (this) {
      switch (state) {
        case WAITING -> state = State.WRITING;
        case WRITING -> {
          // isReady() said false to the owner, which has not parked yet: it must look again.
          state = State.WOKEN;
          return;
        }
        case DONE -> {
          return;
        }
        default ->
            throw new IllegalStateException(
                "onWritePossible in state "
                    + state
                    + " (expected: WAITING, or WRITING just after isReady() was false)");
      }
    }
    drain();
  }

  @Override
  public void onError(Throwable failure) {
    log.debug("Stream write failed: {}", failure.toString());
    failed();
  }

  // ---- AsyncListener

  @Override
  public void onComplete(AsyncEvent event) {
    Subscription toClose;
    synchronized (this) {
      state = State.DONE;
      queue.clear();
      queuedBytes = 0;
      toClose = subscription;
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    failed();
  }

  @Override
  public void onError(AsyncEvent event) {
    log.debug("Stream failed: {}", String.valueOf(event.getThrowable()));
    failed();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not restarted: nothing to do.
  }

  /** The container reports the connection broken: end the stream, and the subscription with it. */
  private void failed() {
    synchronized (this) {
      if (state == State.WRITING || state == State.WOKEN) {
        state = State.DONE; // the owner's next write fails or sees DONE, and completes
        queue.clear();
        queuedBytes = 0;
        return;
      }
      state = State.DONE;
      queue.clear();
      queuedBytes = 0;
    }
    finish();
  }

  // ---- the write loop: runs only on the owner thread, which moved the state to WRITING

  private enum Step {
    WRITE,
    FLUSH,
    PARK,
    IDLE,
    COMPLETE
  }

  private void drain() {
    try {
      while (true) {
        boolean ready = out.isReady();
        byte[] batch = null;
        Runnable callback = null;
        Step step;
        synchronized (this) {
          if (state == State.DONE) {
            step = Step.COMPLETE;
          } else if (state == State.WOKEN) {
            state = State.WRITING;
            continue; // isReady() again: it is true after onWritePossible
          } else if (state != State.WRITING) {
            throw new IllegalStateException("drain in state " + state + " (expected: WRITING)");
          } else if (!ready) {
            state = State.WAITING; // the container calls onWritePossible when the client has read
            step = Step.PARK;
          } else if (!queue.isEmpty()) {
            batch = takeBatch();
            step = Step.WRITE;
          } else if (unflushed) {
            step = Step.FLUSH;
          } else if (closeRequested) {
            state = State.DONE;
            step = Step.COMPLETE;
          } else {
            state = State.IDLE;
            callback = whenWritable;
            whenWritable = null;
            step = Step.IDLE;
          }
        }
        switch (step) {
          case WRITE -> {
            out.write(batch);
            unflushed = true;
          }
          case FLUSH -> {
            unflushed = false;
            out.flush();
          }
          case PARK -> {
            return;
          }
          case IDLE -> {
            if (callback != null) {
              callback.run();
            }
            return;
          }
          case COMPLETE -> {
            finish();
            return;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // The client is gone (or the container refused the write): end the stream.
      log.debug("Stream write failed: {}", e.toString());
      synchronized (this) {
        state = State.DONE;
        queue.clear();
        queuedBytes = 0;
      }
      finish();
    }
  }

  /** Under the lock: the next write, joining queued arrays up to {@link #COALESCE_BYTES}. */
  private byte[] takeBatch() {
    byte[] first = queue.poll();
    if (queue.isEmpty() || first.length >= COALESCE_BYTES) {
      queuedBytes -= first.length;
      return first;
    }
    int size = first.length;
    int count = 1;
    for (byte[] next : queue) {
      if (size + next.length > COALESCE_BYTES) {
        break;
      }
      size += next.length;
      count++;
    }
    if (count == 1) {
      queuedBytes -= first.length;
      return first;
    }
    byte[] joined = new byte[size];
    System.arraycopy(first, 0, joined, 0, first.length);
    int at = first.length;
    for (int i = 1; i < count; i++) {
      byte[] next = queue.poll();
      System.arraycopy(next, 0, joined, at, next.length);
      at += next.length;
    }
    queuedBytes -= size;
    return joined;
  }

  /**
   * Completes the response (once: the container ignores or refuses a second call) and leaves the
   * hub.
   */
  private void finish() {
    Subscription toClose;
    synchronized (this) {
      toClose = subscription;
    }
    try {
      context.complete();
    } catch (IllegalStateException e) {
      // Completed already (the container's own error handling, or a racing onComplete).
    }
    if (toClose != null) {
      toClose.close();
    }
  }

  @Override
  public synchronized String toString() {
    return "ServletSink["
        + state
        + ", "
        + queue.size()
        + " queued, "
        + queuedBytes
        + " bytes"
        + (closeRequested ? ", closing" : "")
        + "]";
  }
}
