package io.ssehub.core;

import io.ssehub.testkit.SseParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An {@link SseSink} that keeps what it was sent, for tests; its pending byte count is set by the
 * test.
 */
class RecordingSink implements SseSink {
  private final List<byte[]> writes = new ArrayList<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private volatile long pending;
  private volatile boolean paced;
  private Runnable whenWritable;
  private volatile boolean closed;
  private volatile boolean aborted;
  private volatile Executor lane;
  private final List<String> sendingThreads = new ArrayList<>();

  @Override
  public synchronized void send(byte[] chunk) {
    if (closed || aborted) {
      throw new IllegalStateException("send after the sink ended");
    }
    writes.add(chunk);
    sendingThreads.add(Thread.currentThread().getName());
    bytes.writeBytes(chunk);
    if (paced) {
      pending += chunk.length;
    }
  }

  /** A sink whose {@link #lane()} is {@code lane}. */
  RecordingSink onLane(Executor lane) {
    this.lane = lane;
    return this;
  }

  @Override
  public Executor lane() {
    return lane;
  }

  /** The names of the threads that called {@link #send}, one per call. */
  synchronized List<String> sendingThreads() {
    return List.copyOf(sendingThreads);
  }

  /**
   * From now on, what is sent stays pending until {@link #drain()}, as with a client that reads
   * slowly.
   */
  RecordingSink paced() {
    paced = true;
    return this;
  }

  @Override
  public synchronized boolean onWritable(Runnable callback) {
    if (!paced) {
      return false;
    }
    whenWritable = callback;
    return true;
  }

  /** The client read everything: pending drops to 0 and a waiting writer is called back. */
  void drain() {
    Runnable callback;
    synchronized (this) {
      pending = 0;
      callback = whenWritable;
      whenWritable = null;
    }
    if (callback != null) {
      callback.run();
    }
  }

  synchronized boolean waitingForWritable() {
    return whenWritable != null;
  }

  @Override
  public long pendingBytes() {
    return pending;
  }

  void pending(long bytes) {
    pending = bytes;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public void abort() {
    aborted = true;
  }

  boolean closed() {
    return closed;
  }

  boolean aborted() {
    return aborted;
  }

  synchronized List<byte[]> writes() {
    return List.copyOf(writes);
  }

  synchronized String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Everything parsed as a browser would: events, comments and id-only blocks. */
  synchronized List<Object> parsed() {
    return SseParser.parseAll(bytes.toByteArray());
  }

  /** Only the dispatched events. */
  List<SseParser.Event> events() {
    List<SseParser.Event> events = new ArrayList<>();
    for (Object item : parsed()) {
      if (item instanceof SseParser.Event event) {
        events.add(event);
      }
    }
    return events;
  }

  List<String> data() {
    return events().stream().map(SseParser.Event::data).toList();
  }

  /** The client's last event id, as a browser would send it on reconnect. */
  synchronized String lastEventId() {
    SseParser parser = new SseParser(event -> {});
    parser.feed(bytes.toByteArray());
    return parser.lastEventIdBuffer();
  }
}
