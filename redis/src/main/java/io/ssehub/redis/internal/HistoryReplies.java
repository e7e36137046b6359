package io.ssehub.redis.internal;

import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Turns the replies of {@link Scripts#AFTER} into {@link Replay}s, with the same meaning as the
 * in-memory broker's history.
 *
 * <p>For an id of the stream's own ({@code ms-seq}), the replay is complete when nothing after that
 * id was ever trimmed and the id was ever given out:
 *
 * <ul>
 *   <li>no stream: complete (and empty) only for {@code 0-0}, "before the first event";
 *   <li>the id is newer than the stream's {@code last-generated-id}: never given out here, not
 *       complete;
 *   <li>{@code 0-0}: complete when nothing was ever trimmed ({@code max-deleted-entry-id} is {@code
 *       0-0});
 *   <li>else complete when the id is at or after {@code max-deleted-entry-id} (what came after it
 *       is all still there), and, if nothing was ever trimmed, not before the first entry (an id
 *       from an earlier stream of that name, which expired, says nothing about this one).
 * </ul>
 *
 * Before Redis 7 there is no {@code max-deleted-entry-id}: the replay is complete when the id is at
 * or after the first retained entry (trimming only ever removes the oldest), which may flag a cut
 * that was not one, never the reverse.
 *
 * <p>For any other id (a publisher's own), the script finds the newest entry published with it:
 * found, the replay is what came after, complete; not found, every retained event, not complete.
 *
 * <p>Either way, a reply whose entries were capped by the byte limit of one read holds the newest
 * events only, and is not complete.
 */
public final class HistoryReplies {
  private final FlaskSseCodec codec;
  private final BiConsumer<String, String> malformed;

  /** {@code malformed} hears (channel, problem) for history entries that cannot be read. */
  public HistoryReplies(FlaskSseCodec codec, BiConsumer<String, String> malformed) {
    this.codec = codec;
    this.malformed = malformed;
  }

  /**
   * The text {@link Scripts#AFTER} looks for in {@code find} mode: the id member as ssehub writes
   * it.
   */
  public static String idNeedle(String id) {
    return PythonJson.appendString(new StringBuilder(id.length() + 12).append(", \"id\": "), id)
        .toString();
  }

  /** The replay after a stream id, from a {@code range} reply. */
  public Replay afterStreamId(String channel, StreamId from, List<Object> reply) {
    if (number(reply.get(0)) == 0) {
      return new Replay(from.isZero(), List.of());
    }
    StreamId last = StreamId.parse(text(reply.get(1)));
    StreamId maxDeleted = StreamId.parse(text(reply.get(2)));
    StreamId first = StreamId.parse(text(reply.get(3)));
    boolean complete;
    if (last == null || from.compareTo(last) > 0) {
      complete = false;
    } else if (maxDeleted == null) {
      complete = first != null ? from.compareTo(first) >= 0 : from.equals(last);
    } else if (from.isZero()) {
      complete = maxDeleted.isZero();
    } else {
      complete =
          from.compareTo(maxDeleted) >= 0
              && (!maxDeleted.isZero() || (first != null && from.compareTo(first) >= 0));
    }
    return new Replay(complete && !capped(reply), events(channel, reply.get(4)));
  }

  /** The replay after a publisher's id, from a {@code find} reply. */
  public Replay afterFound(String channel, List<Object> reply) {
    if (number(reply.get(0)) == 0) {
      return new Replay(false, List.of());
    }
    return new Replay(number(reply.get(5)) == 1 && !capped(reply), events(channel, reply.get(4)));
  }

  /** Whether older entries were left out of the reply for the byte limit of one read. */
  private static boolean capped(List<Object> reply) {
    return reply.size() > 6 && number(reply.get(6)) == 1;
  }

  /**
   * Decodes XRANGE entries, {@code [[id, [field, value, ...]], ...]}; skips what cannot be read.
   */
  List<SseEvent> events(String channel, Object entries) {
    List<?> list = (List<?>) entries;
    List<SseEvent> events = new ArrayList<>(list.size());
    for (Object item : list) {
      List<?> entry = (List<?>) item;
      String entryId = text(entry.get(0));
      List<?> fields = (List<?>) entry.get(1);
      byte[] message = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("m".equals(text(fields.get(i)))) {
          message = (byte[]) fields.get(i + 1);
        }
      }
      if (message == null) {
        malformed.accept(channel, "history entry " + entryId + " has no field \"m\"");
        continue;
      }
      FlaskSseCodec.Decoded decoded = codec.decode(message, entryId);
      if (decoded.ok()) {
        events.add(decoded.event());
      } else {
        malformed.accept(channel, "history entry " + entryId + ": " + decoded.problem());
      }
    }
    return events;
  }

  static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return value == null ? "" : value.toString();
  }

  private static long number(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(text(value));
  }
}
