package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.SseEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Settings, URIs and secrets: everything that needs no Redis. */
class RedisBrokerTest {
  @Test
  void passwordsMaskedInEveryUserInfoForm() {
    assertThat(RedisBroker.maskPassword("redis://:secret@127.0.0.1:6390/0"))
        .isEqualTo("redis://:***@127.0.0.1:6390/0");
    assertThat(RedisBroker.maskPassword("rediss://user:pa:ss@host:6380"))
        .isEqualTo("rediss://user:***@host:6380");
    assertThat(RedisBroker.maskPassword("redis://secret@host")).isEqualTo("redis://***@host");
    assertThat(RedisBroker.maskPassword("redis-sentinel://pw@s1:26379,s2:26379/0#mymaster"))
        .isEqualTo("redis-sentinel://***@s1:26379,s2:26379/0#mymaster");
    assertThat(RedisBroker.maskPassword("redis://host:6379/0?password=pw"))
        .isEqualTo("redis://host:6379/0?password=***");
    assertThat(RedisBroker.maskPassword("redis://host:6379/0")).isEqualTo("redis://host:6379/0");
    assertThat(RedisBroker.maskPassword(null)).isNull();
  }

  @Test
  void noPasswordFormReachesDescribe() {
    for (String uri :
        List.of(
            "redis://127.0.0.1:6390?password=qz-secret",
            "redis://:qz-secret@h:6379/0",
            "redis://user:qz-secret@h",
            "redis://qz-secret@h",
            "rediss://:qz-secret@h:6380",
            "redis://:qz@secret@h",
            "redis-socket:///tmp/redis.sock?password=qz-secret",
            "redis-sentinel://:qz-secret@s1:26379,s2:26379/0#mymaster",
            "redis-sentinel://s1:26379?sentinelMasterId=m&password=qz-secret",
            "redis-cluster://:qz-secret@h1:7000,h2:7001")) {
      RedisBroker broker = RedisBroker.builder().uri(uri).build();
      assertThat(broker.describe())
          .as(uri)
          .contains("***")
          .doesNotContain("qz")
          .doesNotContain("secret");
      assertThat(broker.toString()).as(uri).doesNotContain("secret");
    }
    assertThat(
            RedisBroker.builder()
                .cluster(List.of(":qz-secret@h1:7000", "h2:7001"))
                .build()
                .describe())
        .isEqualTo(
            "redis cluster :***@h1:7000,h2:7001 (sharded pub/sub, history: 1000 events, 67108864 bytes, PT1H)");
  }

  @Test
  void flaskSseUrlVariableWins() {
    RedisBroker broker =
        RedisBroker.fromFlaskSseEnvironment(
                Map.of("SSE_REDIS_URL", "redis://:pw@cache:6380/2", "SSE_REDIS_HOST", "ignored"))
            .build();
    assertThat(broker.describe()).contains("redis://:***@cache:6380/2").doesNotContain("pw@");
  }

  @Test
  void flaskSseHostPortDbWithDefaults() {
    assertThat(
            RedisBroker.fromFlaskSseEnvironment(Map.of("SSE_REDIS_HOST", "cache"))
                .build()
                .describe())
        .contains("redis://cache:6379/0");
    assertThat(
            RedisBroker.fromFlaskSseEnvironment(
                    Map.of("SSE_REDIS_PORT", "6390", "SSE_REDIS_DB", "3"))
                .build()
                .describe())
        .contains("redis://localhost:6390/3");
  }

  @Test
  void noFlaskSseVariablesNoBuilder() {
    assertThat(RedisBroker.fromFlaskSseEnvironment(Map.of("PATH", "/bin", "SSE_REDIS_HOST", " ")))
        .isNull();
  }

  @Test
  void badFlaskSsePortNamed() {
    assertThatThrownBy(() -> RedisBroker.fromFlaskSseEnvironment(Map.of("SSE_REDIS_PORT", "http")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SSE_REDIS_PORT: http (expected: an integer from 1 to 65535)");
  }

  @Test
  void badUriRefusedWithPasswordMasked() {
    assertThatThrownBy(() -> RedisBroker.builder().uri("http://:secret@host:1/0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://:***@host:1/0")
        .hasMessageContaining("expected: redis://")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RedisBroker.builder().uri("redis://:secret@host:notaport").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RedisBroker.builder().uri("redis://:qz/secret@host:6379").build())
        .as("a password with a '/', which the parser reads as the start of the path")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://:***@host:6379")
        .hasMessageNotContaining("qz")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RedisBroker.builder().cluster(List.of("u:secret@h:notaport")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("u:***@h:notaport")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RedisBroker.builder().uri("redis-cluster://:secret@").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis-cluster://:***@")
        .hasMessageNotContaining("secret");
  }

  @Test
  void clusterUriForm() {
    RedisBroker broker =
        RedisBroker.builder().uri("redis-cluster://:pw@10.0.0.1:7000,10.0.0.2:7001").build();
    assertThat(broker.describe())
        .contains("redis-cluster://:***@10.0.0.1:7000,10.0.0.2:7001")
        .contains("sharded pub/sub");
    assertThat(
            RedisBroker.builder().cluster(List.of("h:1")).shardedPubSub(false).build().describe())
        .contains("cluster h:1 (pub/sub");
  }

  @Test
  void uriAndClusterTogetherRefused() {
    assertThatThrownBy(() -> RedisBroker.builder().uri("redis://h").cluster(List.of("h:1")).build())
        .hasMessage("uri and cluster: both set (expected: one of them)");
  }

  @Test
  void settingsRefuseBadValues() {
    assertThatThrownBy(() -> RedisBroker.builder().channelPrefix("app{1}:"))
        .hasMessageContaining("channelPrefix: \"app{1}:\"");
    assertThatThrownBy(() -> RedisBroker.builder().historySize(-1))
        .hasMessage("historySize: -1 (expected: >= 0)");
    assertThatThrownBy(() -> RedisBroker.builder().historyMaxBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historyMaxBytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> RedisBroker.builder().historyMaxBytes(-1))
        .hasMessage("historyMaxBytes: -1 (expected: > 0)");
    assertThatThrownBy(() -> RedisBroker.builder().historyTtl(Duration.ZERO))
        .hasMessageStartingWith("historyTtl: PT0S");
    assertThatThrownBy(() -> RedisBroker.builder().commandTimeout(Duration.ofNanos(5)))
        .hasMessageStartingWith("commandTimeout:");
    assertThatThrownBy(() -> RedisBroker.builder().maxDataBytes(0))
        .hasMessageStartingWith("maxDataBytes: 0");
    assertThatThrownBy(() -> RedisBroker.builder().cluster(List.of()))
        .hasMessageStartingWith("cluster: []");
  }

  @Test
  void defaultsAreFlaskSsesRedis() {
    assertThat(RedisBroker.builder().build().describe())
        .isEqualTo(
            "redis redis://localhost:6379/0 (pub/sub, history: 1000 events, 67108864 bytes, PT1H)");
  }

  @Test
  void publishBeforeConnectFailsClearly() {
    RedisBroker broker = RedisBroker.builder().build();
    assertThatThrownBy(() -> broker.publish("ch", SseEvent.of("x")).get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageContaining("call connect()");
    assertThat(broker.isConnected()).isFalse();
    broker.close();
    assertThatThrownBy(broker::connect)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
