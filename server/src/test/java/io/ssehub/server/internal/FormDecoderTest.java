package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormDecoderTest {
  @Test
  void decodesPlusPercentAndRepeats() {
    Map<String, List<String>> params = FormDecoder.decode("channel=a&channel=b&data=hello+w%C3%B6rld%21&flag", "query", "q");
    assertThat(params.get("channel")).containsExactly("a", "b");
    assertThat(params.get("data")).containsExactly("hello wörld!");
    assertThat(params.get("flag")).containsExactly("");
  }

  @Test
  void emptyInputAndEmptyPairs() {
    assertThat(FormDecoder.decode("", "query", "q")).isEmpty();
    assertThat(FormDecoder.decode("&&a=1&", "query", "q")).containsOnlyKeys("a");
  }

  @Test
  void rawNonAsciiPassesThrough() {
    assertThat(FormDecoder.decode("data=\u00e9t\u00e9", "body", "q").get("data")).containsExactly("\u00e9t\u00e9");
  }

  @Test
  void badEscapeIsRefusedWithItsPosition() {
    assertThatThrownBy(() -> FormDecoder.decode("a=%zz", "query", "invalid_query"))
        .isInstanceOfSatisfying(HttpError.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_query");
          assertThat(e.status().code()).isEqualTo(400);
        })
        .hasMessage("query: bad percent-encoding \"%zz\" at index 2 (expected: % followed by two hex digits)");
    assertThatThrownBy(() -> FormDecoder.decode("a=1%", "query", "invalid_query")).isInstanceOf(HttpError.class);
    assertThatThrownBy(() -> FormDecoder.decode("a=%4", "query", "invalid_query")).isInstanceOf(HttpError.class);
  }

  @Test
  void escapesThatAreNotUtf8AreRefused() {
    assertThatThrownBy(() -> FormDecoder.decode("a=%C3%28", "body", "invalid_form"))
        .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.code()).isEqualTo("invalid_encoding"))
        .hasMessageContaining("body: invalid UTF-8 at byte 0");
  }

  @Test
  void strictUtf8() {
    assertThat(FormDecoder.utf8("h\u00e9".getBytes(StandardCharsets.UTF_8), "body")).isEqualTo("h\u00e9");
    assertThatThrownBy(() -> FormDecoder.utf8(new byte[] {'o', 'k', (byte) 0xff}, "body"))
        .hasMessage("body: invalid UTF-8 at byte 2 (expected: UTF-8 text)");
  }
}
