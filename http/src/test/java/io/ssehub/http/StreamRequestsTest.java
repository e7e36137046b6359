package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.SubscribeRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamRequestsTest {
  @Test
  void channelsInOrderWithoutDuplicates() {
    SubscribeRequest request =
        StreamRequests.parse(Map.of("channel", List.of("b", "a", "b")), null);
    assertThat(request.channels()).containsExactly("b", "a");
    assertThat(request.lastEventId()).isNull();
  }

  @Test
  void noChannelMeansTheDefaultOne() {
    assertThat(StreamRequests.parse(Map.of(), null).channels()).containsExactly("sse");
  }

  @Test
  void headerWinsOverTheQueryParameter() {
    Map<String, List<String>> query = Map.of("channel", List.of("a"), "lastEventId", List.of("3"));
    assertThat(StreamRequests.parse(query, "7").lastEventId()).isEqualTo("7");
    assertThat(StreamRequests.parse(query, null).lastEventId()).isEqualTo("3");
  }

  @Test
  void emptyLastEventIdIsAFreshStream() {
    assertThat(StreamRequests.parse(Map.of("lastEventId", List.of("")), null).lastEventId())
        .isNull();
    assertThat(StreamRequests.parse(Map.of(), "").lastEventId()).isNull();
  }

  @Test
  void lastEventIdParameterTwiceIs400() {
    assertThatThrownBy(() -> StreamRequests.parse(Map.of("lastEventId", List.of("1", "2")), null))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.field()).isEqualTo("lastEventId");
            })
        .hasMessage("lastEventId: given 2 times (expected: once)");
  }

  @Test
  void badChannelIs400InvalidField() {
    assertThatThrownBy(() -> StreamRequests.parse(Map.of("channel", List.of("bad name")), null))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            e -> {
              assertThat(e.code()).isEqualTo("invalid_field");
              assertThat(e.field()).isEqualTo("channel");
            })
        .hasMessageContaining("\"bad name\"");
  }

  @Test
  void lastEventIdWithCrLfIs400SoNothingCanBeInjected() {
    assertThatThrownBy(() -> StreamRequests.parse(Map.of(), "1\r\nevent: evil"))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.field()).isEqualTo("lastEventId"));
  }

  @Test
  void latin1HeaderIsReadAsUtf8() {
    String latin1 =
        new String("\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    assertThat(StreamRequests.lastEventIdFromLatin1(latin1)).isEqualTo("\u00e9t\u00e9");
    assertThat(StreamRequests.lastEventIdFromLatin1("a=1,b=2")).isEqualTo("a=1,b=2");
    assertThat(StreamRequests.lastEventIdFromLatin1(null)).isNull();
  }

  @Test
  void alreadyDecodedHeaderIsKept() {
    assertThat(StreamRequests.lastEventIdFromLatin1("\u20ac1")).isEqualTo("\u20ac1");
  }

  @Test
  void headerThatIsNotUtf8Is400() {
    assertThatThrownBy(() -> StreamRequests.lastEventIdFromLatin1("ok\u00ff"))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.code()).isEqualTo("invalid_encoding"))
        .hasMessage("Last-Event-ID: invalid UTF-8 at byte 2 (expected: UTF-8 text)");
  }
}
