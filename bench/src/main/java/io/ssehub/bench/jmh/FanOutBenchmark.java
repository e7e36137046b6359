package io.ssehub.bench.jmh;

import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import java.time.Duration;
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
 * The hub's fan-out path, one publish to N in-memory subscribers whose sinks only count bytes,
 * beside the alternatives it was designed against. One operation is one publish, reaching every
 * subscriber: divide by {@code subscribers} for the cost per delivery.
 *
 * <ul>
 *   <li>{@code hubPublish}: {@link SseHub#publish} on the in-memory broker: validation, id,
 *       history, one encoding shared by every stream, each stream's lock and pending-bytes check.
 *   <li>{@code perSubscriberEncode}: what the hub avoids: each subscriber encodes the event itself
 *       (a thread or emitter per client does this, as Spring's {@code SseEmitter} does).
 *   <li>{@code sharedEncodeLoop}: the floor: encode once and hand the array to each sink, with none
 *       of the hub's bookkeeping. {@code hubPublish} over this is the hub's overhead.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
  @Param({"1", "100", "10000"})
  public int subscribers;

  private SseHub hub;
  private CountingSink[] sinks;
  private SseEvent event;
  private long nextId;

  /** A sink that keeps nothing: it counts what it is given. */
  static final class CountingSink implements SseSink {
    long bytes;

    @Override
    public void send(byte[] b) {
      bytes += b.length;
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void abort() {}
  }

  @Setup(Level.Trial)
  public void setup() {
    hub = SseHub.builder().keepalive(Duration.ZERO).build();
    sinks = new CountingSink[subscribers];
    for (int i = 0; i < subscribers; i++) {
      sinks[i] = new CountingSink();
      hub.subscribe(SubscribeRequest.of("bench"), sinks[i]);
    }
    event = SseEvent.of("{\"s\":123456,\"t\":1732570000000000,\"p\":\"xxxxxxxxxxxxxxxxxxx\"}");
    if (hub.streamCount() != subscribers) {
      throw new IllegalStateException(
          "streams: " + hub.streamCount() + " (expected: " + subscribers + ")");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    long total = 0;
    for (CountingSink sink : sinks) {
      total += sink.bytes;
    }
    hub.close();
    if (total == 0) {
      throw new IllegalStateException("no bytes reached the sinks: the benchmark measured nothing");
    }
  }

  @Benchmark
  public SseEvent hubPublish() {
    return hub.publish("bench", event).join();
  }

  @Benchmark
  public long perSubscriberEncode() {
    SseEvent withId = event.withId(Long.toString(++nextId));
    for (CountingSink sink : sinks) {
      sink.send(SseEncoder.encode(withId));
    }
    return nextId;
  }

  @Benchmark
  public long sharedEncodeLoop() {
    byte[] bytes = SseEncoder.encode(event.withId(Long.toString(++nextId)));
    for (CountingSink sink : sinks) {
      sink.send(bytes);
    }
    return nextId;
  }
}
