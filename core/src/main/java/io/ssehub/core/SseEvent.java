package io.ssehub.core;

import java.util.List;
import java.util.Objects;

/**
 * One server-sent event: {@code data}, and optionally {@code type} (the SSE {@code event} field),
 * {@code id} and {@code retry}. Immutable; build with {@link #builder()} or {@link #of(String)}.
 *
 * <p>The builder refuses what would corrupt a stream (WHATWG HTML, "Server-sent events"): a {@code
 * type} or {@code id} holding CR, LF or NUL (a CR or LF would end the field early and let the rest
 * inject fields; an id holding NUL is ignored by browsers), and a negative {@code retry}. Data may
 * hold any text; the encoder splits it on CRLF, CR and LF into {@code data:} lines.
 *
 * <p>Types starting with {@value #RESERVED_TYPE_PREFIX} are the hub's own (for example {@link
 * #HISTORY_CUT_TYPE}); publishers cannot use them.
 */
public final class SseEvent {
  /** Event types that start with this belong to ssehub. */
  public static final String RESERVED_TYPE_PREFIX = "ssehub.";

  /**
   * The type of the event a resuming client receives when history no longer holds (or never held)
   * the id it resumed from: what it missed may be incomplete. Its data is JSON: {@code
   * {"channel":"...","lastEventId":"..."}}. Retained history follows it, then live events.
   */
  public static final String HISTORY_CUT_TYPE = "ssehub.history-cut";

  /**
   * The longest id a publisher may give, as the hub sends it in the id of a stream over several
   * channels: one per byte of printable ASCII, three per byte of a space, control or non-ASCII
   * character, {@code ,} or {@code %} (those are percent-encoded there). So the id of any stream
   * the hub accepts fits a {@code Last-Event-ID} header. {@link SseHub#publish} refuses longer ids,
   * and ids starting with {@code *}, which marks those streams' ids.
   */
  public static final int MAX_ID_LENGTH = 128;

  private final String data;
  private final String type;
  private final String id;
  private final Long retry;
  private final List<String> tags;

  private SseEvent(String data, String type, String id, Long retry, List<String> tags) {
    this.data = data;
    this.type = type;
    this.id = id;
    this.retry = retry;
    this.tags = tags;
  }

  /** An event of the default type ({@code message}) with this data. */
  public static SseEvent of(String data) {
    return builder().data(data).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The event's text; never null, may be empty. */
  public String data() {
    return data;
  }

  /** The SSE {@code event} field, or null for the default type {@code message}. */
  public String type() {
    return type;
  }

  /** The event's id, or null before the hub has given it one. */
  public String id() {
    return id;
  }

  /** The reconnection time in milliseconds this event asks the client to use, or null. */
  public Long retry() {
    return retry;
  }

  /**
   * Labels that travel with the event (through the broker and history) but are never sent to
   * clients: a front door that filters per stream (see {@link SubscribeRequest#filter()}) reads
   * them, as the Mercure front door reads an update's topics. Empty for most events.
   */
  public List<String> tags() {
    return tags;
  }

  /** This event with another id. */
  public SseEvent withId(String newId) {
    validateId(newId);
    return new SseEvent(data, type, newId, retry, tags);
  }

  /** A builder holding this event's fields. */
  public Builder toBuilder() {
    return new Builder().data(data).type(type).id(id).retry(retry).tags(tags);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SseEvent e
        && data.equals(e.data)
        && Objects.equals(type, e.type)
        && Objects.equals(id, e.id)
        && Objects.equals(retry, e.retry)
        && tags.equals(e.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(data, type, id, retry, tags);
  }

  @Override
  public String toString() {
    return "SseEvent{id="
        + id
        + ", type="
        + type
        + ", retry="
        + retry
        + (tags.isEmpty() ? "" : ", tags=" + tags)
        + ", data="
        + InvalidInputException.quote(data)
        + "}";
  }

  static void validateId(String id) {
    if (id != null) {
      rejectLineBreaks("id", id);
    }
  }

  private static void rejectLineBreaks(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        throw new InvalidInputException(
            field,
            "must not contain CR, LF or NUL (got " + InvalidInputException.quote(value) + ")");
      }
    }
  }

  /** Collects an event's fields; {@link #build()} checks them. */
  public static final class Builder {
    private String data = "";
    private String type;
    private String id;
    private Long retry;
    private List<String> tags = List.of();

    private Builder() {}

    /** The event's text (default empty); null means empty. */
    public Builder data(String data) {
      this.data = data == null ? "" : data;
      return this;
    }

    /** The SSE {@code event} field; null or empty means the default type {@code message}. */
    public Builder type(String type) {
      this.type = type == null || type.isEmpty() ? null : type;
      return this;
    }

    /**
     * The event's id; null lets the hub give one. An empty id is refused: it would reset the
     * client's last event id.
     */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /** Reconnection time in milliseconds; null for none. */
    public Builder retry(Long retryMillis) {
      this.retry = retryMillis;
      return this;
    }

    /**
     * Labels for per-stream filters, not sent to clients (see {@link SseEvent#tags()}); none by
     * default.
     */
    public Builder tags(List<String> tags) {
      this.tags = tags == null ? List.of() : List.copyOf(tags);
      return this;
    }

    public SseEvent build() {
      if (type != null) {
        rejectLineBreaks("type", type);
      }
      if (id != null) {
        if (id.isEmpty()) {
          throw new InvalidInputException(
              "id", "must not be empty (expected: at least one character, or no id)");
        }
        rejectLineBreaks("id", id);
      }
      if (retry != null && retry < 0) {
        throw new InvalidInputException(
            "retry", "must be a non-negative integer (got " + retry + ")");
      }
      return new SseEvent(data, type, id, retry, tags);
    }
  }
}
