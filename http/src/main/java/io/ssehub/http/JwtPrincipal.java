package io.ssehub.http;

import io.ssehub.core.ChannelGrants;
import io.ssehub.core.ChannelPattern;
import java.security.Principal;
import java.time.Instant;
import java.util.List;

/**
 * Who a verified JWT speaks for, and the channels its {@code ssehub} claim grants: judged by core's
 * {@code GrantAuthorizer}.
 *
 * @param name the {@code sub} claim, or {@code ""} when the token has none
 * @param subscribe the patterns of {@code ssehub.subscribe}
 * @param publish the patterns of {@code ssehub.publish}
 * @param expiresAt the {@code exp} claim, or null when the token does not expire
 */
public record JwtPrincipal(
    String name, List<ChannelPattern> subscribe, List<ChannelPattern> publish, Instant expiresAt)
    implements Principal, ChannelGrants {
  public JwtPrincipal {
    name = name == null ? "" : name;
    subscribe = List.copyOf(subscribe);
    publish = List.copyOf(publish);
  }

  @Override
  public String getName() {
    return name;
  }
}
