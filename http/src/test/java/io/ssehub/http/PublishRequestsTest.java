package io.ssehub.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.SseEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublishRequestsTest {
  @Test
  void jsonDataThatIsAStringIsSentAsIs() {
    SseEvent event = json("{\"channel\":\"logs\",\"data\":\"{not json}\"}").event();
    assertThat(event.data()).isEqualTo("{not json}");
  }

  @Test
  void jsonDataThatIsNotAStringIsSentAsCompactJson() {
    assertThat(
            json("{\"channel\":\"logs\",\"data\": { \"message\" : \"Hello!\" } }").event().data())
        .isEqualTo("{\"message\":\"Hello!\"}");
    assertThat(json("{\"channel\":\"logs\",\"data\":[1, 2.50, true, null]}").event().data())
        .isEqualTo("[1,2.50,true,null]");
    assertThat(json("{\"channel\":\"logs\",\"data\":42}").event().data()).isEqualTo("42");
  }

  @Test
  void allFieldsFromJson() {
    PublishRequest publish =
        json(
            "{\"channel\":\"logs\",\"type\":\"myevent\",\"data\":\"x\",\"id\":\"7\",\"retry\":2500,\"extra\":1}");
    assertThat(publish.channel()).isEqualTo("logs");
    assertThat(publish.event())
        .isEqualTo(SseEvent.builder().type("myevent").data("x").id("7").retry(2500L).build());
  }

  @Test
  void nullCountsAsAbsent() {
    assertThat(
            json("{\"channel\":\"logs\",\"data\":\"x\",\"type\":null,\"id\":null,\"retry\":null}")
                .event())
        .isEqualTo(SseEvent.of("x"));
    assertThatThrownBy(() -> json("{\"channel\":\"logs\",\"data\":null}"))
        .isInstanceOfSatisfying(HttpProblem.class, e -> assertThat(e.field()).isEqualTo("data"));
  }

  @Test
  void formFieldsWithEmptyOptionalsAbsent() {
    PublishRequest publish = form("channel=logs&data=&type=&id=&retry=");
    assertThat(publish.event()).isEqualTo(SseEvent.of(""));
    assertThat(form("channel=logs&data=a%0Ab&retry=0").event())
        .isEqualTo(SseEvent.builder().data("a\nb").retry(0L).build());
  }

  @Test
  void retryMustBeANonNegativeInteger() {
    assertThat(PublishRequests.parseRetry("0")).isZero();
    assertThat(PublishRequests.parseRetry("123456789012345678")).isEqualTo(123456789012345678L);
    for (String bad : new String[] {"", "-1", "+1", "1.0", " 1", "1234567890123456789"}) {
      assertThatThrownBy(() -> PublishRequests.parseRetry(bad))
          .as(bad)
          .isInstanceOfSatisfying(HttpProblem.class, e -> assertThat(e.field()).isEqualTo("retry"));
    }
  }

  @Test
  void mediaTypes() {
    assertThat(PublishRequests.mediaType("application/json")).isEqualTo("application/json");
    assertThat(PublishRequests.mediaType("application/json;charset=UTF-8"))
        .isEqualTo("application/json");
    assertThat(PublishRequests.mediaType("application/x-www-form-urlencoded; charset=utf-8"))
        .isEqualTo("application/x-www-form-urlencoded");
    assertThatThrownBy(() -> PublishRequests.mediaType("multipart/form-data; boundary=x"))
        .isInstanceOfSatisfying(HttpProblem.class, e -> assertThat(e.status()).isEqualTo(415));
  }

  @Test
  void anArrayBodyParsesLikeABuffer() {
    PublishRequest publish =
        PublishRequests.parse(
            "application/json",
            "{\"channel\":\"logs\",\"data\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(publish).isEqualTo(new PublishRequest("logs", SseEvent.of("x")));
  }

  @Test
  void controlCharactersInAContentTypeAreShownEscaped() {
    assertThatThrownBy(() -> PublishRequests.mediaType("text/plain\u0001"))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.code()).isEqualTo("unsupported_media_type"))
        .hasMessageContaining("\"text/plain\\u0001\"");
  }

  @Test
  void aLongBadFormRetryIsShortenedInTheMessage() {
    String retry = "9".repeat(300);
    assertThatThrownBy(() -> form("channel=logs&data=x&retry=" + retry))
        .isInstanceOfSatisfying(
            HttpProblem.class, e -> assertThat(e.message()).hasSizeLessThan(200))
        .hasMessageContaining("(300 chars)");
  }

  @Test
  void aNumberWhoseExponentNoDecimalHoldsIsA400() {
    String number = "4".repeat(80) + "e" + "4".repeat(80);
    assertThatThrownBy(() -> json("{\"channel\":\"logs\",\"data\":" + number + "}"))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo("invalid_json");
              assertThat(e.message()).hasSizeLessThan(300);
            })
        .hasMessageContaining("a number that cannot be represented");
    // the largest exponent a decimal holds is kept as written
    assertThat(json("{\"channel\":\"logs\",\"data\":[1e999999999]}").event().data())
        .isEqualTo("[1E+999999999]");
  }

  private static PublishRequest json(String body) {
    return PublishRequests.parse(
        "application/json", ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static PublishRequest form(String body) {
    return PublishRequests.parse(
        "application/x-www-form-urlencoded",
        ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }
}
