package io.ssehub.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A {@link SharedRead} per key, kept only while a read for it is on its way: what streams resuming
 * a channel from the same id share (after a node restarts, its clients come back together, most of
 * them from the channel's latest event).
 */
final class SharedReads<K, T> {
  private final ConcurrentMap<K, SharedRead<T>> reads = new ConcurrentHashMap<>();
  private final Function<K, CompletableFuture<T>> read;

  SharedReads(Function<K, CompletableFuture<T>> read) {
    this.read = read;
  }

  /**
   * The value for {@code key} as read by a read sent after this call (see {@link SharedRead#get}).
   */
  CompletableFuture<T> get(K key) {
    // A caller that finds an entry just as it goes idle still gets a fresh read of its own: only
    // the sharing is lost, never the freshness.
    return reads
        .computeIfAbsent(
            key, k -> new SharedRead<>(() -> read.apply(k), idle -> reads.remove(k, idle)))
        .get();
  }

  /** Keys with a read on its way or asked for. */
  int size() {
    return reads.size();
  }
}
