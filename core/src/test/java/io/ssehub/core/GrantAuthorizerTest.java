package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.AccessDecision.Outcome;
import io.ssehub.core.AccessRequest.Action;
import java.security.Principal;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantAuthorizerTest {
  private static final String REMOTE = "203.0.113.7";

  record Token(List<ChannelPattern> subscribe, List<ChannelPattern> publish)
      implements Principal, ChannelGrants {
    @Override
    public String getName() {
      return "u1";
    }
  }

  private static Token token(List<String> subscribe, List<String> publish) {
    return new Token(
        subscribe.stream().map(ChannelPattern::of).toList(),
        publish.stream().map(ChannelPattern::of).toList());
  }

  private static Outcome decide(
      GrantAuthorizer authorizer,
      Action action,
      Principal principal,
      String remote,
      String... channels) {
    return authorizer
        .authorize(new AccessRequest(action, List.of(channels), principal, remote))
        .outcome();
  }

  @Test
  void withoutTokensAnyoneReadsAndOnlyLoopbackPublishes() {
    GrantAuthorizer open = GrantAuthorizer.builder().build();
    assertThat(decide(open, Action.SUBSCRIBE, null, REMOTE, "anything")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.PUBLISH, null, "127.0.0.1", "a")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.PUBLISH, null, "::1", "a")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.PUBLISH, null, "127.8.9.10", "a")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.PUBLISH, null, REMOTE, "a")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(decide(open, Action.PUBLISH, null, null, "a")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(decide(open, Action.PUBLISH, null, "localhost", "a"))
        .as("names are never resolved")
        .isEqualTo(Outcome.FORBIDDEN);
  }

  @Test
  void anonymousPublishCanBeOpenedExplicitly() {
    GrantAuthorizer open = GrantAuthorizer.builder().anonymousPublish(true).build();
    assertThat(decide(open, Action.PUBLISH, null, REMOTE, "a")).isEqualTo(Outcome.ALLOWED);
  }

  @Test
  void withTokensRequiredAnonymousGetsOnlyPublicChannels() {
    GrantAuthorizer strict =
        GrantAuthorizer.builder()
            .tokensRequired(true)
            .publicChannels(List.of(ChannelPattern.of("public.*")))
            .build();
    assertThat(decide(strict, Action.SUBSCRIBE, null, REMOTE, "public.news"))
        .isEqualTo(Outcome.ALLOWED);
    assertThat(decide(strict, Action.SUBSCRIBE, null, REMOTE, "public.news", "private"))
        .isEqualTo(Outcome.UNAUTHENTICATED);
    assertThat(decide(strict, Action.PUBLISH, null, "127.0.0.1", "public.news"))
        .isEqualTo(Outcome.UNAUTHENTICATED);
  }

  @Test
  void tokenGrantsExactlyItsPatterns() {
    GrantAuthorizer strict = GrantAuthorizer.builder().tokensRequired(true).build();
    Token token = token(List.of("news", "user.u1.*"), List.of("news"));
    assertThat(decide(strict, Action.SUBSCRIBE, token, REMOTE, "news", "user.u1.inbox"))
        .isEqualTo(Outcome.ALLOWED);
    assertThat(decide(strict, Action.SUBSCRIBE, token, REMOTE, "admin"))
        .isEqualTo(Outcome.FORBIDDEN);
    assertThat(decide(strict, Action.PUBLISH, token, REMOTE, "news")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(strict, Action.PUBLISH, token, REMOTE, "admin")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(
            strict
                .authorize(
                    new AccessRequest(Action.SUBSCRIBE, List.of("news", "admin"), token, REMOTE))
                .reason())
        .isEqualTo("the token does not allow subscribing to channel admin");
  }

  @Test
  void principalWithoutGrantsIsRefused() {
    GrantAuthorizer open = GrantAuthorizer.builder().build();
    assertThat(decide(open, Action.SUBSCRIBE, () -> "someone", REMOTE, "a"))
        .isEqualTo(Outcome.FORBIDDEN);
  }
}
