package io.ssehub.http.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.PublishRequests;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the publish body parser: any content type and any bytes either parse or fail with an
 * {@link HttpProblem}; nothing else may escape. Run by CI in fuzzing mode ({@code JAZZER_FUZZ=1},
 * bounded by {@code maxDuration}); otherwise only the seeds run.
 */
class PublishRequestsFuzzTest {
  static final AtomicLong INPUTS = new AtomicLong();

  @FuzzTest(maxDuration = "30s")
  void parse(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    String contentType =
        data.pickValue(
            new String[] {
              "application/json",
              "application/x-www-form-urlencoded",
              "application/json; charset=utf-8",
              "text/plain",
              null,
              data.consumeString(40)
            });
    byte[] body = data.consumeRemainingAsBytes();
    try {
      PublishRequests.parse(contentType, ByteBuffer.wrap(body));
    } catch (HttpProblem expected) {
      // a 4xx: what bad input gets
    }
  }

  @AfterAll
  static void count() {
    System.out.println("[fuzz] PublishRequests.parse: " + INPUTS.get() + " inputs executed");
  }
}
