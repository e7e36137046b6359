package io.ssehub.http.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.QueryDecoder;
import io.ssehub.http.StreamRequests;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes query decoding and stream request parsing: a request or an {@link HttpProblem}, nothing
 * else.
 */
class StreamRequestsFuzzTest {
  static final AtomicLong INPUTS = new AtomicLong();

  @FuzzTest(maxDuration = "30s")
  void parse(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    String header = data.consumeBoolean() ? data.consumeString(64) : null;
    String query = data.consumeRemainingAsString();
    try {
      StreamRequests.parse(
          QueryDecoder.decode(query), StreamRequests.lastEventIdFromLatin1(header));
    } catch (HttpProblem expected) {
      // a 400
    }
  }

  @AfterAll
  static void count() {
    System.out.println(
        "[fuzz] QueryDecoder.decode + StreamRequests.parse: " + INPUTS.get() + " inputs executed");
  }
}
