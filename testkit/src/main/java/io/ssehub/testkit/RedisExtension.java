package io.ssehub.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link RedisServer}, {@link RedisCluster} or {@link RedisSentinel} into test
 * constructors, lifecycle methods ({@code @BeforeAll} too) and test methods:
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class FanOutIT {
 *   @Test
 *   void publishes(RedisServer redis) {
 *     assertThat(redis.command("PUBLISH", "ch", "x")).isEqualTo(0L);
 *   }
 * }
 * }</pre>
 *
 * <p>One of each type asked for per top-level test class, nested classes included: started when
 * first injected, stopped and deleted when the class's {@link ExtensionContext.Store} closes after
 * its last test. A test that breaks the server (kill, config change) should restore it or start its
 * own with {@link RedisServer#startOnFreePort}.
 *
 * <p>Never skips: when {@code redis-server} is missing or won't start, every test asking for it
 * fails with the reason, the server's log, and how to install Redis. CI must not go green by
 * running no Redis test.
 */
public final class RedisExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RedisExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == RedisServer.class || type == RedisCluster.class || type == RedisSentinel.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    ExtensionContext.Store store = Extensions.classStore(context, NAMESPACE);
    if (type == RedisSentinel.class) {
      return store.getOrComputeIfAbsent(
          RedisSentinel.class, k -> RedisSentinel.start(), RedisSentinel.class);
    }
    if (type == RedisCluster.class) {
      return store.getOrComputeIfAbsent(
          RedisCluster.class, k -> RedisCluster.start(), RedisCluster.class);
    }
    return store.getOrComputeIfAbsent(
        RedisServer.class, k -> RedisServer.startOnFreePort(), RedisServer.class);
  }
}
