package io.ssehub.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.ssehub.server.Refusals;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/2 connection: Netty's frame codec, then one child channel per stream, each with the same
 * handlers as an HTTP/1.1 connection (request timeout, body aggregation, {@link HttpRouter}),
 * behind a codec that turns the stream's frames into HTTP/1.1 objects and back. So a stream, a
 * publish or an error is answered by the same code whatever the protocol; HTTP/1.1's
 * connection-level headers ({@code Transfer-Encoding}, {@code Connection}) are dropped by the
 * codec.
 *
 * <p>Ending an SSE stream ends only its HTTP/2 stream ({@code END_STREAM}, or {@code RST_STREAM}
 * when it is cut), and a client that cancels a stream closes only that child channel. The
 * connection limits count the TCP connection; its address is every stream's remote address.
 */
final class Http2Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Http2Pipeline.class);

  /**
   * Streams one connection may hold at once (SETTINGS_MAX_CONCURRENT_STREAMS). A browser page may
   * open many EventSources on one connection, past HTTP/1.1's six per origin; this keeps a single
   * connection from taking an unbounded share of the hub.
   */
  static final int MAX_CONCURRENT_STREAMS = 256;

  private Http2Pipeline() {}

  /**
   * Adds the HTTP/2 handlers at the end of a connection's pipeline, where the connection preface
   * comes next.
   */
  static void addHandlers(ChannelPipeline pipeline, ServerContext context) {
    ServerOptions options = context.options();
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forServer()
            .initialSettings(
                Http2Settings.defaultSettings()
                    .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                    // Over it, Netty answers the stream with 431, as HTTP/1.1's header limit does.
                    .maxHeaderListSize(options.maxHeaderBytes()))
            .build();
    pipeline.addLast("h2", codec);
    pipeline.addLast("h2BackPressure", new ReadWhileWritable());
    long idleNanos = options.requestTimeout().toNanos();
    if (idleNanos > 0) {
      pipeline.addLast("h2Idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
      pipeline.addLast("h2IdleClose", new IdleConnectionCloser(codec, context.refusals()));
    }
    pipeline.addLast("h2Streams", new Http2MultiplexHandler(new StreamInitializer(context)));
    pipeline.addLast("h2Errors", new ConnectionErrors());
  }

  /**
   * Stops reading a connection while what was written to it waits in its outbound buffer (the
   * client does not read): otherwise a client could keep sending requests whose answers (their
   * HEADERS frames at least, which flow control does not hold back) pile up in memory without end.
   * Each stream's own answers are held back by its flow-control window and its child channel's
   * writability ({@link HttpRouter}).
   */
  static final class ReadWhileWritable extends ChannelInboundHandlerAdapter {
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      ctx.channel().config().setAutoRead(ctx.channel().isWritable());
      super.channelWritabilityChanged(ctx);
    }
  }

  /**
   * The end of a connection's errors: the codec has already answered a protocol error with GOAWAY
   * and closed, and a reset is the client's leaving; both are routine, logged at debug.
   */
  private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** The handlers of each stream's child channel. */
  private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    private final ServerContext context;

    StreamInitializer(ServerContext context) {
      this.context = context;
    }

    @Override
    protected void initChannel(Http2StreamChannel stream) {
      Channel connection = stream.parent();
      Refusals.Cause over = connection.attr(ConnectionLimiter.OVER_LIMIT).get();
      if (over != null) {
        // The router answers why and closes the stream; the connection, counted nowhere, goes with
        // it.
        stream.attr(ConnectionLimiter.OVER_LIMIT).set(over);
        stream.closeFuture().addListener(closed -> connection.close());
      }
      ServerOptions options = context.options();
      stream
          .pipeline()
          .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
          .addLast("urlLimit", new UrlLimit(options.maxUrlBytes()))
          .addLast(
              "timeout",
              new RequestTimeoutHandler(options.requestTimeout().toNanos(), context.refusals()))
          .addLast("body", new BodyAggregator(context.maxBodyBytes(), context.refusals()))
          .addLast("router", new HttpRouter(context));
    }
  }

  /**
   * HTTP/2 has no request line for the HTTP/1.1 codec's limit to measure: a {@code :path} over
   * {@code --max-url-bytes} is marked as that codec marks a line too long, and the router answers
   * 414 as it does for HTTP/1.1.
   */
  private static final class UrlLimit extends ChannelInboundHandlerAdapter {
    private final int maxUrlBytes;

    UrlLimit(int maxUrlBytes) {
      this.maxUrlBytes = maxUrlBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request && request.uri().length() > maxUrlBytes) {
        request.setDecoderResult(
            DecoderResult.failure(
                new TooLongHttpLineException(
                    "An HTTP line is larger than " + maxUrlBytes + " bytes.")));
      }
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Closes a connection that holds no stream for {@code --request-timeout}: HTTP/1.1's keep-alive
   * idle timeout, for HTTP/2 (each stream's own request has its own timeout in its child channel).
   */
  private static final class IdleConnectionCloser extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;
    private final Refusals refusals;

    IdleConnectionCloser(Http2FrameCodec codec, Refusals refusals) {
      this.codec = codec;
      this.refusals = refusals;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
        refusals.record(Refusals.Cause.REQUEST_TIMEOUT);
        ctx.close(); // the codec says GOAWAY first
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }
}
