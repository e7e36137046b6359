package io.ssehub.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The write-path benchmark's two paths write the same bytes and release all of them (the tests run
 * with paranoid leak detection), on the thread kinds it can run on: a plain thread, where the sink
 * frames each send, and a FastThreadLocalThread, where it frames once per event.
 */
class WritePathBenchmarkTest {

  /** One event to three streams both ways, twice; returns the bytes each operation wrote. */
  private static long[] runBothPaths() {
    WritePathBenchmark benchmark = new WritePathBenchmark();
    benchmark.streams = 3;
    benchmark.setup(); // throws if the paths' bytes differ
    try {
      return new long[] {
        benchmark.encoder(), benchmark.preframed(), benchmark.encoder(), benchmark.preframed()
      };
    } finally {
      benchmark.tearDown();
    }
  }

  @Test
  void bothPathsWriteTheSameChunksOnAPlainThread() {
    long[] written = runBothPaths();

    assertThat(written[0])
        .isPositive()
        .isEqualTo(written[1])
        .isEqualTo(written[2])
        .isEqualTo(written[3]);
    assertThat(written[0] % 3).isZero();
  }

  @Test
  void bothPathsWriteTheSameChunksOnAFastThreadLocalThread() throws Exception {
    CompletableFuture<long[]> result = new CompletableFuture<>();
    Thread thread =
        new DefaultThreadFactory("write-path-test")
            .newThread(
                () -> {
                  try {
                    result.complete(runBothPaths());
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    thread.start();

    long[] written = result.get(30, TimeUnit.SECONDS);
    thread.join(
        TimeUnit.SECONDS.toMillis(
            30)); // its thread locals (the framed event) are released as it ends
    assertThat(written[0])
        .isPositive()
        .isEqualTo(written[1])
        .isEqualTo(written[2])
        .isEqualTo(written[3]);
  }
}
