package io.ssehub.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.charset.StandardCharsets;

/**
 * How a stream's bytes become what its channel writes, after the response head.
 *
 * <p>On HTTP/1.x the stream's bytes bypass the HTTP encoder: the hub frames each event once (as a
 * chunk, on HTTP/1.1) into a direct buffer, and every stream of the event writes a duplicate of it
 * straight to the socket's end of the pipeline. Passing each stream's copy through the encoder cost
 * more than the write itself: a chunk header buffer, three messages and a promise combiner per
 * stream and event, then a copy from heap to direct memory. Elsewhere (HTTP/2 streams, which have
 * their own frame codec) each send is an {@link io.netty.handler.codec.http.HttpContent}.
 */
enum Framing {
  /** HTTP/1.1 with {@code Transfer-Encoding: chunked}: each send is one chunk. */
  CHUNKED {
    @Override
    int frameLength(int length) {
      return Integer.toHexString(length).length() + 2 + length + 2;
    }

    @Override
    void writeFrame(ByteBuf target, byte[] bytes) {
      target.writeCharSequence(Integer.toHexString(bytes.length), StandardCharsets.US_ASCII);
      target.writeBytes(CRLF).writeBytes(bytes).writeBytes(CRLF);
    }

    @Override
    Object end() {
      return Unpooled.wrappedBuffer(LAST_CHUNK);
    }
  },
  /** HTTP/1.0, or HTTP/1.1 without chunks: the body ends when the connection closes. */
  IDENTITY {
    @Override
    Object end() {
      return Unpooled.EMPTY_BUFFER;
    }
  },
  /**
   * No HTTP/1 encoder on the channel (HTTP/2 streams, tests): {@code HttpContent}s through the
   * pipeline.
   */
  CONTENT {
    @Override
    Object wrap(ByteBuf framed) {
      return new DefaultHttpContent(framed);
    }

    @Override
    Object end() {
      return LastHttpContent.EMPTY_LAST_CONTENT;
    }
  };

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** The last array each event-loop thread framed: a fan-out frames an event once per thread. */
  private static final FastThreadLocal<Slot> LAST =
      new FastThreadLocal<>() {
        @Override
        protected Slot initialValue() {
          return new Slot();
        }

        @Override
        protected void onRemoval(Slot slot) {
          slot.clear(); // the thread ends (Netty removes its thread locals then)
        }
      };

  /** The framing for a stream whose head is {@code head}, on a channel with {@code pipeline}. */
  static Framing of(ChannelPipeline pipeline, HttpResponse head) {
    if (pipeline.get(HttpServerCodec.class) == null) {
      return CONTENT;
    }
    return HttpUtil.isTransferEncodingChunked(head) ? CHUNKED : IDENTITY;
  }

  /** Whether the channel writes what {@link #wrap} makes below the HTTP/1 encoder. */
  boolean bypassesEncoder() {
    return this != CONTENT;
  }

  /** The length of {@code length} bytes framed: unframed unless the framing says otherwise. */
  int frameLength(int length) {
    return length;
  }

  /** Writes {@code bytes} framed into {@code target}, which has room for {@link #frameLength}. */
  void writeFrame(ByteBuf target, byte[] bytes) {
    target.writeBytes(bytes);
  }

  /** The message that ends the body: a last chunk, nothing, or the last content. */
  abstract Object end();

  /** The message to write for framed bytes. */
  Object wrap(ByteBuf framed) {
    return framed;
  }

  /**
   * {@code bytes} framed, in a buffer the caller owns (one reference). An array that many streams
   * share (ARCHITECTURE.md invariant 2) is framed once per event-loop thread: the callers get
   * duplicates of one buffer. Other threads (tests, a caller's own thread) frame every time, so
   * that no buffer outlives them.
   */
  ByteBuf frame(byte[] bytes, ByteBufAllocator allocator) {
    if (!FastThreadLocalThread.currentThreadHasFastThreadLocal()) {
      return frameCopy(bytes, allocator);
    }
    Slot last = LAST.get();
    if (last.source != bytes || last.framing != this) {
      last.clear(); // the writes of the previous event hold their own references
      last.buffer = frameCopy(bytes, allocator);
      last.source = bytes;
      last.framing = this;
    }
    return last.buffer.retainedDuplicate();
  }

  /** {@code bytes} framed in a buffer of their own, for bytes that no other stream writes. */
  ByteBuf frameCopy(byte[] bytes, ByteBufAllocator allocator) {
    ByteBuf buffer = allocator.directBuffer(frameLength(bytes.length));
    writeFrame(buffer, bytes);
    return buffer;
  }

  /** A thread's last framed array; the buffer holds one reference for the slot. */
  private static final class Slot {
    byte[] source;
    Framing framing;
    ByteBuf buffer;

    void clear() {
      if (buffer != null) {
        buffer.release();
      }
      source = null;
      framing = null;
      buffer = null;
    }
  }
}
