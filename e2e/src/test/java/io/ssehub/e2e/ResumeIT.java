package io.ssehub.e2e;

import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * "Nothing lost": 10,000 events published at a steady rate, a client cut at 100 random points and
 * resumed each time by its last event id; in memory, on Redis, and on Redis switching nodes.
 */
@ExtendWith(RedisExtension.class)
class ResumeIT {
  private static final int EVENTS = 10_000;
  private static final int CUTS = 100;

  @Test
  void inMemory() throws Exception {
    try (HubProcess hub = HubProcess.start("--history-size", "20000")) {
      new CutAndResume(n -> hub.uri("/"), n -> hub.uri("/"), List.of("logs"), EVENTS, CUTS, 1)
          .run();
    }
  }

  @Test
  void inMemoryThreeChannels() throws Exception {
    try (HubProcess hub = HubProcess.start("--history-size", "20000")) {
      new CutAndResume(
              n -> hub.uri("/"), n -> hub.uri("/"), List.of("a", "b", "c"), EVENTS, CUTS, 2)
          .run();
    }
  }

  @Test
  void onRedis(RedisServer redis) throws Exception {
    try (HubProcess hub =
        HubProcess.start("--redis", redis.uri().toString(), "--history-size", "20000")) {
      new CutAndResume(n -> hub.uri("/"), n -> hub.uri("/"), List.of("redis-one"), EVENTS, CUTS, 3)
          .run();
    }
  }

  @Test
  void onRedisReconnectingToTheOtherNode(RedisServer redis) throws Exception {
    try (HubProcess a =
            HubProcess.start("--redis", redis.uri().toString(), "--history-size", "20000");
        HubProcess b =
            HubProcess.start("--redis", redis.uri().toString(), "--history-size", "20000")) {
      new CutAndResume(
              n -> (n % 2 == 0 ? a : b).uri("/"),
              n -> (n % 3 == 0 ? b : a).uri("/"),
              List.of("redis-switch"),
              EVENTS,
              CUTS,
              4)
          .run();
    }
  }

  @Test
  void onRedisThreeChannelsSwitchingNodes(RedisServer redis) throws Exception {
    try (HubProcess a =
            HubProcess.start("--redis", redis.uri().toString(), "--history-size", "20000");
        HubProcess b =
            HubProcess.start("--redis", redis.uri().toString(), "--history-size", "20000")) {
      new CutAndResume(
              n -> (n % 2 == 0 ? a : b).uri("/"),
              n -> (n % 2 == 0 ? b : a).uri("/"),
              List.of("x", "y", "z"),
              EVENTS,
              CUTS,
              5)
          .run();
    }
  }
}
