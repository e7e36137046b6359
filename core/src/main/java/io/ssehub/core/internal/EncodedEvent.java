package io.ssehub.core.internal;

import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;

/**
 * An event encoded once per node and shared by every stream that receives it (ARCHITECTURE.md
 * invariant 2). The form without the id line is made only if a stream over several channels needs
 * it.
 */
final class EncodedEvent {
  final String channel;
  final SseEvent event;
  final byte[] full;
  private volatile byte[] withoutId;

  EncodedEvent(String channel, SseEvent event) {
    this.channel = channel;
    this.event = event;
    this.full = SseEncoder.encode(event);
  }

  byte[] withoutId() {
    byte[] bytes = withoutId;
    if (bytes == null) {
      // A race here encodes twice and keeps one: harmless, and cheaper than a lock per event.
      bytes = SseEncoder.encodeWithoutId(event);
      withoutId = bytes;
    }
    return bytes;
  }

  int size() {
    return full.length;
  }
}
