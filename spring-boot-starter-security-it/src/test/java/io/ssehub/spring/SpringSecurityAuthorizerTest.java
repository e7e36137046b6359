package io.ssehub.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDecision.Outcome;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.AccessRequest.Action;
import java.security.Principal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

/** How authorities become channel grants, and the standalone hub's rules on them. */
class SpringSecurityAuthorizerTest {
  private final SpringSecurityAuthorizer authorizer = new SpringSecurityAuthorizer();

  static Authentication user(String... authorities) {
    return UsernamePasswordAuthenticationToken.authenticated(
        "alice", null, AuthorityUtils.createAuthorityList(authorities));
  }

  private static Outcome decide(
      SpringSecurityAuthorizer authorizer, Action action, Principal principal, String... channels) {
    return authorizer
        .authorize(new AccessRequest(action, List.of(channels), principal, "127.0.0.1"))
        .outcome();
  }

  private Outcome subscribe(Principal principal, String... channels) {
    return decide(authorizer, Action.SUBSCRIBE, principal, channels);
  }

  private Outcome publish(Principal principal, String channel) {
    return decide(authorizer, Action.PUBLISH, principal, channel);
  }

  @Test
  void authoritiesWithThePrefixBecomeGrantsOthersAreIgnored() {
    SpringSecurityAuthorizer.Grants grants =
        authorizer.grants(
            user(
                "ROLE_USER",
                "ssehub:subscribe:news",
                "ssehub:subscribe:user.*",
                "ssehub:publish:news",
                "ssehub:admin:x",
                "other:subscribe:admin",
                "ssehub:subscribe:bad name!",
                "ssehub:subscribe:",
                "SSEHUB:subscribe:caps"));
    assertThat(grants.getName()).isEqualTo("alice");
    assertThat(grants.subscribe()).extracting(Object::toString).containsExactly("news", "user.*");
    assertThat(grants.publish()).extracting(Object::toString).containsExactly("news");
  }

  @Test
  void grantedChannelsAllowedOthers403() {
    Authentication alice =
        user("ssehub:subscribe:news", "ssehub:subscribe:user.*", "ssehub:publish:news");
    assertThat(subscribe(alice, "news")).isEqualTo(Outcome.ALLOWED);
    assertThat(subscribe(alice, "user.u1")).isEqualTo(Outcome.ALLOWED);
    assertThat(subscribe(alice, "news", "user.u2")).isEqualTo(Outcome.ALLOWED);
    assertThat(subscribe(alice, "admin")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(subscribe(alice, "users")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(subscribe(alice, "news", "admin"))
        .as("one refused channel refuses all")
        .isEqualTo(Outcome.FORBIDDEN);
    assertThat(publish(alice, "news")).isEqualTo(Outcome.ALLOWED);
    assertThat(publish(alice, "user.u1"))
        .as("a subscribe grant does not allow publishing")
        .isEqualTo(Outcome.FORBIDDEN);
    assertThat(publish(alice, "admin")).isEqualTo(Outcome.FORBIDDEN);
  }

  @Test
  void signedInWithoutGrants403() {
    Authentication bob = user("ROLE_USER");
    assertThat(subscribe(bob, "news")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(publish(bob, "news")).isEqualTo(Outcome.FORBIDDEN);
  }

  @Test
  void anonymousIs401ForReadingAndPublishing() {
    Authentication anonymous =
        new AnonymousAuthenticationToken(
            "key",
            "anonymousUser",
            AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS", "ssehub:subscribe:news"));
    Authentication notAuthenticated =
        UsernamePasswordAuthenticationToken.unauthenticated("alice", "secret");
    for (Principal nobody : new Principal[] {null, anonymous, notAuthenticated}) {
      assertThat(subscribe(nobody, "news")).as("%s", nobody).isEqualTo(Outcome.UNAUTHENTICATED);
      assertThat(publish(nobody, "news")).as("%s", nobody).isEqualTo(Outcome.UNAUTHENTICATED);
    }
  }

  @Test
  void publicChannelsOpenToEveryoneForReadingOnly() {
    SpringSecurityAuthorizer open =
        new SpringSecurityAuthorizer("ssehub:", List.of("lobby", "public.*"));
    assertThat(decide(open, Action.SUBSCRIBE, null, "lobby")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.SUBSCRIBE, null, "public.a", "lobby"))
        .isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.SUBSCRIBE, null, "lobby", "news"))
        .isEqualTo(Outcome.UNAUTHENTICATED);
    assertThat(decide(open, Action.PUBLISH, null, "lobby")).isEqualTo(Outcome.UNAUTHENTICATED);
    Authentication bob = user("ROLE_USER");
    assertThat(decide(open, Action.SUBSCRIBE, bob, "lobby")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(open, Action.PUBLISH, bob, "lobby")).isEqualTo(Outcome.FORBIDDEN);
  }

  @Test
  void scopePrefixForOAuth2ResourceServers() {
    SpringSecurityAuthorizer scopes = new SpringSecurityAuthorizer("SCOPE_ssehub:", List.of());
    Authentication client =
        user("SCOPE_ssehub:subscribe:news", "SCOPE_ssehub:publish:*", "ssehub:subscribe:admin");
    assertThat(decide(scopes, Action.SUBSCRIBE, client, "news")).isEqualTo(Outcome.ALLOWED);
    assertThat(decide(scopes, Action.SUBSCRIBE, client, "admin")).isEqualTo(Outcome.FORBIDDEN);
    assertThat(decide(scopes, Action.PUBLISH, client, "anything")).isEqualTo(Outcome.ALLOWED);
  }

  @Test
  void otherPrincipalsCarryNoGrants() {
    Principal container = () -> "alice";
    assertThat(subscribe(container, "news")).isEqualTo(Outcome.FORBIDDEN);
  }

  @Test
  void refusalReasonNamesTheChannel() {
    AccessDecision decision =
        authorizer.authorize(
            new AccessRequest(
                Action.SUBSCRIBE, List.of("admin"), user("ssehub:subscribe:news"), null));
    assertThat(decision.reason()).contains("admin");
  }

  @Test
  void badPublicChannelPatternFailsAtOnce() {
    assertThatThrownBy(() -> new SpringSecurityAuthorizer("ssehub:", List.of("no spaces!")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no spaces!");
  }
}
