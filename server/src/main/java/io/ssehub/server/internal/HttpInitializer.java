package io.ssehub.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The pipeline of each connection: HTTP/1.1 codec, keep-alive bookkeeping ({@code Connection:
 * close} and HTTP/1.0 are honoured), body aggregation with a size limit, then the router.
 */
public final class HttpInitializer extends ChannelInitializer<Channel> {
  private final ServerContext context;

  public HttpInitializer(ServerContext context) {
    this.context = context;
  }

  @Override
  protected void initChannel(Channel channel) {
    context.connections().add(channel);
    channel.pipeline()
        .addLast("http", new HttpServerCodec())
        .addLast("keepAlive", new HttpServerKeepAliveHandler())
        .addLast("body", new BodyAggregator(context.maxBodyBytes()))
        .addLast("router", new HttpRouter(context));
  }
}
