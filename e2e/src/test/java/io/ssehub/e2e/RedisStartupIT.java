package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Starting on Redis: an unreachable or unreadable Redis stops start-up with a clear message, unless
 * told to wait.
 */
class RedisStartupIT {

  @Test
  void unreachableRedisStopsStartUpNamingTheUrlWithoutItsPassword() {
    int closed = HubProcess.freePort();
    HubProcess.Finished run =
        HubProcess.run(
            Duration.ofSeconds(30),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(HubProcess.freePort()),
            "--redis",
            "redis://:s3cret@127.0.0.1:" + closed + "/0");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output()).contains("redis://:***@127.0.0.1:" + closed).doesNotContain("s3cret");
  }

  @Test
  void unreadableRedisUrlStopsStartUpWithUsageExitCode() {
    HubProcess.Finished run =
        HubProcess.run(
            Duration.ofSeconds(30),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(HubProcess.freePort()),
            "--redis",
            "redis://:pw@host:notaport");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("bad Redis setting").doesNotContain(":pw@");
  }

  @Test
  void bothRedisAndClusterIsRefused() {
    HubProcess.Finished run =
        HubProcess.run(
            Duration.ofSeconds(30),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(HubProcess.freePort()),
            "--redis",
            "redis://127.0.0.1:1",
            "--redis-cluster",
            "127.0.0.1:2");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("--redis and --redis-cluster");
  }

  @Test
  void redisWaitWaitsForRedisToComeUp() {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      redis.stop(); // its port is known; it comes back after the hub has started waiting
      java.util.concurrent.CompletableFuture<HubProcess> hub =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> HubProcess.start("--redis", redis.uri().toString(), "--redis-wait", "30s"));
      redis.start();
      try (HubProcess started = hub.join();
          SseClient stream =
              SseClient.open(SseClient.newHttpClient(), started.uri("/stream?channel=late"))) {
        Streams.awaitStarted(stream);
        new Publisher().publishOk(started.uri("/"), "late", "made it");
        assertThat(stream.awaitEvents(1, Duration.ofSeconds(10)))
            .extracting(SseParser.Event::data)
            .isEqualTo(List.of("made it"));
      }
    }
  }

  @Test
  void flaskSseEnvironmentSelectsRedis() throws Exception {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      ProcessBuilder builder =
          new ProcessBuilder(
                  HubProcess.repoRoot().resolve("bin/ssehub").toString(),
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0")
              .redirectErrorStream(true);
      builder.environment().put("SSE_REDIS_HOST", "127.0.0.1");
      builder.environment().put("SSE_REDIS_PORT", Integer.toString(redis.port()));
      builder.environment().put("SSE_REDIS_DB", "0");
      Process process = builder.start();
      try (java.io.BufferedReader out =
          new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
        String line;
        String found = null;
        while ((line = out.readLine()) != null) {
          if (line.contains("ssehub listening")) {
            found = line;
            break;
          }
        }
        assertThat(found)
            .as("start-up line")
            .contains("broker: redis redis://127.0.0.1:" + redis.port());
      } finally {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
