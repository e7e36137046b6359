package io.ssehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link RedisExtension} as JUnit runs it: sample classes are run through the JUnit Platform test
 * kit, so we can see what happens after their last test and when Redis can't start.
 */
class RedisExtensionIT {

  @Test
  void oneServerPerClassStoppedAfterIt() {
    Injected.seen.clear();
    Events tests = run(Injected.class);

    tests.assertStatistics(stats -> stats.started(3).succeeded(3).failed(0));
    // three instances (one per test, the nested one included), @BeforeAll, two methods
    assertThat(Injected.seen)
        .hasSize(6)
        .allSatisfy(s -> assertThat(s).isSameAs(Injected.seen.get(0)));
    RedisServer server = Injected.seen.get(0);
    assertThat(server.isRunning()).as("stopped after the class").isFalse();
    assertThat(server.dir()).doesNotExist();
    assertThat(Processes.redisServers()).isEmpty();
  }

  @Test
  void missingRedisFailsNeverSkips() {
    String before = System.getProperty(RedisServer.BINARY_PROPERTY);
    System.setProperty(RedisServer.BINARY_PROPERTY, "/nonexistent/redis-server");
    Events tests;
    try {
      tests = run(NeedsRedis.class);
    } finally {
      Processes.restoreProperty(RedisServer.BINARY_PROPERTY, before);
    }

    tests.assertStatistics(stats -> stats.started(1).failed(1).skipped(0).aborted(0));
    Throwable failure =
        tests.failed().stream()
            .findFirst()
            .orElseThrow()
            .getPayload(org.junit.platform.engine.TestExecutionResult.class)
            .orElseThrow()
            .getThrowable()
            .orElseThrow();
    assertThat(failure).hasMessageContaining("apt-get install redis-server");
  }

  private static Events run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  @ExtendWith(RedisExtension.class)
  static class Injected {
    static final List<RedisServer> seen = new ArrayList<>();

    Injected(RedisServer redis) {
      seen.add(redis);
    }

    @BeforeAll
    static void beforeAll(RedisServer redis) {
      seen.add(redis);
    }

    @Test
    void first(RedisServer redis) {
      seen.add(redis);
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    void second(RedisServer redis) {
      seen.add(redis);
      assertThat(redis.isRunning()).isTrue();
    }

    @Nested
    class Inner {
      @Test
      void sharesTheOuterServer(RedisServer redis) {
        assertThat(redis).isSameAs(seen.get(0));
      }
    }
  }

  @ExtendWith(RedisExtension.class)
  static class NeedsRedis {
    @Test
    void wantsRedis(RedisServer redis) {
      redis.command("PING");
    }
  }
}
