package io.ssehub.server.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ssehub.http.HttpProblem;
import io.ssehub.server.Refusals;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that does not send a complete request in time: the slow-loris defence (a
 * client that opens connections and trickles header bytes to hold them), and the idle timeout of a
 * keep-alive connection between requests.
 *
 * <p>The clock runs while the server waits for a request: from the connection's start, and again
 * after each complete response when no other request is in hand. It stops when a request is
 * complete (its last content passes) and for good once the connection carries a stream. A client
 * that had started a request, or never sent one, gets a 408 before the close; an idle keep-alive
 * connection is closed quietly (RFC 9112, 9.5).
 *
 * <p>Sits after the HTTP codec; time comes from the event loop, so {@code EmbeddedChannel} tests
 * advance it. Confined to the connection's event loop.
 */
final class RequestTimeoutHandler extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private final Refusals refusals;
  private ScheduledFuture<?> timer;

  /** Complete requests not yet answered completely. */
  private int pending;

  /** A request's head came but not its end. */
  private boolean midRequest;

  /** Whether any request was completed on this connection. */
  private boolean served;

  /** The connection carries a stream: no more timeouts. */
  private boolean streaming;

  /** A 408 was sent: what the client still sends is read and dropped until the close. */
  private boolean lingering;

  /**
   * How long a connection stays open for reading after its 408. Closing at once while the client is
   * still sending makes the kernel answer with a reset, which can destroy the 408 before the client
   * reads it; so the server stops writing (FIN), reads and drops the rest for a while, and only
   * then closes (a "lingering close", as web servers have long done).
   */
  static final long LINGER_MILLIS = 2000;

  RequestTimeoutHandler(long timeoutNanos, Refusals refusals) {
    this.timeoutNanos = timeoutNanos;
    this.refusals = refusals;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      arm(ctx);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm(); // a cleartext connection that turned out to speak HTTP/2 drops this handler
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    arm(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (lingering) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      midRequest = true;
    }
    if (msg instanceof LastHttpContent) {
      midRequest = false;
      served = true;
      pending++;
      disarm();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof HttpResponse && !(msg instanceof FullHttpResponse)) {
      streaming = true; // a stream's head: it is answering for as long as it lives
      disarm();
    } else if (msg instanceof LastHttpContent && !streaming) {
      pending = Math.max(0, pending - 1);
      if (pending == 0 && !midRequest) {
        arm(ctx);
      }
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    if (timeoutNanos > 0 && !streaming) {
      timer = ctx.executor().schedule(() -> expired(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expired(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive() || streaming || pending > 0) {
      return;
    }
    refusals.record(Refusals.Cause.REQUEST_TIMEOUT);
    if (served && !midRequest) {
      ctx.close(); // idle keep-alive: nothing to answer
      return;
    }
    FullHttpResponse response =
        Responses.error(
            new HttpProblem(
                408,
                "request_timeout",
                null,
                "request: not complete within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms (expected: a whole request within --request-timeout)"));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // Written from here, past the codec's decoder state: the codec's encoder still frames it.
    lingering = true;
    ctx.writeAndFlush(response)
        .addListener(
            written -> {
              if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
              } else {
                ctx.close();
              }
            });
  }
}
