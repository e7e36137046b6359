package io.ssehub.spring;

import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.Authorizer;
import io.ssehub.core.ChannelGrants;
import io.ssehub.core.ChannelPattern;
import io.ssehub.core.GrantAuthorizer;
import io.ssehub.core.InvalidInputException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Channels granted by Spring Security authorities: {@code <prefix>subscribe:<pattern>} and {@code
 * <prefix>publish:<pattern>}, the pattern a channel name with {@code *} wildcards ({@link
 * ChannelPattern}). With the default prefix {@code ssehub:}, a user with the authority {@code
 * ssehub:subscribe:news} may read {@code news}, and one with {@code ssehub:publish:user.*} may
 * publish to {@code user.u1}. An OAuth2 resource server maps the scope {@code
 * ssehub:subscribe:news} to the authority {@code SCOPE_ssehub:subscribe:news}: use the prefix
 * {@code SCOPE_ssehub:}.
 *
 * <p>The rules are the standalone hub's with tokens required ({@link GrantAuthorizer}): an
 * authenticated principal may use exactly the channels its authorities grant (403 elsewhere); an
 * anonymous client (no principal, an {@link AnonymousAuthenticationToken}, or an authentication
 * that is not authenticated) may subscribe to the public channels only (401 elsewhere) and may not
 * publish (401). A principal that is not a Spring {@link Authentication} carries no grants (403).
 *
 * <p>Authorities whose pattern is not a valid channel pattern are ignored. Thread-safe.
 */
public final class SpringSecurityAuthorizer implements Authorizer {
  /** The authority prefix by default: {@code ssehub:subscribe:news}. */
  public static final String DEFAULT_AUTHORITY_PREFIX = "ssehub:";

  private static final Logger log = LoggerFactory.getLogger(SpringSecurityAuthorizer.class);

  private final String subscribePrefix;
  private final String publishPrefix;
  private final GrantAuthorizer rules;

  /** The default prefix {@value #DEFAULT_AUTHORITY_PREFIX}, no public channels. */
  public SpringSecurityAuthorizer() {
    this(DEFAULT_AUTHORITY_PREFIX, List.of());
  }

  /**
   * @param authorityPrefix what grant authorities start with (may be empty)
   * @param publicChannels patterns of the channels anyone may subscribe to, signed in or not
   * @throws IllegalArgumentException if a public channel pattern is not valid
   */
  public SpringSecurityAuthorizer(String authorityPrefix, List<String> publicChannels) {
    Objects.requireNonNull(authorityPrefix, "authorityPrefix");
    this.subscribePrefix = authorityPrefix + "subscribe:";
    this.publishPrefix = authorityPrefix + "publish:";
    List<ChannelPattern> open = new ArrayList<>();
    for (String pattern : Objects.requireNonNull(publicChannels, "publicChannels")) {
      try {
        open.add(ChannelPattern.of(pattern == null ? null : pattern.trim()));
      } catch (InvalidInputException e) {
        throw new IllegalArgumentException(
            "public channel pattern "
                + InvalidInputException.quote(String.valueOf(pattern))
                + ": "
                + e.reason(),
            e);
      }
    }
    this.rules = GrantAuthorizer.builder().tokensRequired(true).publicChannels(open).build();
  }

  @Override
  public AccessDecision authorize(AccessRequest request) {
    Principal principal = request.principal();
    if (principal instanceof Authentication authentication) {
      principal = isAnonymous(authentication) ? null : grants(authentication);
    }
    return rules.authorize(
        new AccessRequest(
            request.action(), request.channels(), principal, request.remoteAddress()));
  }

  /**
   * The channels an authentication's authorities grant, as a principal {@link GrantAuthorizer}
   * judges.
   */
  public Grants grants(Authentication authentication) {
    List<ChannelPattern> subscribe = new ArrayList<>();
    List<ChannelPattern> publish = new ArrayList<>();
    for (GrantedAuthority granted : authentication.getAuthorities()) {
      String authority = granted == null ? null : granted.getAuthority();
      if (authority == null) {
        continue;
      }
      if (authority.startsWith(subscribePrefix)) {
        add(subscribe, authority, subscribePrefix);
      } else if (authority.startsWith(publishPrefix)) {
        add(publish, authority, publishPrefix);
      }
    }
    return new Grants(authentication.getName(), subscribe, publish);
  }

  private static void add(List<ChannelPattern> patterns, String authority, String prefix) {
    try {
      patterns.add(ChannelPattern.of(authority.substring(prefix.length())));
    } catch (InvalidInputException e) {
      log.debug("Ignoring authority {}: {}", InvalidInputException.quote(authority), e.reason());
    }
  }

  private static boolean isAnonymous(Authentication authentication) {
    return authentication instanceof AnonymousAuthenticationToken
        || !authentication.isAuthenticated();
  }

  /** An authenticated user's name and channel grants. */
  public static final class Grants implements Principal, ChannelGrants {
    private final String name;
    private final List<ChannelPattern> subscribe;
    private final List<ChannelPattern> publish;

    Grants(String name, List<ChannelPattern> subscribe, List<ChannelPattern> publish) {
      this.name = name;
      this.subscribe = List.copyOf(subscribe);
      this.publish = List.copyOf(publish);
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public List<ChannelPattern> subscribe() {
      return subscribe;
    }

    @Override
    public List<ChannelPattern> publish() {
      return publish;
    }

    @Override
    public String toString() {
      return "Grants[" + name + ", subscribe=" + subscribe + ", publish=" + publish + "]";
    }
  }
}
