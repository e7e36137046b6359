package io.ssehub.core;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a client asks for: channels (at least one; duplicates are dropped), to resume, the last
 * event id it received ({@code Last-Event-ID}), and who it is, for the {@link Authorizer}.
 */
public final class SubscribeRequest {
  private final List<String> channels;
  private final String lastEventId;
  private final Principal principal;
  private final String remoteAddress;
  private final Predicate<SseEvent> filter;
  private final boolean reserved;

  private SubscribeRequest(
      List<String> channels,
      String lastEventId,
      Principal principal,
      String remoteAddress,
      Predicate<SseEvent> filter,
      boolean reserved) {
    this.channels = channels;
    this.lastEventId = lastEventId;
    this.principal = principal;
    this.remoteAddress = remoteAddress;
    this.filter = filter;
    this.reserved = reserved;
  }

  /**
   * A request for these channels; an empty collection means the default channel {@value
   * ChannelNames#DEFAULT_CHANNEL}. {@code lastEventId} may be null or empty (a fresh stream).
   *
   * @throws InvalidInputException for an invalid channel name or last event id, or a {@linkplain
   *     ChannelNames#isReserved reserved} channel
   */
  public static SubscribeRequest of(Collection<String> channels, String lastEventId) {
    Set<String> unique = new LinkedHashSet<>();
    for (String channel : channels) {
      ChannelNames.rejectReserved(ChannelNames.validate(channel));
      unique.add(channel);
    }
    if (unique.isEmpty()) {
      unique.add(ChannelNames.DEFAULT_CHANNEL);
    }
    return new SubscribeRequest(
        List.copyOf(new ArrayList<>(unique)),
        checkedLastEventId(lastEventId),
        null,
        null,
        null,
        false);
  }

  /**
   * A stream of one of ssehub's own {@linkplain ChannelNames#isReserved reserved} channels, for a
   * front door of the hub (Mercure) that has authorized the client by its own rules: the hub's
   * {@link Authorizer} is not asked. {@code filter} picks the events of the channel this client
   * receives (live and replayed alike).
   *
   * @throws InvalidInputException for a channel that is not reserved, or an invalid last event id
   */
  public static SubscribeRequest reserved(
      String channel, String lastEventId, Predicate<SseEvent> filter) {
    if (!ChannelNames.isReserved(ChannelNames.validate(channel))) {
      throw new InvalidInputException(
          "channel",
          InvalidInputException.quote(channel)
              + " is not reserved (expected: a name starting with \""
              + ChannelNames.RESERVED_PREFIX
              + "\")");
    }
    return new SubscribeRequest(
        List.of(channel),
        checkedLastEventId(lastEventId),
        null,
        null,
        Objects.requireNonNull(filter, "filter"),
        true);
  }

  /** Null for none (or empty); else the id, if it could be an event's id. */
  private static String checkedLastEventId(String lastEventId) {
    if (lastEventId == null || lastEventId.isEmpty()) {
      return null;
    }
    try {
      SseEvent.validateId(lastEventId);
    } catch (InvalidInputException e) {
      throw new InvalidInputException("lastEventId", e.reason());
    }
    return lastEventId;
  }

  /**
   * This request, made by {@code principal} (null: anonymous) from {@code remoteAddress} (null:
   * unknown), as the transport authenticated it.
   */
  public SubscribeRequest from(Principal principal, String remoteAddress) {
    return new SubscribeRequest(channels, lastEventId, principal, remoteAddress, filter, reserved);
  }

  /**
   * Which of its channels' events this stream receives, live and replayed; null for all of them.
   * The hub still encodes each event once: the filter only decides which streams get its bytes.
   */
  public Predicate<SseEvent> filter() {
    return filter;
  }

  /**
   * Whether this is a stream of a reserved channel, authorized by the front door that asked for it.
   */
  public boolean isReserved() {
    return reserved;
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
