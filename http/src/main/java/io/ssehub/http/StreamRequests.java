package io.ssehub.http;

import io.ssehub.core.SubscribeRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code GET /stream} request into a {@link SubscribeRequest}: the channels of its {@code
 * channel} parameters (none: the default channel), and the last event id to resume after.
 *
 * <p>The adapter then adds who asks ({@link SubscribeRequest#from}) and calls {@code
 * hub.subscribe}; a refusal there ({@link HttpProblem#of}) is answered before any stream byte.
 */
public final class StreamRequests {
  /** The request header browsers send when they reconnect (WHATWG HTML, 9.2.4). */
  public static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";

  /**
   * The query parameter that stands for the header, for a first connection, which cannot set
   * headers.
   */
  public static final String LAST_EVENT_ID_PARAM = "lastEventId";

  /** The query parameter naming a channel; repeat it to read several on one stream. */
  public static final String CHANNEL_PARAM = "channel";

  private StreamRequests() {}

  /**
   * The request of a decoded query (from {@link QueryDecoder#decode}, or a container's parameter
   * map) and the {@code Last-Event-ID} header as text, null when absent. The header wins over the
   * {@code lastEventId} parameter; an empty one means a fresh stream.
   *
   * @throws HttpProblem a 400 for an invalid channel name or last event id, or a {@code
   *     lastEventId} parameter given more than once
   */
  public static SubscribeRequest parse(Map<String, List<String>> query, String lastEventIdHeader) {
    String lastEventId = lastEventIdHeader;
    if (lastEventId == null) {
      List<String> values = query.get(LAST_EVENT_ID_PARAM);
      if (values != null && values.size() > 1) {
        throw HttpProblem.badRequest(
            "invalid_field",
            LAST_EVENT_ID_PARAM,
            LAST_EVENT_ID_PARAM + ": given " + values.size() + " times (expected: once)");
      }
      lastEventId = values == null || values.isEmpty() ? null : values.get(0);
    }
    try {
      return SubscribeRequest.of(query.getOrDefault(CHANNEL_PARAM, List.of()), lastEventId);
    } catch (RuntimeException e) {
      throw HttpProblem.of(e);
    }
  }

  /**
   * The text of a {@code Last-Event-ID} header that the transport read one byte per char
   * (ISO-8859-1), as Netty and Tomcat do: browsers send the id as UTF-8 (WHATWG HTML, 9.2.4), so
   * the chars are taken back to bytes and decoded as UTF-8, strictly. Null stays null; text with a
   * char over U+00FF cannot be ISO-8859-1 bytes, so it was decoded already and is returned as is.
   *
   * @throws HttpProblem a 400 {@code invalid_encoding} for bytes that are not UTF-8
   */
  public static String lastEventIdFromLatin1(String rawHeader) {
    if (rawHeader == null) {
      return null;
    }
    for (int i = 0; i < rawHeader.length(); i++) {
      if (rawHeader.charAt(i) > 0xff) {
        return rawHeader; // not one byte per char: the transport decoded the header already
      }
    }
    return QueryDecoder.utf8(rawHeader.getBytes(StandardCharsets.ISO_8859_1), LAST_EVENT_ID_HEADER);
  }
}
