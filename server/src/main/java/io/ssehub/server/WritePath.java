package io.ssehub.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponse;
import io.ssehub.core.SseSink;
import io.ssehub.server.internal.NettySink;

/**
 * A seam for benchmarks: the server's write path for one stream, on a channel of the caller's,
 * without a server around it ({@code bench}'s {@code WritePathBenchmark} measures it). It exists so
 * that code outside this module never imports {@code internal}; embedding the server does not need
 * it, and it may change without notice.
 */
public final class WritePath {
  private WritePath() {}

  /**
   * A stream's sink on {@code channel}, as the server makes for each stream: its first write is
   * {@code head}, each send is queued and drained on the channel's event loop, framed once per
   * event below the HTTP/1 encoder.
   */
  public static SseSink sink(Channel channel, HttpResponse head) {
    return new NettySink(channel, head);
  }

  /**
   * Ends a sink of {@link #sink} and drops what it has queued without writing it (as the server
   * does for a stream it refused before it started).
   *
   * @throws ClassCastException if {@code sink} did not come from {@link #sink}
   */
  public static void discard(SseSink sink) {
    ((NettySink) sink).discard();
  }
}
