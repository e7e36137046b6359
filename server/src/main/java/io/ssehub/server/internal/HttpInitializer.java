package io.ssehub.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of each connection: connection limits, HTTP/1.1 codec (request line and header
 * limits), the request timeout, keep-alive bookkeeping ({@code Connection: close} and HTTP/1.0 are
 * honoured), body aggregation with a size limit, then the router.
 *
 * <p>HTTP/2 ({@link Http2Pipeline}) shares the router and the limits: over TLS when the client
 * picks {@code h2} by ALPN, and in cleartext when a connection opens with the HTTP/2 preface
 * ("prior knowledge"), which {@link PriorKnowledgeSniffer} looks for in front of the HTTP/1.1
 * handlers.
 */
public final class HttpInitializer extends ChannelInitializer<Channel> {
  private static final Logger log = LoggerFactory.getLogger(HttpInitializer.class);

  /** The HTTP/1.1 handlers, which a connection that turns out to speak HTTP/2 drops. */
  static final String[] HTTP1_HANDLERS = {"http", "timeout", "keepAlive", "body", "router"};

  private final ServerContext context;

  /** Null: cleartext. */
  private final SslContext tls;

  public HttpInitializer(ServerContext context) {
    this(context, null);
  }

  /**
   * With {@code tls}, every connection is TLS, HTTP/2 or HTTP/1.1 as ALPN decides; null for
   * cleartext.
   */
  public HttpInitializer(ServerContext context, SslContext tls) {
    this.context = context;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel channel) {
    context.connections().add(channel);
    context.limiter().admit(channel);
    if (tls != null) {
      SslHandler ssl = tls.newHandler(channel.alloc());
      // A handshake is part of the request the client has --request-timeout to send (0: no limit).
      ssl.setHandshakeTimeoutMillis(context.options().requestTimeout().toMillis());
      channel.pipeline().addLast("tls", ssl).addLast("alpn", new ProtocolNegotiation());
      return;
    }
    channel.pipeline().addLast("h2c", new PriorKnowledgeSniffer(context));
    addHttp1(channel.pipeline());
  }

  private void addHttp1(ChannelPipeline pipeline) {
    ServerOptions options = context.options();
    // The request line holds the method and the version besides the URL: room for them.
    HttpDecoderConfig limits =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(options.maxUrlBytes() + 32)
            .setMaxHeaderSize(options.maxHeaderBytes());
    pipeline
        .addLast("http", new HttpServerCodec(limits))
        .addLast(
            "timeout",
            new RequestTimeoutHandler(options.requestTimeout().toNanos(), context.refusals()))
        .addLast("keepAlive", new HttpServerKeepAliveHandler())
        .addLast("body", new BodyAggregator(context.maxBodyBytes(), context.refusals()))
        .addLast("router", new HttpRouter(context));
  }

  /** Sets up HTTP/2 or HTTP/1.1 once the TLS handshake has told which one the client chose. */
  private final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {
    ProtocolNegotiation() {
      super(ApplicationProtocolNames.HTTP_1_1); // a client without ALPN speaks HTTP/1.1
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        Http2Pipeline.addHandlers(ctx.pipeline(), context);
      } else {
        addHttp1(ctx.pipeline()); // the server offers nothing else
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // Plain HTTP on the TLS port, a client that distrusts the certificate, a scanner: routine.
      log.debug(
          "TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
