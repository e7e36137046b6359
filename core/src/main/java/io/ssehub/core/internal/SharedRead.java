package io.ssehub.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One read at a time of a value that must be fresh, shared by everyone who asked before it was
 * sent: a channel's newest history id, which every stream that starts on the channel needs, or what
 * the channel holds after an id, which every stream resuming from it needs.
 *
 * <p>Why: on Redis such a read is a few commands and round trips, and a storm of streams opening on
 * one channel (a deploy, clients coming back after a node restarted) would make one read per
 * stream; shared, it makes about one per round trip (bench/RESULTS.md has the counts).
 *
 * <p>Fresh means sent after the caller asked: a stream asks once it has joined its channel, and a
 * read sent before that could miss an event published between the read and the join, which then
 * reaches the stream neither live nor as history. So a caller that asks while a read is on its way
 * does not share that read: it waits for the next one, sent when that read returns, together with
 * everyone else who asked meanwhile (ARCHITECTURE.md invariant 6).
 */
final class SharedRead<T> {
  private final Supplier<CompletableFuture<T>> read;
  private final Consumer<SharedRead<T>> whenIdle;

  // Guarded by this.
  /** The callers waiting for the next read, which has not been sent; null if none. */
  private CompletableFuture<T> next;

  private boolean inFlight;

  SharedRead(Supplier<CompletableFuture<T>> read) {
    this(read, idle -> {});
  }

  /** {@code whenIdle} is given this each time a read returns and nobody waits for another. */
  SharedRead(Supplier<CompletableFuture<T>> read, Consumer<SharedRead<T>> whenIdle) {
    this.read = read;
    this.whenIdle = whenIdle;
  }

  /** The value as read by a read sent after this call. */
  CompletableFuture<T> get() {
    CompletableFuture<T> mine;
    CompletableFuture<T> sendNow = null;
    synchronized (this) {
      if (next == null) {
        next = new CompletableFuture<>();
      }
      mine = next;
      if (!inFlight) {
        inFlight = true;
        sendNow = next;
        next = null;
      }
    }
    if (sendNow != null) {
      send(sendNow);
    }
    return mine;
  }

  /**
   * Sends a read for {@code waiting}; completes it outside the lock, so that no caller's code runs
   * under it.
   */
  private void send(CompletableFuture<T> waiting) {
    CompletableFuture<T> result;
    try {
      result = read.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(
        (value, failure) -> {
          CompletableFuture<T> again;
          synchronized (this) {
            again = next;
            next = null;
            inFlight = again != null;
          }
          if (failure != null) {
            waiting.completeExceptionally(failure);
          } else {
            waiting.complete(value);
          }
          if (again != null) {
            send(again);
          } else {
            whenIdle.accept(this);
          }
        });
  }
}
