package io.ssehub.bench.jmh;

import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ssehub's {@link SseEncoder#encode} beside the two ways an SSE encoder is usually first written:
 * {@code String.format} per field with a regex split of the data, and string concatenation with the
 * same split. All three produce the same bytes (checked in {@link #setup}).
 *
 * <p>Shapes: {@code small} is the load generator's event (a 64-byte JSON object, one line, with an
 * id and a type); {@code multiline} is 1 KB of data over 16 lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncoderBenchmark {
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

  @Param({"small", "multiline"})
  public String shape;

  private SseEvent event;

  @Setup
  public void setup() {
    String data =
        switch (shape) {
          case "small" -> "{\"s\":123456,\"t\":1732570000000000,\"p\":\"xxxxxxxxxxxxxxxxxxx\"}";
          case "multiline" -> ("{\"line\":\"" + "y".repeat(50) + "\"}\n").repeat(16).trim();
          default ->
              throw new IllegalArgumentException(
                  "shape: " + shape + " (expected: small or multiline)");
        };
    event = SseEvent.builder().id("1732570000000-0").type("update").data(data).build();
    byte[] expected = SseEncoder.encode(event);
    if (!java.util.Arrays.equals(expected, naiveFormat())
        || !java.util.Arrays.equals(expected, naiveConcat())) {
      throw new IllegalStateException("the alternatives do not write what SseEncoder writes");
    }
  }

  @Benchmark
  public byte[] ssehub() {
    return SseEncoder.encode(event);
  }

  @Benchmark
  public byte[] naiveFormat() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("id: %s\n", event.id()));
    out.append(String.format("event: %s\n", event.type()));
    for (String line : LINE_BREAK.split(event.data(), -1)) {
      out.append(String.format("data: %s\n", line));
    }
    out.append('\n');
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public byte[] naiveConcat() {
    String out = "id: " + event.id() + "\n" + "event: " + event.type() + "\n";
    for (String line : event.data().split("\r\n|\r|\n", -1)) {
      out += "data: " + line + "\n";
    }
    return (out + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
