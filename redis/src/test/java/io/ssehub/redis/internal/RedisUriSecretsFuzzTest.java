package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the masking of Redis URIs, which operators write and ssehub prints: whatever the password
 * holds, the masked URI is the URI with exactly the password replaced, and no text makes masking
 * throw. Run by CI in fuzzing mode ({@code JAZZER_FUZZ=1}, bounded by {@code maxDuration});
 * otherwise only the seeds run.
 */
class RedisUriSecretsFuzzTest {
  private static final AtomicLong INPUTS = new AtomicLong();
  private static final List<String> SCHEMES =
      List.of(
          "redis://", "rediss://", "redis-sentinel://", "redis-cluster://", "redis-socket://", "");

  @FuzzTest(maxDuration = "10s")
  void passwordNeverShown(FuzzedDataProvider data) {
    INPUTS.incrementAndGet();
    String scheme = data.pickValue(SCHEMES);
    // Without a scheme, a user name could read as one ("ab" + "://..." in the password).
    String user = scheme.isEmpty() ? "" : data.consumeString(8).replaceAll("[:@]", "");
    String password = data.consumeString(40);
    String rest = data.consumeRemainingAsString().replace("@", "");
    String uri = scheme + user + ":" + password + "@" + rest;

    String masked = RedisUriSecrets.mask(uri);
    String expected = scheme + user + ":" + RedisUriSecrets.MASK + "@" + rest;
    // The query of the rest may hold secret parameters of its own, masked as well.
    assertThat(masked).isEqualTo(RedisUriSecrets.mask(expected));
    if (!password.isEmpty() && password.indexOf('*') < 0) {
      assertThat(
              RedisUriSecrets.maskText(
                  "failed: " + password + " / " + uri, RedisUriSecrets.secrets(uri)))
          .doesNotContain(password);
    }
  }

  @AfterAll
  static void count() {
    System.out.println("[fuzz] RedisUriSecrets.mask: " + INPUTS.get() + " inputs executed");
  }
}
