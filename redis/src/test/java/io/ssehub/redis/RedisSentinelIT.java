package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisSentinel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Through Sentinel: a {@code redis-sentinel://} URI finds the master, and everything works on it.
 */
@ExtendWith(RedisExtension.class)
class RedisSentinelIT {

  @Test
  void publishesSubscribesAndReplaysThroughSentinel(RedisSentinel sentinel) throws Exception {
    RecordingListener listener = new RecordingListener();
    RedisBroker broker =
        RedisBroker.builder()
            .uri(sentinel.uri().toString())
            .commandTimeout(Duration.ofSeconds(2))
            .build();
    try {
      broker.start(listener);
      broker.connect();
      assertThat(broker.describe()).contains("redis-sentinel://");
      broker.subscribe("news").get(10, TimeUnit.SECONDS);
      SseEvent first = broker.publish("news", SseEvent.of("one")).get(10, TimeUnit.SECONDS);
      SseEvent second = broker.publish("news", SseEvent.of("two")).get(10, TimeUnit.SECONDS);
      assertThat(listener.next("news").data()).isEqualTo("one");
      assertThat(listener.next("news").data()).isEqualTo("two");
      Replay replay = broker.history().after("news", first.id()).get(10, TimeUnit.SECONDS);
      assertThat(replay.complete()).isTrue();
      assertThat(replay.events()).containsExactly(second);
      assertThat((Long) sentinel.master().command("XLEN", broker.historyKey("news"))).isEqualTo(2L);
    } finally {
      broker.close();
    }
  }
}
