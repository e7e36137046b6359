package io.ssehub.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.Authorizer;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import io.ssehub.servlet.SsePublishServlet;
import io.ssehub.servlet.SseStreamServlet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.mock.env.MockEnvironment;

/** The auto-configuration through one context runner, on whichever Boot line runs the tests. */
class SseHubAutoConfigurationTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(jacksonAutoConfiguration(), SseHubAutoConfiguration.class));

  /** Boot 4's or Boot 3's JacksonAutoConfiguration, whichever is on the classpath. */
  static Class<?> jacksonAutoConfiguration() {
    for (String name :
        List.of(
            "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
            "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration")) {
      try {
        return Class.forName(name);
      } catch (ClassNotFoundException e) {
        // the other Boot line
      }
    }
    throw new AssertionError("no JacksonAutoConfiguration on the classpath");
  }

  @Test
  void defaultsGiveHubPublisherAndStreamAtSlashStreamOnly() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(SseHub.class).hasSingleBean(SsePublisher.class);
          ServletRegistrationBean<?> stream =
              context.getBean("sseStreamServlet", ServletRegistrationBean.class);
          assertThat(stream.getServlet()).isInstanceOf(SseStreamServlet.class);
          assertThat(stream.getUrlMappings()).containsExactly("/stream");
          assertThat(stream.isAsyncSupported()).isTrue();
          assertThat(context).doesNotHaveBean("ssePublishServlet");
          assertThat(context.getBean(SseHub.class).broker().describe())
              .containsIgnoringCase("memory");
        });
  }

  @Test
  void pathsFromProperties() {
    runner
        .withPropertyValues("ssehub.path=/events", "ssehub.publish-path=/events/publish")
        .run(
            context -> {
              assertThat(
                      context
                          .getBean("sseStreamServlet", ServletRegistrationBean.class)
                          .getUrlMappings())
                  .containsExactly("/events");
              ServletRegistrationBean<?> publish =
                  context.getBean("ssePublishServlet", ServletRegistrationBean.class);
              assertThat(publish.getServlet()).isInstanceOf(SsePublishServlet.class);
              assertThat(publish.getUrlMappings()).containsExactly("/events/publish");
            });
  }

  @Test
  void propertiesBindWithDurationsAndSizes() {
    runner
        .withPropertyValues(
            "ssehub.keepalive=5s",
            "ssehub.reconnect-delay=500ms",
            "ssehub.max-pending=1MB",
            "ssehub.max-total-pending=256MB",
            "ssehub.max-event-size=64KB",
            "ssehub.history.size=10",
            "ssehub.history.ttl=2m")
        .run(
            context -> {
              SseHubProperties properties = context.getBean(SseHubProperties.class);
              assertThat(properties.getKeepalive()).isEqualTo(Duration.ofSeconds(5));
              assertThat(properties.getReconnectDelay()).isEqualTo(Duration.ofMillis(500));
              assertThat(properties.getMaxPending().toBytes()).isEqualTo(1024 * 1024);
              assertThat(properties.getMaxTotalPending().toBytes()).isEqualTo(256L * 1024 * 1024);
              assertThat(properties.getHistory().getTtl()).isEqualTo(Duration.ofMinutes(2));
              assertThat(context.getBean(SseHub.class).maxEventBytes()).isEqualTo(64 * 1024);
              Recorder stream = new Recorder();
              context.getBean(SseHub.class).subscribe(SubscribeRequest.of("x"), stream);
              assertThat(stream.text()).startsWith("retry: 500\n");
            });
  }

  @Test
  void historyByteBoundsBindAndBadOnesStopTheContextNamingThem() {
    runner
        .withPropertyValues("ssehub.history.max-bytes=1MB", "ssehub.history.max-total-bytes=16MB")
        .run(
            context -> {
              SseHubProperties properties = context.getBean(SseHubProperties.class);
              assertThat(properties.getHistory().getMaxBytes().toBytes()).isEqualTo(1024 * 1024);
              assertThat(properties.getHistory().getMaxTotalBytes().toBytes())
                  .isEqualTo(16L * 1024 * 1024);
              assertThat(context.getBean(SseHub.class).broker().describe())
                  .contains("1048576 bytes per channel")
                  .contains("16777216 bytes in all");
            });
    runner
        .withPropertyValues("ssehub.history.max-bytes=0B")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessage("historyMaxBytes: 0 (expected: > 0)");
            });
    runner
        .withPropertyValues("ssehub.history.max-total-bytes=0B")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessage("historyMaxTotalBytes: 0 (expected: > 0)");
            });
  }

  @Test
  void aNodeLimitOfZeroStopsTheContextNamingIt() {
    runner
        .withPropertyValues("ssehub.max-total-pending=0B")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessage("maxTotalPendingBytes: 0 (expected: > 0)");
            });
  }

  @Test
  void authorizerBeanDecides() {
    runner
        .withBean(
            Authorizer.class,
            () ->
                request ->
                    request.channels().contains("secret")
                        ? AccessDecision.forbidden("no")
                        : AccessDecision.allow())
        .run(
            context -> {
              SseHub hub = context.getBean(SseHub.class);
              org.assertj.core.api.Assertions.assertThatThrownBy(
                      () -> hub.subscribe(SubscribeRequest.of("secret"), new Recorder()))
                  .isInstanceOf(io.ssehub.core.AccessDeniedException.class);
            });
  }

  @Test
  void appsOwnHubWins() {
    SseHub own = SseHub.builder().build();
    runner
        .withBean(SseHub.class, () -> own)
        .run(
            context -> {
              assertThat(context.getBean(SseHub.class)).isSameAs(own);
              assertThat(context.getBean(SsePublisher.class).hub()).isSameAs(own);
            });
    own.close();
  }

  @Test
  void publisherDefaultsToChannelSseAndWritesObjectsAsJsonWithTheAppsMapper() {
    runner.run(
        context -> {
          SseHub hub = context.getBean(SseHub.class);
          Recorder onSse = new Recorder();
          Subscription subscription = hub.subscribe(SubscribeRequest.of("sse"), onSse);
          SsePublisher publisher = context.getBean(SsePublisher.class);
          publisher.publish(Map.of("message", "Hello!")).get(5, TimeUnit.SECONDS);
          publisher.publish("sse", "greeting", "plain text").get(5, TimeUnit.SECONDS);
          assertThat(onSse.text())
              .contains("data: {\"message\":\"Hello!\"}\n")
              .contains("event: greeting\ndata: plain text\n");
          subscription.close();
        });
  }

  /** An app's payload: a record with a {@code java.time} field and an {@code Optional}. */
  record Order(String orderId, Instant placedAt, Optional<String> note) {}

  @Test
  void recordsWithJavaTimeAndOptionalAreWrittenByTheAppsConfiguredMapper() {
    runner
        .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE")
        .run(
            context -> {
              SseHub hub = context.getBean(SseHub.class);
              Recorder stream = new Recorder();
              hub.subscribe(SubscribeRequest.of("orders"), stream);
              Order order =
                  new Order("o-42", Instant.parse("2026-12-03T10:15:30Z"), Optional.of("gift"));
              context
                  .getBean(SsePublisher.class)
                  .publish("orders", "order", order)
                  .get(5, TimeUnit.SECONDS);
              assertThat(stream.text())
                  .contains(
                      "event: order\ndata: {\"order_id\":\"o-42\",\"placed_at\":\"2026-12-03T10:15:30Z\",\"note\":\"gift\"}\n");
            });
  }

  @Test
  void withoutAMapperBeanNonStringDataIsRefusedNamingWhatIsMissing() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SseHubAutoConfiguration.class))
        .run(
            context -> {
              SsePublisher publisher = context.getBean(SsePublisher.class);
              assertThatThrownBy(() -> publisher.publish("c", null, Map.of("a", 1)))
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageContaining("no JSON mapper")
                  .hasMessageContaining("SseDataWriter");
              publisher.publish("c", null, "text").get(5, TimeUnit.SECONDS);
            });
  }

  @Test
  void ownDataWriterWins() {
    runner
        .withBean(SseDataWriter.class, () -> data -> "<" + data + ">")
        .run(
            context -> {
              SseHub hub = context.getBean(SseHub.class);
              Recorder stream = new Recorder();
              hub.subscribe(SubscribeRequest.of("c"), stream);
              context.getBean(SsePublisher.class).publish("c", null, 42).get(5, TimeUnit.SECONDS);
              assertThat(stream.text()).contains("data: <42>\n");
            });
  }

  @Test
  void redisUrlFromSsehubPropertyFirstThenSpringDataRedis() {
    SseHubProperties properties = new SseHubProperties();
    MockEnvironment environment = new MockEnvironment();
    assertThat(SseHubAutoConfiguration.redisUrl(properties, environment)).isNull();
    environment.setProperty("spring.data.redis.host", "cache.internal");
    environment.setProperty("spring.data.redis.port", "6380");
    environment.setProperty("spring.data.redis.database", "2");
    environment.setProperty("spring.data.redis.password", "p@ss word");
    assertThat(SseHubAutoConfiguration.redisUrl(properties, environment))
        .isEqualTo("redis://:p%40ss%20word@cache.internal:6380/2");
    environment.setProperty("spring.data.redis.url", "redis://other:6379/1");
    assertThat(SseHubAutoConfiguration.redisUrl(properties, environment))
        .isEqualTo("redis://other:6379/1");
    properties.getRedis().setUrl("redis://mine:6379/0");
    assertThat(SseHubAutoConfiguration.redisUrl(properties, environment))
        .isEqualTo("redis://mine:6379/0");
  }

  @Test
  void notAWebAppGetsHubAndPublisherButNoEndpoint() {
    new org.springframework.boot.test.context.runner.ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SseHubAutoConfiguration.class))
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(SsePublisher.class)
                    .doesNotHaveBean("sseStreamServlet"));
  }

  /** A sink that keeps what it is sent. */
  static final class Recorder implements SseSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<String> closes = new ArrayList<>();

    @Override
    public synchronized void send(byte[] data) {
      bytes.writeBytes(data);
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public synchronized void close() {
      closes.add("close");
    }

    @Override
    public synchronized void abort() {
      closes.add("abort");
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }
}
