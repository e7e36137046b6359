package io.ssehub.spring;

import io.ssehub.core.Authorizer;
import io.ssehub.core.Broker;
import io.ssehub.core.MemoryBroker;
import io.ssehub.core.SseHub;
import io.ssehub.redis.RedisBroker;
import io.ssehub.servlet.SsePublishServlet;
import io.ssehub.servlet.SseStreamServlet;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * ssehub in a Spring Boot app: the {@link SseHub} (in memory, or on Redis), an {@link
 * SsePublisher}, and in a servlet web app the stream endpoint at {@code ssehub.path} (and the
 * publish endpoint at {@code ssehub.publish-path}, when set). Every bean backs off if the app
 * declares its own.
 *
 * <p>Access: an {@link Authorizer} bean decides who may read and publish which channel. Without
 * one, with Spring Security on the classpath, a {@link SpringSecurityAuthorizer} grants channels by
 * the user's authorities ({@code ssehub:subscribe:news}; {@code ssehub.security.*}, and {@code
 * ssehub.security.enabled=false} turns it off); otherwise everyone may. Who asks is {@code
 * request.getUserPrincipal()}: with Spring Security, the {@code Authentication}. A refused stream
 * is answered 403 (401 without credentials) before any stream byte.
 *
 * <p>Redis: {@code ssehub.redis.url}, else the app's {@code spring.data.redis.url}, or {@code
 * spring.data.redis.host}/{@code port}/{@code database}/{@code username}/{@code password} when a
 * host is given; otherwise the hub is in memory.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration", // Boot 4
      "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration"
    }) // Boot 3
@ConditionalOnClass(SseHub.class)
@EnableConfigurationProperties(SseHubProperties.class)
@Import(SseHubAutoConfiguration.SpringSecurity.class)
public class SseHubAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SseHub sseHub(
      SseHubProperties properties, ObjectProvider<Authorizer> authorizer, Environment environment) {
    String redisUrl = redisUrl(properties, environment);
    Broker broker;
    if (redisUrl != null) {
      RedisBroker.Builder redis =
          RedisBroker.builder()
              .uri(redisUrl)
              .historySize(properties.getHistory().getSize())
              .historyMaxBytes(properties.getHistory().getMaxBytes().toBytes())
              .historyTtl(properties.getHistory().getTtl());
      if (StringUtils.hasText(properties.getRedis().getChannelPrefix())) {
        redis.channelPrefix(properties.getRedis().getChannelPrefix());
      }
      RedisBroker built = redis.build();
      built.connect(properties.getRedis().getConnectTimeout());
      broker = built;
    } else {
      SseHubProperties.History history = properties.getHistory();
      broker =
          new MemoryBroker(
              history.getSize(),
              history.getMaxBytes().toBytes(),
              history.getMaxTotalBytes() != null
                  ? history.getMaxTotalBytes().toBytes()
                  : MemoryBroker.defaultHistoryMaxTotalBytes(),
              history.getTtl(),
              Clock.systemUTC());
    }
    SseHub.Builder hub =
        SseHub.builder()
            .broker(broker)
            .authorizer(authorizer.getIfAvailable(() -> Authorizer.ALLOW_ALL))
            .keepalive(properties.getKeepalive())
            .reconnectDelay(properties.getReconnectDelay())
            .maxPendingBytes(properties.getMaxPending().toBytes())
            .maxEventBytes(properties.getMaxEventSize().toBytes());
    if (properties.getMaxTotalPending() != null) {
      hub.maxTotalPendingBytes(properties.getMaxTotalPending().toBytes());
    }
    return hub.build();
  }

  /** The Redis URL from {@code ssehub.redis.url} or {@code spring.data.redis.*}; null for none. */
  static String redisUrl(SseHubProperties properties, Environment environment) {
    if (StringUtils.hasText(properties.getRedis().getUrl())) {
      return properties.getRedis().getUrl();
    }
    String url = environment.getProperty("spring.data.redis.url");
    if (StringUtils.hasText(url)) {
      return url;
    }
    String host = environment.getProperty("spring.data.redis.host");
    if (!StringUtils.hasText(host)) {
      return null;
    }
    String port = environment.getProperty("spring.data.redis.port", "6379");
    String database = environment.getProperty("spring.data.redis.database", "0");
    String username = environment.getProperty("spring.data.redis.username");
    String password = environment.getProperty("spring.data.redis.password");
    boolean ssl = environment.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
    String credentials = "";
    if (StringUtils.hasText(password)) {
      credentials =
          (StringUtils.hasText(username) ? encode(username) : "") + ":" + encode(password) + "@";
    }
    return (ssl ? "rediss://" : "redis://") + credentials + host + ":" + port + "/" + database;
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Ends every stream as shutdown begins, before the web server's graceful shutdown waits for
   * requests to finish: streams never finish on their own, and a client that left is noticed only
   * at the next keepalive. Clients reconnect (to another instance) after their retry time.
   */
  @Bean
  SmartLifecycle sseHubShutdown(SseHub hub) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        running = true;
      }

      @Override
      public void stop() {
        running = false;
        hub.close();
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        return SmartLifecycle
            .DEFAULT_PHASE; // stops before the web server (DEFAULT_PHASE - 1024 and lower)
      }
    };
  }

  @Bean
  @ConditionalOnMissingBean
  public SsePublisher ssePublisher(
      SseHub hub, ObjectProvider<SseDataWriter> dataWriter, ListableBeanFactory beans) {
    return new SsePublisher(
        hub, dataWriter.getIfAvailable(() -> AppJsonWriters.fromContext(beans)));
  }

  /** The endpoints, in a servlet web app. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "jakarta.servlet.http.HttpServlet")
  static class Endpoints {
    @Bean
    @ConditionalOnMissingBean(name = "sseStreamServlet")
    ServletRegistrationBean<SseStreamServlet> sseStreamServlet(
        SseHub hub, SseHubProperties properties) {
      ServletRegistrationBean<SseStreamServlet> registration =
          new ServletRegistrationBean<>(new SseStreamServlet(hub), properties.getPath());
      registration.setName("sseStreamServlet");
      registration.setAsyncSupported(true);
      return registration;
    }

    @Bean
    @ConditionalOnMissingBean(name = "ssePublishServlet")
    @ConditionalOnExpression("'${ssehub.publish-path:}' != ''")
    ServletRegistrationBean<SsePublishServlet> ssePublishServlet(
        SseHub hub, SseHubProperties properties) {
      ServletRegistrationBean<SsePublishServlet> registration =
          new ServletRegistrationBean<>(new SsePublishServlet(hub), properties.getPublishPath());
      registration.setName("ssePublishServlet");
      registration.setAsyncSupported(true);
      return registration;
    }
  }

  /**
   * With Spring Security, and no {@link Authorizer} bean of the app's: channels by authorities
   * (secure by default; {@code ssehub.security.enabled=false} lets everyone in again).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.security.core.Authentication")
  @ConditionalOnProperty(
      prefix = "ssehub.security",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  static class SpringSecurity {
    @Bean
    @ConditionalOnMissingBean(Authorizer.class)
    Authorizer sseSpringSecurityAuthorizer(SseHubProperties properties) {
      SseHubProperties.Security security = properties.getSecurity();
      return new SpringSecurityAuthorizer(
          security.getAuthorityPrefix(), security.getPublicChannels());
    }
  }
}
