package io.ssehub.core;

/**
 * An event whose encoded size is over the hub's limit ({@code maxEventBytes}); HTTP adapters answer
 * 413.
 */
public class EventTooLargeException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  public EventTooLargeException(long size, long limit) {
    super("data", "event is " + size + " bytes (expected: at most " + limit + ")");
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }
}
