package io.ssehub.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Exact bytes for each rule; {@code SseEncoderRoundTripTest} parses them back with a spec parser.
 */
class SseEncoderTest {

  private static String encode(SseEvent event) {
    return new String(SseEncoder.encode(event), StandardCharsets.UTF_8);
  }

  @Test
  void fieldsInOrderIdEventRetryDataThenBlankLine() {
    SseEvent event =
        SseEvent.builder()
            .id("7")
            .type("myevent")
            .retry(2500L)
            .data("{\"message\":\"Hello!\"}")
            .build();
    assertThat(encode(event))
        .isEqualTo("id: 7\nevent: myevent\nretry: 2500\ndata: {\"message\":\"Hello!\"}\n\n");
  }

  @Test
  void dataSplitOnLf() {
    assertThat(encode(SseEvent.of("a\nb"))).isEqualTo("data: a\ndata: b\n\n");
  }

  @Test
  void dataSplitOnCrLfAsOneBreak() {
    assertThat(encode(SseEvent.of("a\r\nb"))).isEqualTo("data: a\ndata: b\n\n");
  }

  @Test
  void dataSplitOnLoneCr() {
    assertThat(encode(SseEvent.of("a\rb"))).isEqualTo("data: a\ndata: b\n\n");
  }

  @Test
  void lfCrIsTwoBreaks() {
    assertThat(encode(SseEvent.of("a\n\rb"))).isEqualTo("data: a\ndata: \ndata: b\n\n");
  }

  @Test
  void trailingBreakKeepsAnEmptyLastLine() {
    assertThat(encode(SseEvent.of("a\n"))).isEqualTo("data: a\ndata: \n\n");
  }

  @Test
  void emptyDataIsOneEmptyDataLine() {
    assertThat(encode(SseEvent.of(""))).isEqualTo("data: \n\n");
  }

  @Test
  void leadingSpaceInDataSurvivesBecauseOneSpaceIsAlwaysWritten() {
    assertThat(encode(SseEvent.of(" x"))).isEqualTo("data:  x\n\n");
  }

  @Test
  void lineThatLooksLikeAFieldStaysData() {
    assertThat(encode(SseEvent.of("x\nevent: evil\nid: 1")))
        .isEqualTo("data: x\ndata: event: evil\ndata: id: 1\n\n");
  }

  @Test
  void unicodeIsUtf8() {
    byte[] bytes = SseEncoder.encode(SseEvent.of("h\u00e9llo \uD83D\uDE00"));
    assertThat(bytes)
        .containsExactly("data: h\u00e9llo \uD83D\uDE00\n\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void withoutIdLeavesTheIdOut() {
    SseEvent event = SseEvent.builder().id("7").type("t").data("d").build();
    assertThat(new String(SseEncoder.encodeWithoutId(event), StandardCharsets.UTF_8))
        .isEqualTo("event: t\ndata: d\n\n");
    assertThat(new String(SseEncoder.idLine("a=1,b=2"), StandardCharsets.UTF_8))
        .isEqualTo("id: a=1,b=2\n");
  }

  @Test
  void idOnlySetsTheLastEventIdWithoutData() {
    assertThat(new String(SseEncoder.idOnly("42"), StandardCharsets.UTF_8)).isEqualTo("id: 42\n\n");
  }

  @Test
  void commentsSplitOnLineBreaks() {
    assertThat(new String(SseEncoder.comment("a\r\nb"), StandardCharsets.UTF_8))
        .isEqualTo(": a\n: b\n");
    assertThat(new String(SseEncoder.keepalive(), StandardCharsets.UTF_8)).isEqualTo(":\n");
  }

  @Test
  void retryLine() {
    assertThat(new String(SseEncoder.retry(3000), StandardCharsets.UTF_8))
        .isEqualTo("retry: 3000\n\n");
    assertThatThrownBy(() -> SseEncoder.retry(-1)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void idLineRefusesInjection() {
    assertThatThrownBy(() -> SseEncoder.idLine("1\n\ndata: x"))
        .isInstanceOf(InvalidInputException.class);
  }
}
