package io.ssehub.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Publishes over HTTP/1.1 keep-alive connections, one request in flight per connection: at a fixed
 * rate (as many connections as it takes, up to the pool), or flat out (every connection sends its
 * next event as soon as the previous one is answered). Or through the Java API instead: {@code
 * SseHub.publish} on a hub of the caller's (on Redis, as a Java app on another node publishes),
 * with as many publishes in flight as there would be connections.
 *
 * <p>Each measured event's data is {@code {"s":SEQ,"t":MICROS,"p":"xx..."}}: its sequence number,
 * the clock reading when its request was written, and padding to the event size asked for. Sequence
 * numbers count from 0 in the order requests are written. A publish is acknowledged by a 2xx answer
 * (ssehub 200, Nchan 201 or 202); anything else, a timeout or a closed connection, is a failure,
 * recorded by sequence number so that missing events can leave it out.
 *
 * <p>Threading: everything runs on one event loop, the publisher's own; {@link #measure} returns a
 * future that completes there, after which the counters may be read from any thread.
 */
final class Publisher {
  private static final long REQUEST_TIMEOUT_MILLIS = 10_000;

  /** Sequence numbers of requests that are not measured events. */
  private static final long PROBE = -1;

  private static final long WARM = -2;

  private final EventLoop loop;

  /** For publishing over HTTP; null when {@link #api} is used. */
  private final Bootstrap bootstrap;

  /** The Java API publishes go through, or null to publish over HTTP. */
  private final SseHub api;

  private final InetSocketAddress remote;
  private final Target target;
  private final String channel;
  private final String hostHeader;
  private final String padding;
  private final BenchClock clock;
  private final int connections;
  private final long maxEvents;

  /** Connections (or Java API slots) with nothing in flight. */
  private final ArrayDeque<Slot> idle = new ArrayDeque<>();

  /** Set by {@link #close()}: connections that close are not replaced. Loop-confined. */
  private boolean closing;

  private final List<Conn> all = new ArrayList<>();

  // Measured phase; loop-confined until done completes.
  private long rate; // events per second; 0 = flat out
  private long startNanos;
  private long endNanos;
  private long nextSeq;
  private long sentInPhase;
  private boolean warming;
  private int inFlight;
  private boolean measuring;
  private boolean stopping;
  private CompletableFuture<Void> done;
  private ScheduledFuture<?> ticker;

  long acked;
  long failed;
  final List<Long> failedSeqs = new ArrayList<>();
  final Map<String, Long> failureReasons = new TreeMap<>();
  final Histogram ackLatency = new Histogram(3_600_000_000L, 3);
  long behindTicks; // timer ticks on which events were due and no connection was free
  long probesSent;

