package io.ssehub.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An incremental {@code text/event-stream} parser written line by line from the WHATWG HTML
 * standard, section "Interpreting an event stream" (<a href=
 * "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation"
 * >spec</a>).
 *
 * <p>Why a second parser: it is the test oracle for ssehub's encoder, so it follows the spec rather
 * than our encoder, and it reports what a browser silently swallows but our tests need to see:
 * comments (keepalives) and "id-only" blocks ({@code id:} with no {@code data:}), which set the
 * client's last event ID without dispatching an event.
 *
 * <p>What it does, as the spec says: bytes are decoded as UTF-8 (malformed sequences become
 * U+FFFD); one leading byte order mark is ignored; lines end with CRLF, LF or CR, and any of these
 * may be split across {@link #feed} calls, as may multi-byte characters; fields {@code event},
 * {@code data}, {@code id} (ignored when it contains U+0000) and {@code retry} (ignored unless it
 * is only ASCII digits); one space after the colon is removed; other fields are ignored; a blank
 * line dispatches; the last event ID buffer is never reset, only overwritten; when the stream ends
 * ({@link #end()}) an incomplete line or event is discarded.
 *
 * <p>What it doesn't do: reconnect (that is the client's business), or limit line length.
 *
 * <p>Not thread-safe: feed it from one thread at a time (or under a lock).
 */
public final class SseParser {

  /**
   * A dispatched event, as a browser's {@code MessageEvent} would carry it.
   *
   * @param id the last event ID string in force when the event was dispatched ({@code ""} if the
   *     stream never set one), exactly what {@code MessageEvent.lastEventId} shows
   * @param type the event type, {@code "message"} unless an {@code event:} field set it
   * @param data the data, {@code data:} lines joined with LF, without the final LF
   * @param retry the reconnection time set by a valid {@code retry:} field inside this event's
   *     block of lines, or {@code null} if the block had none
   */
  public record Event(String id, String type, String data, Long retry) {
    public Event {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(data, "data");
    }

    /** A {@code message} event without {@code retry}, for terse expectations in tests. */
    public static Event of(String id, String data) {
      return new Event(id, "message", data, null);
    }
  }

  /**
   * A comment line ({@code :text}), which the spec ignores and we report.
   *
   * @param text the text after the colon, with one leading space removed (as for field values)
   */
  public record Comment(String text) {}

  /**
   * A block that set the last event ID but had no data, so no event was dispatched (step 2 of
   * "dispatch the event"). ssehub sends {@code id: N} alone to move a client's last event ID.
   *
   * @param lastEventId the last event ID string after the block
   */
  public record IdOnly(String lastEventId) {}

  /** Receives what the parser finds, in stream order, on the thread that calls {@link #feed}. */
  public interface Listener {
    /** An event was dispatched. */
    void onEvent(Event event);

    /** A comment line was read. */
    default void onComment(String text) {}

    /** A blank line ended a block that had an {@code id} field and no data. */
    default void onIdOnly(String lastEventId) {}

    /**
     * A valid {@code retry} field was read. The spec applies it immediately, not at dispatch, so it
     * is reported here even when its block dispatches nothing.
     */
    default void onRetry(long millis) {}
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final Listener listener;

  // Byte-level state. CR and LF never occur inside a UTF-8 multi-byte sequence, so we can split
  // lines on bytes and decode each whole line: a character split across chunks is then whole.
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lastWasCr;
  private int bomMatched; // bytes of a leading BOM seen so far; -1 once the stream start is past

  // The spec's buffers.
  private final StringBuilder data = new StringBuilder();
  private String eventType = "";
  private String lastEventIdBuffer = "";
  // Ours: what the current block set, for IdOnly and Event.retry.
  private boolean blockHadId;
  private Long blockRetry;

  private boolean ended;

  public SseParser(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Parses a whole stream held in a string (encoded as UTF-8, then fed and ended) and returns
   * everything found, in order: {@link Event}s, {@link Comment}s and {@link IdOnly}s.
   */
  public static List<Object> parseAll(String stream) {
    return parseAll(stream.getBytes(StandardCharsets.UTF_8));
  }

  /** As {@link #parseAll(String)}, from bytes. */
  public static List<Object> parseAll(byte[] stream) {
    List<Object> out = new ArrayList<>();
    SseParser parser =
        new SseParser(
            new Listener() {
              @Override
              public void onEvent(Event event) {
                out.add(event);
              }

              @Override
              public void onComment(String text) {
                out.add(new Comment(text));
              }

              @Override
              public void onIdOnly(String lastEventId) {
                out.add(new IdOnly(lastEventId));
              }
            });
    parser.feed(stream);
    parser.end();
    return out;
  }

  /** Feeds the next chunk of the stream; chunk boundaries may fall anywhere. */
  public void feed(byte[] chunk) {
    feed(ByteBuffer.wrap(chunk));
  }

  /** Feeds the next chunk of the stream, consuming the buffer's remaining bytes. */
  public void feed(ByteBuffer chunk) {
    if (ended) {
      throw new IllegalStateException("feed after end()");
    }
    while (chunk.hasRemaining()) {
      byte b = chunk.get();
      if (bomMatched >= 0 && skipBom(b)) {
        continue;
      }
      if (lastWasCr && b == LF) { // the LF of a CRLF, possibly in the next chunk
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == CR;
      if (b == CR || b == LF) {
        processLine(new String(line, 0, lineLength, StandardCharsets.UTF_8));
        lineLength = 0;
      } else {
        append(b);
      }
    }
  }

  /**
   * The stream has ended. Per spec, "any pending data must be discarded": an unterminated line and
   * an event without its closing blank line are dropped, not dispatched.
   */
  public void end() {
    ended = true;
    lineLength = 0;
    data.setLength(0);
    eventType = "";
  }

  /** The last event ID buffer right now (it becomes the last event ID string at dispatch). */
  public String lastEventIdBuffer() {
    return lastEventIdBuffer;
  }

  /** Returns true if {@code b} belongs to a leading BOM and was swallowed. */
  private boolean skipBom(byte b) {
    if (b == BOM[bomMatched]) {
      bomMatched++;
      if (bomMatched == BOM.length) {
        bomMatched = -1;
      }
      return true;
    }
    // Not a BOM after all: the bytes held back are ordinary content.
    int held = bomMatched;
    bomMatched = -1;
    for (int i = 0; i < held; i++) {
      append(BOM[i]);
    }
    return false;
  }

  private void append(byte b) {
    if (lineLength == line.length) {
      line = Arrays.copyOf(line, line.length * 2);
    }
    line[lineLength++] = b;
  }

  private void processLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      listener.onComment(stripOneSpace(text.substring(1)));
      return;
    }
    int colon = text.indexOf(':');
    if (colon >= 0) {
      processField(text.substring(0, colon), stripOneSpace(text.substring(colon + 1)));
    } else {
      processField(text, "");
    }
  }

  private static String stripOneSpace(String value) {
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  private void processField(String name, String value) {
    switch (name) {
      case "event":
        eventType = value;
        break;
      case "data":
        data.append(value).append('\n');
        break;
      case "id":
        if (value.indexOf('\0') < 0) {
          lastEventIdBuffer = value;
          blockHadId = true;
        }
        break;
      case "retry":
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          try {
            long millis = Long.parseLong(value);
            blockRetry = millis;
            listener.onRetry(millis);
          } catch (NumberFormatException tooBig) {
            // The spec's integer has no bound; a value past Long.MAX_VALUE is no time we can keep.
          }
        }
        break;
      default:
        // "Otherwise: The field is ignored."
        break;
    }
  }

  private void dispatch() {
    // Step 1: the last event ID string is set even if nothing is dispatched.
    String lastEventId = lastEventIdBuffer;
    boolean hadId = blockHadId;
    Long retry = blockRetry;
    blockHadId = false;
    blockRetry = null;
    // Step 2: no data, no event.
    if (data.length() == 0) {
      eventType = "";
      if (hadId) {
        listener.onIdOnly(lastEventId);
      }
      return;
    }
    // Step 3: remove the last LF (data always ends with one here).
    data.setLength(data.length() - 1);
    String type = eventType.isEmpty() ? "message" : eventType;
    Event event = new Event(lastEventId, type, data.toString(), retry);
    data.setLength(0);
    eventType = "";
    listener.onEvent(event);
  }
}
