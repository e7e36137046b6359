package io.ssehub.server.internal;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ssehub.core.SseHub;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** What every connection's handlers share: the hub, the demo page, and the open connections. */
public final class ServerContext {
  private final SseHub hub;
  private final int maxBodyBytes;
  private final byte[] demoPage;
  /** Every open connection; closed ones leave by themselves. */
  private final ChannelGroup connections = new DefaultChannelGroup("ssehub-connections", GlobalEventExecutor.INSTANCE);
  /** The connections that carry a stream. */
  private final ChannelGroup streams = new DefaultChannelGroup("ssehub-streams", GlobalEventExecutor.INSTANCE);

  public ServerContext(SseHub hub, int maxBodyBytes) {
    this.hub = hub;
    this.maxBodyBytes = maxBodyBytes;
    this.demoPage = resource("index.html");
  }

  public SseHub hub() {
    return hub;
  }

  /** The largest request body read; larger ones get a 413. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public byte[] demoPage() {
    return demoPage;
  }

  public ChannelGroup connections() {
    return connections;
  }

  public ChannelGroup streams() {
    return streams;
  }

  private static byte[] resource(String name) {
    try (InputStream in = ServerContext.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " next to " + ServerContext.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
