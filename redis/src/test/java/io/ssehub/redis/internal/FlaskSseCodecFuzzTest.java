package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the reading of Redis messages, which any Redis client may publish: every message decodes
 * to exactly one of an event or a problem to log; nothing may escape into the pub/sub listener. Run
 * by CI in fuzzing mode ({@code JAZZER_FUZZ=1}, bounded by {@code maxDuration}); otherwise only the
 * seeds run.
 */
class FlaskSseCodecFuzzTest {
  private static final AtomicLong INPUTS = new AtomicLong();
  private static final FlaskSseCodec CODEC = new FlaskSseCodec(4096);

  @FuzzTest(maxDuration = "30s")
  void decode(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    String defaultId = data.consumeBoolean() ? null : data.consumeString(20);
    FlaskSseCodec.Decoded decoded = CODEC.decode(data.consumeRemainingAsBytes(), defaultId);
    assertThat(decoded.event() == null).isNotEqualTo(decoded.problem() == null);
  }

  @AfterAll
  static void count() {
    System.out.println("[fuzz] FlaskSseCodec.decode: " + INPUTS.get() + " inputs executed");
  }
}
