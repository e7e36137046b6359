package io.ssehub.server.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/** Native epoll on Linux when it loads, else NIO: same behaviour, epoll with less garbage. */
public enum Transport {
  EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class),
  NIO(NioIoHandler::newFactory, NioServerSocketChannel.class);

  private final Supplier<IoHandlerFactory> handlers;
  private final Class<? extends ServerChannel> serverChannel;

  Transport(Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel) {
    this.handlers = handlers;
    this.serverChannel = serverChannel;
  }

  public static Transport best() {
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /** An event loop group of {@code threads} threads (0: Netty's default, twice the cores). */
  public EventLoopGroup newGroup(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(name, true), handlers.get());
  }

  public Class<? extends ServerChannel> serverChannel() {
    return serverChannel;
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
