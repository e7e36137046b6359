package io.ssehub.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseSink;
import io.ssehub.server.WritePath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's write path for one event to N HTTP/1.1 streams, after the hub has encoded it once:
 * how the bytes get from the shared array to each channel's outbound end. Each stream is an {@link
 * EmbeddedChannel} with Netty's {@link HttpServerCodec}, a GET decoded and a chunked response head
 * written. One operation is one event reaching every stream (a fresh array each time, as each
 * publish is); everything the channels write is read back and released inside the operation, for
 * both paths alike. Divide by {@code streams} for the cost per delivery.
 *
 * <ul>
 *   <li>{@code encoder}: what the server did before: each stream writes a {@code
 *       DefaultHttpContent} wrapping the array through the pipeline and flushes; the HTTP encoder
 *       makes each stream's chunk header, CRLF and promise combiner, and the socket would copy the
 *       heap bytes to direct.
 *   <li>{@code preframed}: what it does now: {@code send} on each stream's sink (the server's
 *       {@code NettySink}, through its benchmark seam {@link WritePath}), then the channels run
 *       their pending tasks (the sinks' drains). The event is framed as a chunk once per thread
 *       into a direct buffer and each stream writes a duplicate below the HTTP encoder.
 * </ul>
 *
 * <p>Two limits to read the figures with. The frame-once cache is a Netty {@code FastThreadLocal}
 * and only caches on {@link FastThreadLocalThread}s (the server's event loops); elsewhere {@code
 * preframed} frames a copy per stream. The fork therefore runs JMH's benchmark threads as such
 * threads ({@link FastThreadLocalExecutor}, through {@code jmh.executor=CUSTOM}); with {@code -f 0}
 * (no fork) they are plain threads and {@code preframed} frames once per send. Setup prints which.
 * And every {@code EmbeddedChannel} has an event loop of its own, so {@code preframed} runs one
 * drain task per stream, where the server runs one per event loop for all its streams.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Djmh.executor=CUSTOM",
      "-Djmh.executor.class=io.ssehub.bench.jmh.WritePathBenchmark$FastThreadLocalExecutor"
    })
public class WritePathBenchmark {
  @Param({"1", "100", "1000"})
  public int streams;

  private EmbeddedChannel[] encoderChannels;
  private EmbeddedChannel[] sinkChannels;
  private SseSink[] sinks;
  private byte[] event;

  /**
   * JMH's benchmark threads as Netty's {@link FastThreadLocalThread}s, as the server's event loops
   * are. JMH makes it by name with (threads, name prefix) when {@code jmh.executor=CUSTOM}.
   */
  public static final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    public FastThreadLocalExecutor(int threads, String prefix) {
      super(
          threads,
          threads,
          1,
          TimeUnit.MINUTES,
          new LinkedBlockingQueue<>(),
          new DefaultThreadFactory(prefix, true));
    }
  }

  @Setup(Level.Trial)
  public void setup() {
    event =
        SseEncoder.encode(
            SseEvent.builder()
                .id("1732570000000-0")
                .data("{\"s\":123456,\"t\":1732570000000000,\"p\":\"xxxxxxxxxxxxxxxxxxx\"}")
                .build());
    System.err.println(
        "WritePathBenchmark: benchmark thread "
            + Thread.currentThread().getName()
            + " is "
            + (FastThreadLocalThread.currentThreadHasFastThreadLocal()
                ? "a FastThreadLocalThread: preframed frames once per event"
                : "a plain thread: preframed frames once per send"));
    encoderChannels = new EmbeddedChannel[streams];
    sinkChannels = new EmbeddedChannel[streams];
    sinks = new SseSink[streams];
    for (int i = 0; i < streams; i++) {
      encoderChannels[i] = streamChannel();
      encoderChannels[i].writeAndFlush(chunkedHead());
      sinkChannels[i] = streamChannel();
      sinks[i] = WritePath.sink(sinkChannels[i], chunkedHead());
    }
    byte[] head = written(encoderChannels[0]);
    // One event both ways to every stream (the sinks write their heads with it), stream 0's bytes
    // kept to compare.
    byte[] viaEncoder = null;
    byte[] viaSink = null;
    for (int i = 0; i < streams; i++) {
      encoderChannels[i].writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(event)));
      sinks[i].send(event);
      sinkChannels[i].runPendingTasks();
      byte[] encoded = written(encoderChannels[i]);
      byte[] framed = written(sinkChannels[i]);
      if (i == 0) {
        viaEncoder = encoded;
        viaSink = framed;
      }
    }
    byte[] chunk =
        (Integer.toHexString(event.length)
                + "\r\n"
                + new String(event, StandardCharsets.UTF_8)
                + "\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] headAndChunk = Arrays.copyOf(head, head.length + chunk.length);
    System.arraycopy(chunk, 0, headAndChunk, head.length, chunk.length);
    if (!Arrays.equals(viaEncoder, chunk) || !Arrays.equals(viaSink, headAndChunk)) {
      throw new IllegalStateException(
          "the two paths do not write the same bytes:\n"
              + new String(viaEncoder, StandardCharsets.UTF_8)
              + "\n---\n"
              + new String(viaSink, StandardCharsets.UTF_8));
    }
  }

  private static EmbeddedChannel streamChannel() {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec());
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "GET /events HTTP/1.1\r\nHost: bench\r\n\r\n", StandardCharsets.US_ASCII));
    Object message;
    while ((message = channel.readInbound()) != null) {
      ReferenceCountUtil.release(message);
    }
    return channel;
  }

  private static HttpResponse chunkedHead() {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    HttpUtil.setTransferEncodingChunked(head, true);
    return head;
  }

  /** What the channel wrote since last read, as bytes; releases it. */
  private static byte[] written(EmbeddedChannel channel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object message;
    while ((message = channel.readOutbound()) != null) {
      ByteBuf buf = message instanceof ByteBufHolder holder ? holder.content() : (ByteBuf) message;
      byte[] bytes = new byte[buf.readableBytes()];
      buf.getBytes(buf.readerIndex(), bytes);
      out.writeBytes(bytes);
      ReferenceCountUtil.release(message);
    }
    return out.toByteArray();
  }

  /**
   * Reads and releases what the channel wrote; returns its size, so that nothing is left unread.
   */
  private static long release(EmbeddedChannel channel) {
    long bytes = 0;
    Object message;
    while ((message = channel.readOutbound()) != null) {
      bytes += message instanceof ByteBuf buf ? buf.readableBytes() : 1;
      ReferenceCountUtil.release(message);
    }
    return bytes;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (int i = 0; i < streams; i++) {
      encoderChannels[i].finishAndReleaseAll();
      WritePath.discard(sinks[i]);
      sinkChannels[i].finishAndReleaseAll();
    }
  }

  @Benchmark
  public long encoder() {
    byte[] bytes = event.clone(); // a new event's array, as in preframed
    for (EmbeddedChannel channel : encoderChannels) {
      channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }
    long total = 0;
    for (EmbeddedChannel channel : encoderChannels) {
      total += release(channel);
    }
    return total;
  }

  @Benchmark
  public long preframed() {
    byte[] bytes = event.clone(); // a new array: the frame-once cache keys on the array
    for (SseSink sink : sinks) {
      sink.send(bytes);
    }
    long total = 0;
    for (EmbeddedChannel channel : sinkChannels) {
      channel.runPendingTasks();
      total += release(channel);
    }
    return total;
  }
}
