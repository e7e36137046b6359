package io.ssehub.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.Authorizer;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** Which Authorizer the hub gets when Spring Security is on the classpath. */
class SpringSecurityAutoConfigurationTest {
  private final WebApplicationContextRunner runner =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SseHubAutoConfiguration.class));

  private static final SseSink NOWHERE = SseSink.discarding();

  @Test
  void secureByDefault() {
    runner.run(
        context -> {
          assertThat(context)
              .getBean(Authorizer.class)
              .isInstanceOf(SpringSecurityAuthorizer.class);
          SseHub hub = context.getBean(SseHub.class);
          assertThatThrownBy(() -> hub.subscribe(SubscribeRequest.of("news"), NOWHERE))
              .isInstanceOfSatisfying(
                  AccessDeniedException.class, e -> assertThat(e.unauthenticated()).isTrue());
          hub.subscribe(
                  SubscribeRequest.of("news")
                      .from(SpringSecurityAuthorizerTest.user("ssehub:subscribe:news"), null),
                  NOWHERE)
              .close();
        });
  }

  @Test
  void prefixAndPublicChannelsFromProperties() {
    runner
        .withPropertyValues(
            "ssehub.security.authority-prefix=SCOPE_ssehub:",
            "ssehub.security.public-channels=lobby,public.*")
        .run(
            context -> {
              SseHubProperties.Security security =
                  context.getBean(SseHubProperties.class).getSecurity();
              assertThat(security.getAuthorityPrefix()).isEqualTo("SCOPE_ssehub:");
              assertThat(security.getPublicChannels()).containsExactly("lobby", "public.*");
              SseHub hub = context.getBean(SseHub.class);
              hub.subscribe(SubscribeRequest.of("public.x"), NOWHERE).close();
              hub.subscribe(
                      SubscribeRequest.of("news")
                          .from(
                              SpringSecurityAuthorizerTest.user("SCOPE_ssehub:subscribe:news"),
                              null),
                      NOWHERE)
                  .close();
              assertThatThrownBy(
                      () ->
                          hub.subscribe(
                              SubscribeRequest.of("news")
                                  .from(
                                      SpringSecurityAuthorizerTest.user("ssehub:subscribe:news"),
                                      null),
                              NOWHERE))
                  .isInstanceOf(AccessDeniedException.class);
            });
  }

  @Test
  void disabledLetsEveryoneIn() {
    runner
        .withPropertyValues("ssehub.security.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(Authorizer.class);
              context.getBean(SseHub.class).subscribe(SubscribeRequest.of("news"), NOWHERE).close();
            });
  }

  @Test
  void appsAuthorizerWins() {
    Authorizer own = request -> AccessDecision.allow();
    runner
        .withBean(Authorizer.class, () -> own)
        .run(
            context -> {
              assertThat(context).getBean(Authorizer.class).isSameAs(own);
              assertThat(context.getBeansOfType(Authorizer.class)).hasSize(1);
              context.getBean(SseHub.class).subscribe(SubscribeRequest.of("news"), NOWHERE).close();
            });
  }

  @Test
  void badPublicChannelFailsStartup() {
    runner
        .withPropertyValues("ssehub.security.public-channels=no spaces!")
        .run(
            context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining("no spaces!"));
  }

  @Test
  void publicChannelsDefaultToNone() {
    assertThat(new SseHubProperties().getSecurity().getPublicChannels()).isEqualTo(List.of());
    assertThat(new SseHubProperties().getSecurity().isEnabled()).isTrue();
    assertThat(new SseHubProperties().getSecurity().getAuthorityPrefix())
        .isEqualTo(SpringSecurityAuthorizer.DEFAULT_AUTHORITY_PREFIX);
  }
}
