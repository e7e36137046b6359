package io.ssehub.core;

import java.nio.charset.StandardCharsets;

/**
 * Writes events in the {@code text/event-stream} format (WHATWG HTML, "Server-sent events",
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream).
 *
 * <p>Fields come in the order {@code id}, {@code event}, {@code retry}, {@code data}; data is split
 * on CRLF, CR and LF into one {@code data:} line each, so a client joins them back with LF (a CR or
 * CRLF in data therefore arrives as LF: the format cannot carry them). Every field is written with
 * one space after the colon, which the parser strips, so values starting with a space survive.
 * Empty data is written as one empty {@code data:} line, which browsers dispatch as an event with
 * empty data. Output is UTF-8.
 */
public final class SseEncoder {
  private static final byte[] KEEPALIVE = ":\n".getBytes(StandardCharsets.US_ASCII);

  private SseEncoder() {}

  /** The whole event, id included, ended by a blank line. */
  public static byte[] encode(SseEvent event) {
    return toBytes(appendEvent(new StringBuilder(estimate(event)), event, true));
  }

  /**
   * The event without its {@code id} field: for streams that write their own id line in front of it
   * (a stream over several channels sends a cursor instead of the event's own id).
   */
  public static byte[] encodeWithoutId(SseEvent event) {
    return toBytes(appendEvent(new StringBuilder(estimate(event)), event, false));
  }

  /** An {@code id:} line alone; followed by {@link #encodeWithoutId} it makes one event. */
  public static byte[] idLine(String id) {
    SseEvent.validateId(id);
    return toBytes(new StringBuilder(id.length() + 5).append("id: ").append(id).append('\n'));
  }

  /**
   * An {@code id:} field and a blank line: sets the client's last event id without dispatching an
   * event (the spec updates the last event id before it drops an event with no data).
   */
  public static byte[] idOnly(String id) {
    SseEvent.validateId(id);
    return toBytes(new StringBuilder(id.length() + 6).append("id: ").append(id).append("\n\n"));
  }

  /** A {@code retry:} field and a blank line: sets the client's reconnection time. */
  public static byte[] retry(long millis) {
    if (millis < 0) {
      throw new InvalidInputException(
          "retry", "must be a non-negative integer (got " + millis + ")");
    }
    return toBytes(new StringBuilder(16).append("retry: ").append(millis).append("\n\n"));
  }

  /** A comment; text holding line breaks becomes several comment lines. Clients ignore comments. */
  public static byte[] comment(String text) {
    StringBuilder out = new StringBuilder(text.length() + 4);
    forEachLine(text, (start, end) -> out.append(": ").append(text, start, end).append('\n'));
    return toBytes(out);
  }

  /** The smallest comment: what keepalives send. */
  public static byte[] keepalive() {
    return KEEPALIVE.clone();
  }

  private static StringBuilder appendEvent(StringBuilder out, SseEvent event, boolean withId) {
    if (withId && event.id() != null) {
      out.append("id: ").append(event.id()).append('\n');
    }
    if (event.type() != null) {
      out.append("event: ").append(event.type()).append('\n');
    }
    if (event.retry() != null) {
      out.append("retry: ").append(event.retry()).append('\n');
    }
    String data = event.data();
    forEachLine(data, (start, end) -> out.append("data: ").append(data, start, end).append('\n'));
    return out.append('\n');
  }

  private interface LineConsumer {
    void accept(int start, int end);
  }

  /** Calls back once per line of text, lines ending at CRLF, CR or LF; "" is one empty line. */
  private static void forEachLine(String text, LineConsumer consumer) {
    int start = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        consumer.accept(start, i);
        if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    consumer.accept(start, length);
  }

  private static int estimate(SseEvent event) {
    return event.data().length()
        + 32
        + (event.type() == null ? 0 : event.type().length())
        + (event.id() == null ? 0 : event.id().length());
  }

  private static byte[] toBytes(CharSequence text) {
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }
}
