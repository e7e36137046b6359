package io.ssehub.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.ssehub.core.SseSink;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One stream's HTTP response on a Netty channel.
 *
 * <p>Why a queue of its own rather than {@code channel.writeAndFlush} from the calling thread:
 * Netty writes at once when called on the channel's event loop and queues a task otherwise, so a
 * send from the event loop (a publish handled on the same loop) could overtake an earlier send from
 * another thread that is still a queued task, and the client would see events out of order
 * (ARCHITECTURE.md invariant 3). Here every send goes through one FIFO queue that the event loop
 * drains; a drain writes everything queued and flushes once, so a client that falls behind gets its
 * events coalesced into fewer writes. The drains of all the sinks of one event loop run in one task
 * ({@link WriteBatch}), and on HTTP/1.x an event's bytes are framed once and written below the HTTP
 * encoder ({@link Framing}).
 *
 * <p>Threading: {@link #send}, {@link #close} and {@link #abort} may be called from any thread (the
 * hub calls them one at a time per stream); {@link #drain} runs on the event loop only.
 */
public final class NettySink implements SseSink {
  /** Marks the end of the response in the queue. */
  private static final Object END = new Object();

  private final Channel channel;
  private final Framing framing;

  /**
   * Where framed bytes enter the pipeline: below the HTTP/1 encoder, or its tail for {@link
   * Framing#CONTENT}.
   */
  private final ChannelHandlerContext bytesEntry;

  private final WriteBatch batch;

  /**
   * Response head, then framed messages ({@link Framing#wrap}), then maybe {@link #END}. A linked
   * queue: most streams hold a few items at a time, and an array queue would cost kilobytes per
   * stream.
   */
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();

  /** Bytes in {@link #queue}: not yet handed to the channel, so not in its outbound buffer. */
  private final AtomicLong queuedBytes = new AtomicLong();

  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  /** Set by close or abort: later sends are dropped. */
  private volatile boolean ended;

  /** Set by abort: queued bytes are dropped, not written. */
  private volatile boolean aborted;

  /**
   * Who waits for the client to take what is queued ({@link #onWritable}); run on the event loop.
   */
  private final AtomicReference<Runnable> whenWritable = new AtomicReference<>();

  /** Where the bytes handed to the channel are counted, for metrics; null counts nothing. */
  private final LongAdder bytesWritten;

  /**
   * Where the deliveries queued here and not yet handed to the channel are counted; null counts
   * nothing.
   */
  private final LongAdder backlog;

  /** A sink whose first write will be {@code head}, the response's status and headers. */
  public NettySink(Channel channel, HttpResponse head) {
    this(channel, head, null);
  }

  /**
   * As {@link #NettySink(Channel, HttpResponse)}, adding the bytes handed to the channel to {@code
   * bytesWritten}.
   */
  public NettySink(Channel channel, HttpResponse head, LongAdder bytesWritten) {
    this(channel, head, bytesWritten, null);
  }

  /**
   * As {@link #NettySink(Channel, HttpResponse, LongAdder)}, also counting in {@code backlog} the
   * deliveries queued here and not yet handed to the channel (the server's fan-out backlog).
   */
  public NettySink(Channel channel, HttpResponse head, LongAdder bytesWritten, LongAdder backlog) {
    this.channel = channel;
    this.bytesWritten = bytesWritten;
    this.backlog = backlog;
    this.framing = Framing.of(channel.pipeline(), head);
    this.bytesEntry =
        framing.bypassesEncoder() ? channel.pipeline().context(HttpServerCodec.class) : null;
    this.batch = WriteBatch.of(channel.eventLoop());
    queue.add(head);
  }

  @Override
  public void send(byte[] bytes) {
    if (!ended) {
      enqueue(framing.frame(bytes, channel.alloc()));
    }
  }

  @Override
  public void send(byte[] prefix, byte[] shared) {
    if (ended) {
      return;
    }
    // The prefix is this stream's own: framed apart, so that the shared bytes stay one buffer for
    // all.
    ByteBuf own = framing.frameCopy(prefix, channel.alloc());
    if (framing.bypassesEncoder()) {
      enqueue(own); // two chunks: the second is the buffer that single-channel streams of the event
      // write
      enqueue(framing.frame(shared, channel.alloc()));
    } else {
      enqueue(Unpooled.wrappedBuffer(own, framing.frame(shared, channel.alloc())));
    }
  }

  private void enqueue(ByteBuf framed) {
    queuedBytes.addAndGet(framed.readableBytes());
    if (backlog != null) {
      backlog.increment();
    }
    queue.add(framing.wrap(framed));
    scheduleDrain();
  }

  /** The channel's event loop: the hub hands events to this loop's streams in one task on it. */
  @Override
  public Executor lane() {
    return channel.eventLoop();
  }

  @Override
  public long pendingBytes() {
    return queuedBytes.get() + inChannel();
  }

  /** Bytes handed to the channel that the client has not taken yet. */
  private long inChannel() {
    if (channel instanceof Http2StreamChannel stream) {
      // An HTTP/2 stream has no outbound buffer: its pending count (what waits for the socket or
      // for the client's flow-control window) shows only through the distance to its water marks.
      if (!stream.isActive()) {
        return 0;
      }
      WriteBufferWaterMark marks = stream.config().getWriteBufferWaterMark();
      return stream.isWritable()
          ? Math.max(0, marks.high() + 1 - stream.bytesBeforeUnwritable())
          : stream.bytesBeforeWritable() + marks.low() - 1;
    }
    ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
    return outbound == null ? 0 : outbound.totalPendingWriteBytes(); // null once closed
  }

  /**
   * Calls back once the queue is empty and the channel writable again (its outbound buffer below
   * the low-water mark), on the event loop. The check runs after every drain and on every
   * writability change ({@link #writabilityChanged}).
   */
  @Override
  public boolean onWritable(Runnable callback) {
    whenWritable.set(callback);
    try {
      channel.eventLoop().execute(this::writabilityChanged);
    } catch (RejectedExecutionException e) {
      whenWritable.set(null); // shutting down: the stream is being closed
    }
    return true;
  }

  /**
   * The channel's writability changed, or a drain ended: runs a waiting callback if the client
   * caught up.
   */
  void writabilityChanged() {
    if (aborted || !channel.isActive()) {
      whenWritable.set(null); // the close listener ends the stream
      return;
    }
    if (queue.isEmpty() && channel.isWritable()) {
      Runnable callback = whenWritable.getAndSet(null);
      if (callback != null) {
        callback.run();
      }
    }
  }

  @Override
  public void close() {
    if (ended) {
      return;
    }
    ended = true;
    queue.add(END);
    scheduleDrain();
  }

  @Override
  public void abort() {
    ended = true;
    aborted = true;
    channel.close();
    scheduleDrain(); // releases what is queued
  }

  /**
   * Drops everything queued without writing it, for a stream that the hub refused before it
   * started: the caller answers with an error response instead.
   */
  public void discard() {
    ended = true;
    aborted = true;
    Object item;
    long deliveries = 0;
    while ((item = queue.poll()) != null) {
      deliveries += isDelivery(item) ? 1 : 0;
      ReferenceCountUtil.release(item);
    }
    queuedBytes.set(0);
    leftBacklog(deliveries);
  }

  /** Whether a queued item is a delivery (framed bytes), not the head or the end. */
  private static boolean isDelivery(Object item) {
    return item instanceof ByteBuf || item instanceof ByteBufHolder;
  }

  private void leftBacklog(long deliveries) {
    if (backlog != null && deliveries > 0) {
      backlog.add(-deliveries);
    }
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true) && !batch.add(this, channel.eventLoop())) {
      // The event loop is shutting down and has closed the channel: nothing will be written.
      discard();
    }
  }

  /**
   * Writes what is queued and flushes once. Runs on the event loop, from its {@link WriteBatch}.
   */
  void drain() {
    drainScheduled.set(false);
    boolean wrote = false;
    long handed = 0;
    long deliveries = 0;
    Object item;
    while ((item = queue.poll()) != null) {
      deliveries += isDelivery(item) ? 1 : 0;
      long size = sizeOf(item);
      if (aborted || !channel.isActive()) {
        queuedBytes.addAndGet(-size);
        ReferenceCountUtil.release(item);
        continue;
      }
      if (item == END) {
        Object end = framing.end();
        (bytesEntry != null ? bytesEntry.writeAndFlush(end) : channel.writeAndFlush(end))
            .addListener(ChannelFutureListener.CLOSE);
        wrote = false;
        continue;
      }
      if (item instanceof HttpResponse || bytesEntry == null) {
        channel.write(item); // the head goes through the HTTP encoder
      } else {
        // Below the encoder; a failed write (client gone) releases the buffer, the close ends the
        // stream.
        bytesEntry.write(item, bytesEntry.voidPromise());
      }
      queuedBytes.addAndGet(-size);
      handed += size;
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
    leftBacklog(deliveries);
    if (handed > 0 && bytesWritten != null) {
      bytesWritten.add(handed); // once per drain: coalesced events count in one add
    }
    if (whenWritable.get() != null) {
      writabilityChanged();
    }
  }

  /** The bytes a queued item stands for: its framed length (0 for the head and the end). */
  private static long sizeOf(Object item) {
    if (item instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    return item instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
  }
}
