package io.ssehub.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the streams of one event loop have received. Threading: written only by that loop's thread;
 * other threads read {@link #deliveries} (to see when a run has drained), and everything else
 * through a task run on the loop, which orders the reads after the writes.
 */
final class LoopStats {
  /** Latencies in microseconds, up to one hour, three significant digits. */
  final Histogram latency = new Histogram(3_600_000_000L, 3);

  /** Distinct measured events received, over all of this loop's streams; single writer. */
  final AtomicLong deliveries = new AtomicLong();

  final List<StreamHandler> streams = new ArrayList<>();
  long duplicates;
  long outOfWindow;
  long unparsed;
  long beforeProbe;
  long bytes;
  long lastDeliveryMicros;

  /**
   * unseen[seq]: streams of this loop that had not received seq when their window moved past it.
   */
  private int[] unseen = new int[0];

  void recordDelivery(long latencyMicros, long nowMicros) {
    latency.recordValue(Math.max(0, Math.min(latencyMicros, latency.getHighestTrackableValue())));
    deliveries.lazySet(deliveries.get() + 1);
    lastDeliveryMicros = nowMicros;
  }

  void recordUnseen(long seq) {
    if (seq >= unseen.length) {
      unseen =
          Arrays.copyOf(
              unseen,
              (int) Math.max(seq + 1, Math.min(Integer.MAX_VALUE - 8, unseen.length * 2L + 1024)));
    }
    unseen[(int) seq]++;
  }

  /** The unseen counts, indexed by sequence number (a copy is not needed: read on the loop). */
  int[] unseen() {
    return unseen;
  }
}
