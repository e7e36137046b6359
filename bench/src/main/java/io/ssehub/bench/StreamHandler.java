package io.ssehub.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One SSE stream: writes the GET, then parses the HTTP response head, chunked framing (ssehub) or a
 * raw body (Nchan), and the {@code text/event-stream} inside, straight from Netty's buffers.
 *
 * <p>Lean on purpose: the generator shares the machine with the hub, and each CPU cycle it spends
 * is one the hub does not get. So no {@code HttpClientCodec}, no strings per event: lines are
 * copied into one small per-stream array and the two numbers the generator needs, the sequence
 * number and the send time, are read from the data's bytes.
 *
 * <p>Event-stream rules followed (WHATWG HTML, "Interpreting an event stream"): lines end at CRLF,
 * LF or CR, also when split between reads; a line starting with {@code :} is a comment; a blank
 * line dispatches the event if it had data; fields other than {@code data} are read and ignored;
 * one space after the colon is dropped. A line with no colon is a field with an empty value. What
 * is left out: a leading BOM (neither server sends one), decoding to text (the numbers are ASCII).
 *
 * <p>Data the generator understands: {@code {"s":SEQ,"t":MICROS,...}} for a measured event, and
 * {@code {"probe":N}} while it waits for every stream to be live. Anything else is counted as
 * unparsed. Only the first {@code data:} line of an event is read.
 *
 * <p>Threading: every method runs on the channel's event loop.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  /** Sequence numbers a stream tracks at once; publishes in flight must stay well below it. */
  static final int WINDOW = 4096;

  private static final int MAX_HEAD_BYTES = 16 * 1024;
  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ = "{\"s\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TIME = ",\"t\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROBE = "{\"probe\":".getBytes(StandardCharsets.US_ASCII);

  private enum State {
    HEAD,
    RAW,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    DONE
  }

  private final byte[] request;
  private final Run run;
  private final LoopStats stats;
  private final BenchClock clock;

  private State state = State.HEAD;
  private byte[] head = new byte[512];
  private int headLength;
  private long chunkRemaining;
  private long chunkSize;
  private boolean chunkSizeDone;

  // Event-stream state.
  private byte[] line = new byte[128];
  private int lineLength;
  private boolean lastWasCr;
  private boolean hasData;
  private long pendingSeq = -1;
  private long pendingTime;
  private boolean pendingProbe;

  // Sequence tracking: a window of WINDOW bits from base.
  private final long[] seen = new long[WINDOW / 64];
  private long base;
  private long unseen;
  private boolean held;
  private boolean probed;

  StreamHandler(byte[] request, Run run, LoopStats stats, BenchClock clock) {
    this.request = request;
    this.run = run;
    this.stats = stats;
    this.clock = clock;
  }

  /** The shared state of one run that every stream reports to. */
  interface Run {
    /** The response head arrived with status 200. */
    void onHeld(StreamHandler stream);

    /** The stream ended; held tells whether it had been established. */
    void onEnded(StreamHandler stream, boolean held, String why);

    /** The first probe arrived on this stream. */
    void onProbed(StreamHandler stream);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    stats.streams.add(this);
    ctx.writeAndFlush(ctx.alloc().buffer(request.length).writeBytes(request));
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end(held ? "closed by the server" : "closed before the response head");
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    end(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    ctx.close();
  }

  private void end(String why) {
    if (state != State.DONE) {
      state = State.DONE;
      run.onEnded(this, held, why);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      stats.bytes += buf.readableBytes();
      int index = buf.readerIndex();
      int end = buf.writerIndex();
      while (index < end && state != State.DONE) {
        index =
            switch (state) {
              case HEAD -> readHead(ctx, buf, index, end);
              case RAW -> {
                body(buf, index, end);
                yield end;
              }
              case CHUNK_SIZE -> readChunkSize(ctx, buf, index, end);
              case CHUNK_DATA -> {
                int n = (int) Math.min(chunkRemaining, end - index);
                body(buf, index, index + n);
                chunkRemaining -= n;
                if (chunkRemaining == 0) {
                  state = State.CHUNK_END;
                }
                yield index + n;
              }
              case CHUNK_END -> {
                // The CRLF after a chunk's data: skip it, then the next size line.
                byte b = buf.getByte(index);
                if (b == '\n') {
                  state = State.CHUNK_SIZE;
                  chunkSize = 0;
                  chunkSizeDone = false;
                }
                yield index + 1;
              }
              case DONE -> end;
            };
      }
    } finally {
      buf.release();
    }
  }

  private int readHead(ChannelHandlerContext ctx, ByteBuf buf, int index, int end) {
    while (index < end) {
      byte b = buf.getByte(index++);
      if (headLength == head.length) {
        if (head.length >= MAX_HEAD_BYTES) {
          fail(ctx, "response head over " + MAX_HEAD_BYTES + " bytes");
          return end;
        }
        head = java.util.Arrays.copyOf(head, head.length * 2);
      }
      head[headLength++] = b;
      if (b == '\n'
          && headLength >= 4
          && head[headLength - 2] == '\r'
          && head[headLength - 3] == '\n') {
        String text = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        head = null;
        int status = text.startsWith("HTTP/1.") && text.length() > 12 ? parseStatus(text) : -1;
        if (status != 200) {
          fail(ctx, "status " + status + ": " + text.lines().findFirst().orElse(""));
          return end;
        }
        boolean chunked = text.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
        state = chunked ? State.CHUNK_SIZE : State.RAW;
        held = true;
        run.onHeld(this);
        return index;
      }
    }
    return index;
  }

  private static int parseStatus(String text) {
    try {
      return Integer.parseInt(text.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private int readChunkSize(ChannelHandlerContext ctx, ByteBuf buf, int index, int end) {
    while (index < end) {
      byte b = buf.getByte(index++);
      if (b == '\n') {
        if (chunkSize == 0) {
          end("the server ended the response");
          ctx.close();
          return end;
        }
        chunkRemaining = chunkSize;
        state = State.CHUNK_DATA;
        return index;
      }
      if (chunkSizeDone || b == '\r') {
        continue;
      }
      int digit = Character.digit(b, 16);
      if (digit < 0) {
        chunkSizeDone = true; // ";extension" or spaces: the size is over
      } else {
        chunkSize = chunkSize * 16 + digit;
        if (chunkSize > Integer.MAX_VALUE) {
          fail(ctx, "chunk size over 2 GiB");
          return end;
        }
      }
    }
    return index;
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    end(why);
    ctx.close();
  }

  // ---- the event stream

  private void body(ByteBuf buf, int from, int to) {
    int index = from;
    if (lastWasCr && index < to) {
      lastWasCr = false;
      if (buf.getByte(index) == '\n') {
        index++; // the LF of a CRLF split between reads
      }
    }
    while (index < to) {
      int eol = buf.forEachByte(index, to - index, ByteProcessor.FIND_CRLF);
      if (eol < 0) {
        append(buf, index, to - index);
        return;
      }
      append(buf, index, eol - index);
      line();
      if (buf.getByte(eol) == '\r') {
        if (eol + 1 < to) {
          index = buf.getByte(eol + 1) == '\n' ? eol + 2 : eol + 1;
        } else {
          lastWasCr = true;
          index = eol + 1;
        }
      } else {
        index = eol + 1;
      }
    }
  }

  private void append(ByteBuf buf, int index, int length) {
    if (length == 0) {
      return;
    }
    if (lineLength + length > line.length) {
      line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
    }
    buf.getBytes(index, line, lineLength, length);
    lineLength += length;
  }

  /** One whole line is in {@code line[0, lineLength)}. */
  private void line() {
    int length = lineLength;
    lineLength = 0;
    if (length == 0) {
      dispatch();
      return;
    }
    if (line[0] == ':') {
      return; // a comment: keepalives, Nchan's ": hi"
    }
    if (length >= 4 && startsWith(line, 0, length, DATA) && (length == 4 || line[4] == ':')) {
      if (hasData) {
        return; // only the first data line is read
      }
      hasData = true;
      int value = length > 5 && line[5] == ' ' ? 6 : 5;
      readData(value, length);
    }
  }

  private void readData(int from, int to) {
    if (startsWith(line, from, to, SEQ)) {
      int i = from + SEQ.length;
      long seq = 0;
      int digits = 0;
      for (; i < to && line[i] >= '0' && line[i] <= '9'; i++, digits++) {
        seq = seq * 10 + (line[i] - '0');
      }
      if (digits > 0 && startsWith(line, i, to, TIME)) {
        i += TIME.length;
        long time = 0;
        int timeDigits = 0;
        for (; i < to && line[i] >= '0' && line[i] <= '9'; i++, timeDigits++) {
          time = time * 10 + (line[i] - '0');
        }
        if (timeDigits > 0) {
          pendingSeq = seq;
          pendingTime = time;
          return;
        }
      }
    } else if (startsWith(line, from, to, PROBE)) {
      pendingProbe = true;
    }
  }

  private void dispatch() {
    if (!hasData) {
      return;
    }
    hasData = false;
    if (pendingSeq >= 0) {
      long seq = pendingSeq;
      pendingSeq = -1;
      onEvent(seq, pendingTime);
    } else if (pendingProbe) {
      pendingProbe = false;
      if (!probed) {
        probed = true;
        run.onProbed(this);
      }
    } else {
      stats.unparsed++;
    }
  }

  private void onEvent(long seq, long sentMicros) {
    if (!probed) {
      // Before this run's first probe: an event kept by the hub from an earlier run (Nchan replays
      // its buffer to new subscribers by default), not one of ours.
      stats.beforeProbe++;
      return;
    }
    if (seq < base) {
      stats.outOfWindow++; // so late that the window had moved on (and counted it unseen)
      return;
    }
    if (seq >= base + WINDOW) {
      slide(seq - WINDOW + 1);
    }
    int bit = (int) (seq & (WINDOW - 1));
    long mask = 1L << bit;
    int word = bit >>> 6;
    if ((seen[word] & mask) != 0) {
      stats.duplicates++;
      return;
    }
    seen[word] |= mask;
    long now = clock.micros();
    stats.recordDelivery(now - sentMicros, now);
  }

  /** Moves the window's start to newBase, noting every sequence number passed over unseen. */
  private void slide(long newBase) {
    long stop = Math.min(newBase, base + WINDOW);
    for (long s = base; s < stop; s++) {
      int bit = (int) (s & (WINDOW - 1));
      long mask = 1L << bit;
      if ((seen[bit >>> 6] & mask) == 0) {
        stats.recordUnseen(s);
        unseen++;
      } else {
        seen[bit >>> 6] &= ~mask;
      }
    }
    for (long s = stop; s < newBase; s++) {
      stats.recordUnseen(s); // a jump of more than a window: everything in between is unseen
      unseen++;
    }
    base = newBase;
  }

  /** At the end of a run, on the loop: notes what is unseen below {@code published}. */
  void finish(long published) {
    if (published > base) {
      slide(published);
    }
  }

  boolean held() {
    return held;
  }

  boolean probed() {
    return probed;
  }

  /** Sequence numbers this stream's window passed over without having received them. */
  long unseen() {
    return unseen;
  }

  private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
