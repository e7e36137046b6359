package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Security and limit flags that cannot work stop the hub at start with exit code 2. */
class SecurityFlagsTest {
  private static int run(Map<String, String> env, String... args) {
    CommandLine cmd = Main.commandLine(env);
    cmd.setErr(new PrintWriter(new StringWriter()));
    return cmd.execute(args);
  }

  @Test
  void shortJwtSecretIsRefused() {
    assertThat(run(Map.of(), "--port", "0", "--jwt-secret", "short")).isEqualTo(2);
    assertThat(run(Map.of("SSEHUB_JWT_SECRET", "short"), "--port", "0")).isEqualTo(2);
  }

  @Test
  void twoKeysAreRefused() {
    assertThat(
            run(Map.of(), "--port", "0", "--jwt-secret", "x".repeat(32), "--jwks", "/nonexistent"))
        .isEqualTo(2);
  }

  @Test
  void unreadableKeyFileIsRefused() {
    assertThat(run(Map.of(), "--port", "0", "--jwt-public-key", "/nonexistent.pem")).isEqualTo(2);
  }

  @Test
  void badCorsOriginAndPatternAreRefused() {
    assertThat(run(Map.of(), "--port", "0", "--cors-origin", "app.example.com")).isEqualTo(2);
    assertThat(run(Map.of(), "--port", "0", "--public-channels", "bad name")).isEqualTo(2);
  }

  @Test
  void badMercureKeysAreRefused() {
    assertThat(run(Map.of(), "--port", "0", "--mercure-publisher-jwt-secret", "short"))
        .isEqualTo(2);
    assertThat(run(Map.of("SSEHUB_MERCURE_SUBSCRIBER_JWT_SECRET", "short"), "--port", "0"))
        .isEqualTo(2);
    assertThat(
            run(
                Map.of(),
                "--port",
                "0",
                "--mercure-subscriber-jwt-secret",
                "x".repeat(32),
                "--mercure-subscriber-jwt-public-key",
                "/nonexistent.pem"))
        .isEqualTo(2);
    assertThat(
            run(Map.of(), "--port", "0", "--mercure-publisher-jwt-public-key", "/nonexistent.pem"))
        .isEqualTo(2);
  }
}