  /**
   * Publishes to {@code remote} over HTTP, or through {@code api} when it is not null (then {@code
   * connections} is the number of publishes in flight).
   */
  Publisher(
      EventLoopGroup group,
      Class<? extends Channel> channelClass,
      InetSocketAddress remote,
      Target target,
      String channel,
      int connections,
      int eventBytes,
      BenchClock clock,
      long maxEvents,
      SseHub api) {
    this.loop = group.next();
    this.api = api;
    this.remote = remote;
    this.target = target;
    this.channel = channel;
    this.hostHeader = remote.getHostString() + ":" + remote.getPort();
    this.clock = clock;
    this.connections = connections;
    this.maxEvents = maxEvents;
    // {"s":1234567,"t":1732570000000000,"p":""} is about 45 bytes: pad up to eventBytes.
    this.padding = "x".repeat(Math.max(0, eventBytes - 45));
    this.bootstrap =
        api != null
            ? null
            : new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel ch) {
                        ch.pipeline()
                            .addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(64 * 1024),
                                new Conn());
                      }
                    });
  }

  /** Opens the pool's connections; completes when all are open. */
  CompletableFuture<Void> connect() {
    if (api != null) {
      return CompletableFuture.runAsync(
          () -> {
            for (int i = 0; i < connections; i++) {
              idle.add(new ApiSlot());
            }
          },
          loop);
    }
    List<CompletableFuture<Void>> opened = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      opened.add(open());
    }
    return CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> open() {
    CompletableFuture<Void> opened = new CompletableFuture<>();
    bootstrap
        .connect(remote)
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                opened.complete(null);
              } else {
                opened.completeExceptionally(f.cause());
              }
            });
    return opened;
  }

  /** Sends one probe event, if a connection is free; from any thread. */
  void probe() {
    loop.execute(
        () -> {
          Slot slot = idle.poll();
          if (slot != null) {
            probesSent++;
            slot.send(PROBE, "{\"probe\":" + probesSent + "}");
          }
        });
  }

  /**
   * Publishes probe events (not counted) at the measured rate for {@code durationNanos}: warms the
   * hub (a JVM compiles its hot path in the first seconds) and the generator alike.
   */
  CompletableFuture<Void> warmUp(long ratePerSecond, long durationNanos) {
    return phase(true, ratePerSecond, durationNanos);
  }

  /** Publishes measured events for {@code durationNanos}; completes once every one is answered. */
  CompletableFuture<Void> measure(long ratePerSecond, long durationNanos) {
    return phase(false, ratePerSecond, durationNanos);
  }

  private CompletableFuture<Void> phase(boolean warm, long ratePerSecond, long durationNanos) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          warming = warm;
          stopping = false;
          sentInPhase = 0;
          done = result;
          rate = ratePerSecond;
          startNanos = System.nanoTime();
          endNanos = startNanos + durationNanos;
          measuring = true;
          long tickMicros =
              rate == 0 ? 1_000 : Math.max(100, Math.min(1_000, 1_000_000 / Math.max(1, rate)));
          ticker = loop.scheduleAtFixedRate(this::tick, 0, tickMicros, TimeUnit.MICROSECONDS);
        });
    return result;
  }

  long publishedCount() {
    return nextSeq;
  }

  long startNanos() {
    return startNanos;
  }

  /** Nanoseconds the measured phase took to publish (to the last answer). */
  long elapsedNanos;

  private void tick() {
    long now = System.nanoTime();
    if (now >= endNanos || nextSeq >= maxEvents) {
      stopping = true;
      ticker.cancel(false);
      maybeDone();
      return;
    }
    long due = rate == 0 ? Long.MAX_VALUE : (now - startNanos) * rate / 1_000_000_000L + 1;
    boolean sent = false;
    while (sentInPhase < due && !idle.isEmpty()) {
      sendNext(idle.poll());
      sent = true;
    }
    if (sentInPhase < due && rate != 0 && !sent && !warming) {
      behindTicks++;
    }
  }

  private void sendNext(Slot slot) {
    sentInPhase++;
    if (warming) {
      slot.send(WARM, "{\"probe\":0,\"p\":\"" + padding + "\"}");
      return;
    }
    long seq = nextSeq++;
    slot.send(seq, "{\"s\":" + seq + ",\"t\":" + clock.micros() + ",\"p\":\"" + padding + "\"}");
  }

  /**
   * A connection (or slot) is free again: send at once if the schedule (or flat out) wants an
   * event.
   */
  private void released(Slot slot) {
    if (measuring && !stopping) {
      long now = System.nanoTime();
      if (now >= endNanos || nextSeq >= maxEvents) {
        stopping = true;
      } else if (rate == 0 || sentInPhase < (now - startNanos) * rate / 1_000_000_000L + 1) {
        sendNext(slot);
        return;
      }
    }
    idle.add(slot);
    maybeDone();
  }

  private void maybeDone() {
    if (stopping && inFlight == 0 && done != null && !done.isDone()) {
      measuring = false;
      if (!warming) {
        elapsedNanos = System.nanoTime() - startNanos;
      }
      done.complete(null);
    }
  }

  private void completed(long seq, long sentNanos, String failure) {
    if (seq == PROBE) {
      return;
    }
    inFlight--;
    if (seq == WARM) {
      return;
    }
    if (failure == null) {
      acked++;
      ackLatency.recordValue(
          Math.min(ackLatency.getHighestTrackableValue(), (System.nanoTime() - sentNanos) / 1_000));
    } else {
      failed++;
      failedSeqs.add(seq);
      failureReasons.merge(failure, 1L, Long::sum);
    }
  }

  /** Closes every connection. */
  void close() {
    loop.execute(
        () -> {
          closing = true;
          all.forEach(conn -> conn.ch.close());
        });
  }

  /** Where one publish at a time goes: an HTTP connection, or the Java API. On the loop. */
  private interface Slot {
    void send(long seq, String data);
  }

  /**
   * One publish in flight through the Java API: acknowledged when the hub's broker has stored the
   * event (on Redis: the script that appends it to history and publishes it has run).
   */
  private final class ApiSlot implements Slot {
    @Override
    public void send(long seq, String data) {
      if (seq != PROBE) {
        inFlight++;
      }
      long sentNanos = System.nanoTime();
      CompletableFuture<SseEvent> stored;
      try {
        stored = api.publish(channel, data);
      } catch (RuntimeException e) {
        stored = CompletableFuture.failedFuture(e);
      }
      stored
          .orTimeout(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
          .whenCompleteAsync(
              (event, failure) -> {
                completed(
                    seq,
                    sentNanos,
                    failure == null
                        ? null
                        : "java api: " + unwrap(failure).getClass().getSimpleName());
                released(this);
              },
              loop);
    }

    private Throwable unwrap(Throwable failure) {
      return failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause()
          : failure;
    }
  }

  /** One keep-alive connection with at most one request in flight. */
  private final class Conn extends SimpleChannelInboundHandler<FullHttpResponse> implements Slot {
    private Channel ch;
    private long seq = Long.MIN_VALUE; // in flight; MIN_VALUE: none
    private long sentNanos;
    private ScheduledFuture<?> timeout;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      all.add(this);
      idle.add(this);
      if (measuring && !stopping) {
        released(idle.pollLast());
      }
      ctx.fireChannelActive();
    }

    @Override
    public void send(long seq, String data) {
      if (seq != PROBE) {
        inFlight++;
      }
      this.seq = seq;
      this.sentNanos = System.nanoTime();
      byte[] body = target.publishBody(channel, data);
      FullHttpRequest request =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              HttpMethod.POST,
              target.publishPath(channel),
              Unpooled.wrappedBuffer(body));
      request
          .headers()
          .set(HttpHeaderNames.HOST, hostHeader)
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      timeout =
          loop.schedule(
              () -> {
                finish("timeout");
                this.ch.close();
              },
              REQUEST_TIMEOUT_MILLIS,
              TimeUnit.MILLISECONDS);
      this.ch
          .writeAndFlush(request)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  finish("write failed");
                  this.ch.close();
                }
              });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      int status = response.status().code();
      boolean ok = status >= 200 && status < 300;
      if (finish(ok ? null : "status " + status)) {
        released(this);
      }
    }

    /** Ends the request in flight, if any; true if there was one. */
    private boolean finish(String failure) {
      if (seq == Long.MIN_VALUE) {
        return false;
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
      long s = seq;
      seq = Long.MIN_VALUE;
      completed(s, sentNanos, failure);
      return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.remove(this);
      all.remove(this);
      finish("connection closed");
      maybeDone();
      if (!closing) {
        // Keep the pool at strength, in every phase: a hub closes a connection that stays idle past
        // its request timeout (ssehub: 408 after 10 s), as the pool's do while 19,000 streams open.
        open()
            .whenComplete(
                (ignored, failure) -> {
                  if (failure != null) {
                    failureReasons.merge("reconnect failed: " + failure, 1L, Long::sum);
                  }
                });
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
