package io.ssehub.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The standalone hub's rules, usable by any transport:
 *
 * <ul>
 *   <li>A principal with {@link ChannelGrants} (a verified token) may use exactly the channels its
 *       grants match; others are refused with 403.
 *   <li>Anonymous subscribers: allowed on every channel unless {@linkplain Builder#tokensRequired
 *       tokens are required}; then only on the {@linkplain Builder#publicChannels public channels}
 *       (401 elsewhere).
 *   <li>Anonymous publishers: refused unless {@linkplain Builder#anonymousPublish explicitly
 *       allowed}; without required tokens, clients on a loopback address may publish (a backend on
 *       the same machine), others get 403 saying how to open it.
 * </ul>
 */
public final class GrantAuthorizer implements Authorizer {
  private final boolean tokensRequired;
  private final List<ChannelPattern> publicChannels;
  private final boolean anonymousPublish;

  private GrantAuthorizer(Builder builder) {
    this.tokensRequired = builder.tokensRequired;
    this.publicChannels = List.copyOf(builder.publicChannels);
    this.anonymousPublish = builder.anonymousPublish;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AccessDecision authorize(AccessRequest request) {
    boolean subscribing = request.action() == AccessRequest.Action.SUBSCRIBE;
    if (request.principal() instanceof ChannelGrants grants) {
      List<ChannelPattern> allowed = subscribing ? grants.subscribe() : grants.publish();
      for (String channel : request.channels()) {
        if (!ChannelGrants.anyMatches(allowed, channel)
            && !(subscribing && ChannelGrants.anyMatches(publicChannels, channel))) {
          return AccessDecision.forbidden(
              "the token does not allow "
                  + (subscribing ? "subscribing to" : "publishing to")
                  + " channel "
                  + channel);
        }
      }
      return AccessDecision.allow();
    }
    if (request.principal() != null) {
      return AccessDecision.forbidden("the principal carries no channel grants");
    }
    if (subscribing) {
      if (!tokensRequired) {
        return AccessDecision.allow();
      }
      for (String channel : request.channels()) {
        if (!ChannelGrants.anyMatches(publicChannels, channel)) {
          return AccessDecision.unauthenticated("channel " + channel + " needs a token");
        }
      }
      return AccessDecision.allow();
    }
    if (anonymousPublish) {
      return AccessDecision.allow();
    }
    if (tokensRequired) {
      return AccessDecision.unauthenticated("publishing needs a token");
    }
    if (isLoopback(request.remoteAddress())) {
      return AccessDecision.allow();
    }
    return AccessDecision.forbidden(
        "anonymous publishing is allowed from loopback only (start the hub with --allow-anonymous-publish, or configure JWT)");
  }

  /**
   * Whether the address is a loopback address; only literal IP addresses are considered, never
   * resolved.
   */
  public static boolean isLoopback(String address) {
    if (address == null || address.isEmpty()) {
      return false;
    }
    boolean literal =
        address.indexOf(':') >= 0
            || address.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    if (!literal) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The rules' settings; the defaults are the hub's safe defaults without JWT. */
  public static final class Builder {
    private boolean tokensRequired;
    private final List<ChannelPattern> publicChannels = new ArrayList<>();
    private boolean anonymousPublish;

    private Builder() {}

    /**
     * Whether anonymous clients are refused (except on public channels): true once a token key is
     * configured.
     */
    public Builder tokensRequired(boolean tokensRequired) {
      this.tokensRequired = tokensRequired;
      return this;
    }

    /** Channels anyone may subscribe to, even when tokens are required. */
    public Builder publicChannels(List<ChannelPattern> patterns) {
      publicChannels.addAll(Objects.requireNonNull(patterns, "patterns"));
      return this;
    }

    /** Lets anyone publish to any channel, from any address. Off by default. */
    public Builder anonymousPublish(boolean allowed) {
      this.anonymousPublish = allowed;
      return this;
    }

    public GrantAuthorizer build() {
      return new GrantAuthorizer(this);
    }
  }
}
