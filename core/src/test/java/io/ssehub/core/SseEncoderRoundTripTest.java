package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.SseParser;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parses what the encoder writes with a parser written from the spec (testkit's {@link SseParser})
 * and gets the same event back. CR and CRLF in data come back as LF: the format has no other way.
 */
class SseEncoderRoundTripTest {

  private static SseParser.Event roundTrip(SseEvent event) {
    List<Object> parsed = SseParser.parseAll(SseEncoder.encode(event));
    assertThat(parsed).hasSize(1).first().isInstanceOf(SseParser.Event.class);
    return (SseParser.Event) parsed.get(0);
  }

  private static String normalizeBreaks(String data) {
    return data.replace("\r\n", "\n").replace('\r', '\n');
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "x",
        " leading space",
        "trailing space ",
        "a\nb",
        "a\r\nb",
        "a\rb",
        "a\n\nb",
        "\n",
        "\r\n",
        "\r",
        "a\n",
        "\nb",
        ":not a comment",
        "data: nested",
        "h\u00e9llo \u4e16\u754c \uD83D\uDE00",
        "tab\there",
        "\u0000nul"
      })
  void dataSurvives(String data) {
    SseParser.Event event = roundTrip(SseEvent.builder().id("1").type("t").data(data).build());
    assertThat(event.data()).isEqualTo(normalizeBreaks(data));
    assertThat(event.id()).isEqualTo("1");
    assertThat(event.type()).isEqualTo("t");
  }

  @Test
  void defaultTypeIsMessageAndRetryIsApplied() {
    SseParser.Event event = roundTrip(SseEvent.builder().data("d").retry(1234L).build());
    assertThat(event.type()).isEqualTo("message");
    assertThat(event.retry()).isEqualTo(1234L);
    assertThat(event.id()).isEmpty();
  }

  @Test
  void unicodeInTypeAndId() {
    SseParser.Event event =
        roundTrip(SseEvent.builder().id("\u00e9-1").type("t\u00ff").data("d").build());
    assertThat(event.id()).isEqualTo("\u00e9-1");
    assertThat(event.type()).isEqualTo("t\u00ff");
  }

  @Test
  void largePayloadOfManyLines() {
    StringBuilder data = new StringBuilder();
    Random random = new Random(42);
    String[] breaks = {"\n", "\r", "\r\n"};
    while (data.length() < 2_000_000) {
      data.append("line ").append(random.nextInt()).append(breaks[random.nextInt(3)]);
    }
    SseParser.Event event = roundTrip(SseEvent.builder().id("big").data(data.toString()).build());
    assertThat(event.data()).isEqualTo(normalizeBreaks(data.toString()));
  }

  @Test
  void randomTextSurvives() {
    Random random = new Random(7);
    char[] alphabet = {'a', ' ', ':', '\n', '\r', '\u00e9', '\u4e16', 'd', 'i', '='};
    for (int round = 0; round < 2000; round++) {
      char[] text = new char[random.nextInt(40)];
      for (int i = 0; i < text.length; i++) {
        text[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String data = new String(text);
      assertThat(roundTrip(SseEvent.of(data)).data())
          .as("round %d: %s", round, data)
          .isEqualTo(normalizeBreaks(data));
    }
  }

  @Test
  void idOnlySetsLastEventIdAndDispatchesNothing() {
    assertThat(SseParser.parseAll(SseEncoder.idOnly("42")))
        .containsExactly(new SseParser.IdOnly("42"));
  }

  @Test
  void multiChannelFrameIsOneEvent() {
    SseEvent event = SseEvent.builder().id("own").type("t").data("a\nb").build();
    byte[] prefix = SseEncoder.idLine("x=1,y=2");
    byte[] body = SseEncoder.encodeWithoutId(event);
    byte[] frame = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, frame, 0, prefix.length);
    System.arraycopy(body, 0, frame, prefix.length, body.length);
    assertThat(SseParser.parseAll(frame))
        .containsExactly(new SseParser.Event("x=1,y=2", "t", "a\nb", null));
  }
}
