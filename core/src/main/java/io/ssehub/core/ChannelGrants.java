package io.ssehub.core;

import java.util.List;

/**
 * What a principal may do: the channel patterns it may subscribe to and publish to. A principal
 * that implements this (the standalone hub's JWT principal does) is judged by {@link
 * GrantAuthorizer}.
 */
public interface ChannelGrants {
  /** Patterns of the channels this principal may read. */
  List<ChannelPattern> subscribe();

  /** Patterns of the channels this principal may publish to. */
  List<ChannelPattern> publish();

  /** Whether {@code channel} matches one of {@code patterns}. */
  static boolean anyMatches(List<ChannelPattern> patterns, String channel) {
    for (ChannelPattern pattern : patterns) {
      if (pattern.matches(channel)) {
        return true;
      }
    }
    return false;
  }
}
