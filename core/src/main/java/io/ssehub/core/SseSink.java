package io.ssehub.core;

import java.util.concurrent.Executor;

/**
 * Where a stream's bytes go: one HTTP response, implemented by each transport (Netty, Servlet).
 *
 * <p>The hub calls {@link #send} in the order the bytes must be written, never concurrently for one
 * sink, but from any thread: a broker's I/O thread, a publisher's thread, the keepalive timer, or
 * the transport's own I/O thread. The sink must write in call order whatever the calling thread (a
 * transport that writes at once on its own thread and queues a task from others would reorder;
 * ARCHITECTURE.md invariant 3). Arrays passed to {@code send} are shared by every stream that
 * receives the same event: a sink must not modify them (invariant 2). No method may block: a sink
 * queues what it cannot write at once and reports the queued amount through {@link
 * #pendingBytes()}; the hub cuts a stream whose queue grows past its limit (invariant 8).
 */
public interface SseSink {

  /** Queues bytes for the client and writes them as soon as the connection allows. */
  void send(byte[] bytes);

  /** Queues two arrays back to back: a stream's own id line, then the event that streams share. */
  default void send(byte[] prefix, byte[] shared) {
    send(prefix);
    send(shared);
  }

  /** Bytes queued and not yet handed to the network. */
  long pendingBytes();

  /**
   * Asks to be called back, once and from any thread, when the client has taken most of what is
   * queued (the transport's low-water mark): the hub paces a long replay with it, so that resuming
   * after a long absence is not mistaken for a slow client. Returns false if the sink cannot tell,
   * and then never calls back; the hub then writes the replay at once.
   */
  default boolean onWritable(Runnable callback) {
    return false;
  }

  /**
   * The thread this sink's writes belong to, as an executor that runs tasks one at a time in the
   * order they were submitted (the connection's I/O thread), or null. The hub hands an event to all
   * the streams of one lane in a single task on it: a fan-out to many streams then runs on the
   * transport's threads in parallel, and each sink is sent to from its own thread, instead of all
   * of them from the thread that published or received the event. With null, the hub calls {@link
   * #send} from whichever thread delivers the event. The answer must not change.
   */
  default Executor lane() {
    return null;
  }

  /** Writes what is queued, then ends the response normally. */
  void close();

  /**
   * Ends the response now, dropping what is queued: for clients that stopped reading. The client
   * resumes from the last event it received whole.
   */
  void abort();

  /**
   * A sink that drops what it is sent and is never slow: for streams that only watch (a filter that
   * records events and passes none), and for tests.
   */
  static SseSink discarding() {
    return Discarding.INSTANCE;
  }

  /** The sink of {@link #discarding()}. */
  enum Discarding implements SseSink {
    INSTANCE;

    @Override
    public void send(byte[] bytes) {}

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void abort() {}
  }
}
