package io.ssehub.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Netty's own HTTP/2 client over cleartext with prior knowledge (no upgrade): a connection, and
 * streams on it whose frames are kept for assertions. A stream may be opened without reading, so
 * that its flow-control window fills and the server sees a client that does not keep up.
 */
final class H2cClient implements AutoCloseable {
  private static final int CONNECTION_WINDOW = 15 * 1024 * 1024;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;
  private final int port;

  H2cClient(int port) {
    this.port = port;
    try {
      connection =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      channel
                          .pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forClient().build(),
                              new Http2MultiplexHandler(
                                  new ChannelInboundHandlerAdapter())); // pushed streams: none
                    }
                  })
              .connect("127.0.0.1", port)
              .sync()
              .channel();
      // A connection window as large as browsers give (Chromium: 15 MiB), so that one stream left
      // unread stalls itself, not its siblings.
      connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW)).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(e);
    }
  }

  Channel connection() {
    return connection;
  }

  /** Sends {@code GET path} on a new stream; {@code read} false leaves what arrives unread. */
  Stream get(String path, boolean read) {
    Stream stream = new Stream();
    try {
      Http2StreamChannel child =
          new Http2StreamChannelBootstrap(connection)
              .option(ChannelOption.AUTO_READ, read)
              .handler(stream)
              .open()
              .sync()
              .getNow();
      stream.channel = child;
      Http2Headers headers =
          new DefaultHttp2Headers()
              .method("GET")
              .path(path)
              .scheme("http")
              .authority("127.0.0.1:" + port);
      child.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true)).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return stream;
  }

  @Override
  public void close() {
    connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** What one stream received. */
  @ChannelHandler.Sharable
  static final class Stream extends ChannelInboundHandlerAdapter {
    volatile Http2StreamChannel channel;
    volatile Http2Headers headers;
    private final StringBuffer data = new StringBuffer();
    volatile boolean ended;
    volatile boolean reset;
    volatile boolean closed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame frame) {
          if (headers == null) {
            headers = frame.headers();
          }
          ended |= frame.isEndStream();
        } else if (msg instanceof Http2DataFrame frame) {
          data.append(frame.content().toString(StandardCharsets.UTF_8));
          ended |= frame.isEndStream();
        } else if (msg instanceof Http2ResetFrame) {
          reset = true;
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      closed = true;
      super.channelInactive(ctx);
    }

    String status() {
      Http2Headers h = headers;
      return h == null ? null : String.valueOf(h.status());
    }

    String data() {
      return data.toString();
    }
  }
}
