package io.ssehub.spring;

/**
 * Turns what {@link SsePublisher} is given as data into an event's text. The starter's writes a
 * {@code String} as is and anything else as JSON with the app's Jackson mapper (Jackson 3's {@code
 * JsonMapper} on Boot 4, Jackson 2's {@code ObjectMapper} on Boot 3); declare a bean of this type
 * to write data otherwise.
 */
@FunctionalInterface
public interface SseDataWriter {
  /** The text of {@code data}, which is not a {@code String}. */
  String write(Object data);
}
