package io.ssehub.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.ssehub.server.Refusals;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections, in all and per client address. A connection over a limit is not dropped
 * at once: it is marked, and its first request gets an answer that says why (see {@link
 * HttpRouter}: a stream is told to come back later, other requests get 429 or 503), then it is
 * closed. It has {@link #OVER_LIMIT_GRACE_MILLIS} to send that request: one that sends nothing is
 * closed then, so that idle connections over the limits cannot hold the node's descriptors. Only
 * connections within the limits count.
 *
 * <p>Thread-safe.
 */
public final class ConnectionLimiter {
  /** The limit a connection is over; absent when it is within them. */
  static final AttributeKey<Refusals.Cause> OVER_LIMIT = AttributeKey.valueOf("ssehub.overLimit");

  /** How long a connection over a limit may take to send the request its refusal answers. */
  static final long OVER_LIMIT_GRACE_MILLIS = 250;

  /**
   * What a connection over a limit that sent nothing gets beyond the grace: a pass of its loop's
   * I/O.
   */
  private static final long LAST_READ_MILLIS = 20;

  private final int maxConnections;
  private final int maxPerIp;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

  /** {@code 0} for either: no limit. */
  public ConnectionLimiter(int maxConnections, int maxPerIp) {
    this.maxConnections = maxConnections;
    this.maxPerIp = maxPerIp;
  }

  /** Counts a new connection, or marks it over a limit and closes it after a short grace. */
  void admit(Channel channel) {
    String ip = ip(channel.remoteAddress());
    if (maxConnections > 0 && total.incrementAndGet() > maxConnections) {
      total.decrementAndGet();
      refuse(channel, Refusals.Cause.MAX_CONNECTIONS);
      return;
    }
    if (maxConnections <= 0) {
      total.incrementAndGet();
    }
    if (maxPerIp > 0 && ip != null) {
      AtomicInteger count = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
      if (count.incrementAndGet() > maxPerIp) {
        release(ip, count);
        total.decrementAndGet();
        refuse(channel, Refusals.Cause.MAX_CONNECTIONS_PER_IP);
        return;
      }
    }
    channel
        .closeFuture()
        .addListener(
            closed -> {
              total.decrementAndGet();
              if (maxPerIp > 0 && ip != null) {
                AtomicInteger count = perIp.get(ip);
                if (count != null) {
                  release(ip, count);
                }
              }
            });
  }

  private static void refuse(Channel channel, Refusals.Cause cause) {
    channel.attr(OVER_LIMIT).set(cause);
    ReadSeen seen = new ReadSeen();
    channel.pipeline().addFirst(seen);
    ScheduledFuture<?> deadline =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  if (seen.read) {
                    channel.close();
                  } else {
                    // Nothing read yet: the request may wait in the socket behind a busy loop. One
                    // more pass of
                    // the loop's I/O reads it (and answers it) before the close.
                    channel
                        .eventLoop()
                        .schedule(
                            () -> {
                              channel.close();
                            },
                            LAST_READ_MILLIS,
                            TimeUnit.MILLISECONDS);
                  }
                },
                OVER_LIMIT_GRACE_MILLIS,
                TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> deadline.cancel(false));
  }

  /** Notes that a connection over a limit sent something; event loop only. */
  private static final class ReadSeen extends ChannelInboundHandlerAdapter {
    boolean read;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      read = true;
      ctx.fireChannelRead(msg);
    }
  }

  private void release(String ip, AtomicInteger count) {
    if (count.decrementAndGet() <= 0) {
      perIp.remove(
          ip,
          count); // an address with no connection leaves the map; a racing admit makes a new entry
    }
  }

  /** Connections counted now. */
  public int open() {
    return total.get();
  }

  /** Connections counted now for this address. */
  public int open(String ip) {
    AtomicInteger count = perIp.get(ip);
    return count == null ? 0 : count.get();
  }

  static String ip(SocketAddress address) {
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : null;
  }
}
