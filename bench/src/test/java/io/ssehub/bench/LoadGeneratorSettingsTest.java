package io.ssehub.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The generator's options are checked before any stream opens, and a bad one is named. */
class LoadGeneratorSettingsTest {

  private static LoadGenerator.Settings settings(String... args) {
    LoadGenerator.Options options = new LoadGenerator.Options();
    new CommandLine(options).parseArgs(args);
    return LoadGenerator.Settings.of(options);
  }

  @Test
  void durationsTakeMillisecondsSecondsAndMinutes() {
    LoadGenerator.Settings s =
        settings("--idle", "10s", "--warmup", "500ms", "--drain", "2m", "--duration", "3");
    assertThat(s.idle).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.warmup).isEqualTo(Duration.ofMillis(500));
    assertThat(s.drain).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.duration).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void theIdleWaitIsNoneUnlessAsked() {
    assertThat(settings().idle).isZero();
  }

  @Test
  void aDurationThatIsNotOneIsNamedWithItsOption() {
    assertThatThrownBy(() -> settings("--idle", "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--idle: soon (expected: a duration such as 500ms, 10s, 2m)");
  }

  @Test
  void aNegativeDurationIsNamedWithItsOption() {
    assertThatThrownBy(() -> settings("--drain", "-1s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--drain: -1s (expected: a duration of 0 or more)");
  }

  @Test
  void publishingThroughTheJavaApiTakesALoopbackRedisUrl() {
    assertThat(settings("--publish-redis", "redis://127.0.0.1:6390").publishRedis)
        .hasToString("redis://127.0.0.1:6390");
    assertThat(settings().publishRedis).as("over HTTP unless asked").isNull();
  }

  @Test
  void aPublishRedisUrlThatIsNotLoopbackRedisIsNamedWithItsOption() {
    assertThatThrownBy(() -> settings("--publish-redis", "redis://10.0.0.1:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--publish-redis: 10.0.0.1 (expected: a loopback address, 127.0.0.0/8)");
    assertThatThrownBy(() -> settings("--publish-redis", "http://127.0.0.1:6390"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--publish-redis: http://127.0.0.1:6390 (expected: redis://127.0.0.1:PORT)");
    assertThatThrownBy(() -> settings("--publish-redis", "redis://127.0.0.1:63 90"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "--publish-redis: redis://127.0.0.1:63 90 (expected: redis://127.0.0.1:PORT; ");
  }

  @Test
  void theJavaApiPublishesToSsehubOnly() {
    assertThatThrownBy(
            () -> settings("--target", "nchan", "--publish-redis", "redis://127.0.0.1:6390"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--publish-redis: publishes through ssehub's Java API (expected: --target ssehub)");
  }

  @Test
  void aHubUrlThatIsNotLoopbackHttpIsNamedWithItsOption() {
    assertThatThrownBy(() -> settings("--url", "https://127.0.0.1:8080"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--url: https://127.0.0.1:8080 (expected: http://127.0.0.1:PORT)");
    assertThatThrownBy(() -> settings("--url", "http://127.0.0.1:80 80"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--url: http://127.0.0.1:80 80 (expected: http://127.0.0.1:PORT; ");
    assertThatThrownBy(() -> settings("--url", "http://192.0.2.1:8080"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--url: 192.0.2.1 (expected: a loopback address, 127.0.0.0/8)");
  }
}
