package io.ssehub.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * The streams one generator process holds, on a few event loops (never a thread per stream).
 *
 * <p>Threading: {@link #connect}, {@link #deliveries} and {@link #finish} are called from one
 * control thread; the counters here are atomics, what each loop gathers is read on that loop.
 */
final class StreamSide implements StreamHandler.Run, AutoCloseable {
  private static final int MAX_END_REASONS = 20;

  private final EventLoopGroup group;
  private final Map<EventExecutor, LoopStats> stats = new IdentityHashMap<>();
  private final BenchClock clock;
  private final Bootstrap bootstrap;
  private final InetSocketAddress remote;
  private final byte[] request;
  private final List<InetAddress> sources;

  private final AtomicInteger held = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger closedAfterHeld = new AtomicInteger();
  private final AtomicInteger probed = new AtomicInteger();
  private final Map<String, Integer> endReasons = new ConcurrentHashMap<>();
  private final Semaphore connecting;
  private final int connectConcurrency;

  StreamSide(
      InetSocketAddress remote,
      Target target,
      String channel,
      int threads,
      int connectConcurrency,
      List<InetAddress> sources,
      BenchClock clock) {
    this.remote = remote;
    this.clock = clock;
    this.sources = sources;
    this.connectConcurrency = connectConcurrency;
    this.connecting = new Semaphore(connectConcurrency);
    this.request = target.streamRequest(remote.getHostString() + ":" + remote.getPort(), channel);
    this.group = Transport.group(threads, "bench-streams");
    for (EventExecutor loop : group) {
      stats.put(loop, new LoopStats());
    }
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(Transport.socketChannel())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .option(ChannelOption.SO_REUSEADDR, true);
    if (Transport.EPOLL && !sources.isEmpty()) {
      // Choose the source port at connect(), by the whole 4-tuple, not at bind(): otherwise each
      // source address would give at most one ephemeral port range in total (~28,000).
      bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }
  }

  /**
   * Opens {@code count} streams, at most {@code connectConcurrency} waiting for their response head
   * at a time, and returns when all are held or failed, or at the deadline.
   */
  void connect(int count, long deadlineNanos) {
    int attempted = 0;
    try {
      for (; attempted < count; attempted++) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !connecting.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          break;
        }
        Bootstrap b = bootstrap.clone();
        b.handler(
            new io.netty.channel.ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new StreamHandler(
                            request, StreamSide.this, stats.get(ch.eventLoop()), clock));
              }
            });
        ChannelFuture f =
            sources.isEmpty()
                ? b.connect(remote)
                : b.connect(
                    remote, new InetSocketAddress(sources.get(attempted % sources.size()), 0));
        f.addListener(
            (ChannelFuture done) -> {
              if (!done.isSuccess()) {
                failed.incrementAndGet();
                reason(
                    "connect: "
                        + done.cause().getClass().getSimpleName()
                        + ": "
                        + done.cause().getMessage());
                connecting.release();
              }
            });
      }
      // Wait for the last ones: every permit back means every attempt settled.
      long left = deadlineNanos - System.nanoTime();
      if (left > 0 && connecting.tryAcquire(connectConcurrency, left, TimeUnit.NANOSECONDS)) {
        connecting.release(connectConcurrency);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int unsettled = attempted - held.get() - failed.get();
    if (attempted < count || unsettled > 0) {
      reason(
          "connect: "
              + (count - attempted)
              + " not attempted, "
              + Math.max(0, unsettled)
              + " without a response head by the connect timeout");
      failed.addAndGet(count - attempted + Math.max(0, unsettled));
    }
  }

  @Override
  public void onHeld(StreamHandler stream) {
    held.incrementAndGet();
    connecting.release();
  }

  @Override
  public void onEnded(StreamHandler stream, boolean wasHeld, String why) {
    if (wasHeld) {
      closedAfterHeld.incrementAndGet();
    } else {
      failed.incrementAndGet();
      connecting.release();
    }
    reason(why);
  }

  @Override
  public void onProbed(StreamHandler stream) {
    probed.incrementAndGet();
  }

  private void reason(String why) {
    if (endReasons.size() < MAX_END_REASONS || endReasons.containsKey(why)) {
      endReasons.merge(why, 1, Integer::sum);
    }
  }

  int held() {
    return held.get();
  }

  int failed() {
    return failed.get();
  }

  int open() {
    return held.get() - closedAfterHeld.get();
  }

  int probed() {
    return probed.get();
  }

  /** Distinct measured events received so far, all streams. */
  long deliveries() {
    long sum = 0;
    for (LoopStats s : stats.values()) {
      sum += s.deliveries.get();
    }
    return sum;
  }

  /**
   * Ends the count: each stream notes what it never received below {@code published}; events whose
   * publish failed are not missing. Runs on every loop and gathers the loops' figures.
   */
  Partial finish(long published, Set<Long> failedSeqs)
      throws InterruptedException, ExecutionException, TimeoutException {
    Histogram latency = new Histogram(3_600_000_000L, 3);
    Partial p = new Partial();
    for (Map.Entry<EventExecutor, LoopStats> entry : stats.entrySet()) {
      LoopStats s = entry.getValue();
      Future<long[]> gathered =
          entry
              .getKey()
              .submit(
                  () -> {
                    long gaps = 0;
                    for (StreamHandler stream : s.streams) {
                      if (stream.held()) {
                        stream.finish(published);
                        if (stream.unseen() > 0) {
                          gaps++;
                        }
                      }
                    }
                    long missing = 0;
                    int[] unseen = s.unseen();
                    for (int seq = 0; seq < unseen.length && seq < published; seq++) {
                      if (unseen[seq] != 0 && !failedSeqs.contains((long) seq)) {
                        missing += unseen[seq];
                      }
                    }
                    latency.add(
                        s.latency); // Histogram.add is not thread-safe: one loop at a time, below
                    return new long[] {
                      s.deliveries.get(),
                      s.duplicates,
                      s.outOfWindow,
                      s.unparsed,
                      s.bytes,
                      s.lastDeliveryMicros,
                      missing,
                      gaps,
                      s.beforeProbe
                    };
                  });
      long[] v =
          gathered.get(30, TimeUnit.SECONDS); // waits: the loops add to the histogram in turn
      p.deliveries += v[0];
      p.duplicates += v[1];
      p.outOfWindow += v[2];
      p.unparsed += v[3];
      p.bytes += v[4];
      p.lastDeliveryMicros = Math.max(p.lastDeliveryMicros, v[5]);
      p.missing += v[6];
      p.streamsWithGaps += v[7];
      p.beforeProbe += v[8];
    }
    p.held = held.get();
    p.failed = failed.get();
    p.closed = closedAfterHeld.get();
    p.endReasons = Map.copyOf(endReasons);
    p.latency = encode(latency);
    return p;
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (java.util.zip.DataFormatException e) {
      throw new IllegalArgumentException(
          "latency histogram: cannot decode (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** What one process's streams received: merged by the coordinator. Public fields: JSON. */
  public static final class Partial {
    public long held;
    public long failed;
    public long closed;
    public long deliveries;
    public long duplicates;
    public long outOfWindow;
    public long unparsed;
    public long bytes;
    public long lastDeliveryMicros;
    public long missing;
    public long streamsWithGaps;
    public long beforeProbe;
    public long cpuNanos;
    public Map<String, Integer> endReasons = Map.of();
    public String latency;
  }
}
