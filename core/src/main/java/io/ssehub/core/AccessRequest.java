package io.ssehub.core;

import java.security.Principal;
import java.util.List;

/**
 * What an {@link Authorizer} decides on.
 *
 * @param action subscribing or publishing
 * @param channels the channels asked for (one, for a publish)
 * @param principal who asks, as the transport authenticated them; null for an anonymous client
 * @param remoteAddress the client's IP address as text, or null if unknown
 */
public record AccessRequest(
    Action action, List<String> channels, Principal principal, String remoteAddress) {
  public AccessRequest {
    channels = List.copyOf(channels);
  }

  /** Whether the client reads or writes. */
  public enum Action {
    SUBSCRIBE,
    PUBLISH
  }
}
