package io.ssehub.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.ssehub.http.HttpProblem;
import io.ssehub.server.Refusals;

/**
 * Netty's aggregator, answering an oversized body with our JSON error instead of an empty 413.
 *
 * <p>A body is refused by its {@code Content-Length} before it is read, or, for a chunked body, as
 * soon as the count passes the limit; either way the aggregator then discards the rest of it, so a
 * keep-alive connection stays usable. Closing instead would make the kernel reset the connection
 * while the client is still sending, and the client might never read the 413.
 */
final class BodyAggregator extends HttpObjectAggregator {
  private final Refusals refusals;

  BodyAggregator(int maxContentLength, Refusals refusals) {
    super(maxContentLength);
    this.refusals = refusals;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    FullHttpResponse response = tooLarge(oversized);
    if (!HttpUtil.isKeepAlive(oversized)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(response);
  }

  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    // "Expect: 100-continue" with a Content-Length over the limit: refuse before the client sends
    // the body (RFC 9110, 10.1.1), with our error body. The aggregator then ignores the content.
    if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
      start.headers().remove(HttpHeaderNames.EXPECT);
      return tooLarge(start);
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  private FullHttpResponse tooLarge(HttpMessage oversized) {
    refusals.record(Refusals.Cause.BODY_TOO_LARGE);
    return Responses.error(
        HttpProblem.bodyTooLarge(HttpUtil.getContentLength(oversized, -1L), maxContentLength()));
  }
}
