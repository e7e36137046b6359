package io.ssehub.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The pipeline of each connection: connection limits, HTTP/1.1 codec (request line and header
 * limits), the request timeout, keep-alive bookkeeping ({@code Connection:
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
    context.limiter().admit(channel);
    ServerOptions options = context.options();
    // The request line holds the method and the version besides the URL: room for them.
    HttpDecoderConfig limits = new HttpDecoderConfig()
        .setMaxInitialLineLength(options.maxUrlBytes() + 32)
        .setMaxHeaderSize(options.maxHeaderBytes());
    channel.pipeline()
        .addLast("http", new HttpServerCodec(limits))
        .addLast("timeout", new RequestTimeoutHandler(options.requestTimeout().toNanos(), context.refusals()))
        .addLast("keepAlive", new HttpServerKeepAliveHandler())
        .addLast("body", new BodyAggregator(context.maxBodyBytes(), context.refusals()))
        .addLast("router", new HttpRouter(context));
  }
}
