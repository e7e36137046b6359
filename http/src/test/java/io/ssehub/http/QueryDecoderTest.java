package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryDecoderTest {
  @Test
  void decodesPlusPercentAndRepeats() {
    Map<String, List<String>> params =
        QueryDecoder.decode("channel=a&channel=b&data=hello+w%C3%B6rld%21&flag", "query", "q");
    assertThat(params.get("channel")).containsExactly("a", "b");
    assertThat(params.get("data")).containsExactly("hello wörld!");
    assertThat(params.get("flag")).containsExactly("");
  }

  @Test
  void emptyInputAndEmptyPairs() {
    assertThat(QueryDecoder.decode("", "query", "q")).isEmpty();
    assertThat(QueryDecoder.decode("&&a=1&", "query", "q")).containsOnlyKeys("a");
  }

  @Test
  void rawNonAsciiPassesThrough() {
    assertThat(QueryDecoder.decode("data=\u00e9t\u00e9", "body", "q").get("data"))
        .containsExactly("\u00e9t\u00e9");
  }

  @Test
  void badEscapeIsRefusedWithItsPosition() {
    assertThatThrownBy(() -> QueryDecoder.decode("a=%zz", "query", "invalid_query"))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            e -> {
              assertThat(e.code()).isEqualTo("invalid_query");
              assertThat(e.status()).isEqualTo(400);
            })
        .hasMessage(
            "query: bad percent-encoding \"%zz\" at index 2 (expected: % followed by two hex digits)");
    assertThatThrownBy(() -> QueryDecoder.decode("a=1%", "query", "invalid_query"))
        .isInstanceOf(HttpProblem.class);
    assertThatThrownBy(() -> QueryDecoder.decode("a=%4", "query", "invalid_query"))
        .isInstanceOf(HttpProblem.class);
  }

  @Test
  void escapesThatAreNotUtf8AreRefused() {
    assertThatThrownBy(() -> QueryDecoder.decode("a=%C3%28", "body", "invalid_form"))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.code()).isEqualTo("invalid_encoding"))
        .hasMessageContaining("body: invalid UTF-8 at byte 0");
  }

  @Test
  void strictUtf8() {
    assertThat(QueryDecoder.utf8("h\u00e9".getBytes(StandardCharsets.UTF_8), "body"))
        .isEqualTo("h\u00e9");
    assertThatThrownBy(() -> QueryDecoder.utf8(new byte[] {'o', 'k', (byte) 0xff}, "body"))
        .hasMessage("body: invalid UTF-8 at byte 2 (expected: UTF-8 text)");
  }

  @Test
  void publicDecodeReadsARawQuery() {
    assertThat(QueryDecoder.decode("channel=a%2Fb&lastEventId=7").get("channel"))
        .containsExactly("a/b");
    assertThat(QueryDecoder.decode(null)).isEmpty();
    assertThatThrownBy(() -> QueryDecoder.decode("channel=%zz"))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.code()).isEqualTo("invalid_query"));
  }

  @Test
  void controlCharactersInABadEscapeAreShownEscaped() {
    assertThatThrownBy(() -> QueryDecoder.decode("a=%\n", "query", "invalid_query"))
        .hasMessageContaining("\"%\\n\"");
    assertThatThrownBy(() -> QueryDecoder.decode("a=%\r\n", "query", "invalid_query"))
        .hasMessageContaining("\"%\\r\\n\"")
        .hasMessageNotContaining("\r");
  }
}
