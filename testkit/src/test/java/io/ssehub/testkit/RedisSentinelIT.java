package io.ssehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A master and a sentinel, injected by {@link RedisExtension}. */
@ExtendWith(RedisExtension.class)
class RedisSentinelIT {

  @Test
  void sentinelReportsTheMaster(RedisSentinel sentinel) {
    assertThat(sentinel.uri())
        .hasToString("redis-sentinel://127.0.0.1:" + sentinel.sentinel().port() + "#mymaster");
    assertThat(sentinel.sentinel().command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
        .isEqualTo(List.of("127.0.0.1", String.valueOf(sentinel.master().port())));
    assertThat(sentinel.master().command("PING")).isEqualTo("PONG");
  }

  @Test
  void sentinelRestartsOnTheSamePort(RedisSentinel sentinel) {
    RedisServer process = sentinel.sentinel();
    process.kill();
    process.start();
    assertThat(process.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
        .isEqualTo(List.of("127.0.0.1", String.valueOf(sentinel.master().port())));
  }
}
