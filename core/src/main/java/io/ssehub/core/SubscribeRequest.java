package io.ssehub.core;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a client asks for: channels (at least one; duplicates are dropped), to resume, the last
 * event id it received ({@code Last-Event-ID}), and who it is, for the {@link Authorizer}.
 */
public final class SubscribeRequest {
  private final List<String> channels;
  private final String lastEventId;
  private final Principal principal;
  private final String remoteAddress;

  private SubscribeRequest(List<String> channels, String lastEventId, Principal principal, String remoteAddress) {
    this.channels = channels;
    this.lastEventId = lastEventId;
    this.principal = principal;
    this.remoteAddress = remoteAddress;
  }

  /**
   * A request for these channels; an empty collection means the default channel {@value
   * ChannelNames#DEFAULT_CHANNEL}. {@code lastEventId} may be null or empty (a fresh stream).
   *
   * @throws InvalidInputException for an invalid channel name or last event id
   */
  public static SubscribeRequest of(Collection<String> channels, String lastEventId) {
    Set<String> unique = new LinkedHashSet<>();
    for (String channel : channels) {
      unique.add(ChannelNames.validate(channel));
    }
    if (unique.isEmpty()) {
      unique.add(ChannelNames.DEFAULT_CHANNEL);
    }
    if (lastEventId != null && lastEventId.isEmpty()) {
      lastEventId = null;
    }
    if (lastEventId != null) {
      try {
        SseEvent.validateId(lastEventId);
      } catch (InvalidInputException e) {
        throw new InvalidInputException("lastEventId", e.reason());
      }
    }
    return new SubscribeRequest(List.copyOf(new ArrayList<>(unique)), lastEventId, null, null);
  }

  /**
   * This request, made by {@code principal} (null: anonymous) from {@code remoteAddress} (null:
   * unknown), as the transport authenticated it.
   */
  public SubscribeRequest from(Principal principal, String remoteAddress) {
    return new SubscribeRequest(channels, lastEventId, principal, remoteAddress);
  }

  /** A fresh stream of one channel. */
  public static SubscribeRequest of(String channel) {
    return of(List.of(channel), null);
  }

  /** The channels, in the order first asked for, without duplicates. */
  public List<String> channels() {
    return channels;
  }

  /** The id to resume after, or null. */
  public String lastEventId() {
    return lastEventId;
  }

  /** Who asks; null for an anonymous client. */
  public Principal principal() {
    return principal;
  }

  /** The client's address, or null. */
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public String toString() {
    return "SubscribeRequest{channels=" + channels + ", lastEventId=" + lastEventId + "}";
  }
}
