package io.ssehub.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Tells cleartext HTTP/2 with prior knowledge (RFC 9113, 3.3) from HTTP/1.1 by a connection's first
 * bytes. It decides at the first byte that differs from the HTTP/2 connection preface, so HTTP/1.1
 * requests pass at once and unchanged; a whole preface swaps the HTTP/1.1 handlers for HTTP/2's.
 * Either way it then leaves the pipeline, handing on the bytes it held.
 */
final class PriorKnowledgeSniffer extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ServerContext context;

  PriorKnowledgeSniffer(ServerContext context) {
    this.context = context;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
    if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), length)) {
      ctx.pipeline().remove(this); // HTTP/1.1: the handlers behind are already in place
      return;
    }
    if (length == PREFACE.readableBytes()) {
      ChannelPipeline pipeline = ctx.pipeline();
      for (String name : HttpInitializer.HTTP1_HANDLERS) {
        pipeline.remove(name);
      }
      Http2Pipeline.addHandlers(pipeline, context);
      pipeline.remove(this); // the preface goes on to the HTTP/2 codec, which reads it again
    }
  }
}
