package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.core.SseEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The flask-sse wire format: a table of cases, each named for the behaviour it pins down. */
class FlaskSseCodecTest {
  private final FlaskSseCodec codec = new FlaskSseCodec(FlaskSseCodec.DEFAULT_MAX_DATA_BYTES);

  private SseEvent read(String json) {
    return read(json, null);
  }

  private SseEvent read(String json, String defaultId) {
    FlaskSseCodec.Decoded decoded = codec.decode(json.getBytes(StandardCharsets.UTF_8), defaultId);
    assertThat(decoded.problem()).as("problem with %s", json).isNull();
    return decoded.event();
  }

  private String problem(FlaskSseCodec codec, String json) {
    FlaskSseCodec.Decoded decoded = codec.decode(json.getBytes(StandardCharsets.UTF_8), null);
    assertThat(decoded.event()).as("event from %s", json).isNull();
    return decoded.problem();
  }

  private String problem(String json) {
    return problem(codec, json);
  }

  private static SseEvent.Builder event(String data) {
    return SseEvent.builder().data(data);
  }

  @Nested
  class Writing {
    @Test
    void dataOnlyIsFlaskSsePublishOutput() {
      assertThat(FlaskSseCodec.encode(SseEvent.of("hi")).json()).isEqualTo("{\"data\": \"hi\"}");
    }

    @Test
    void keysSortedAndSpacedAsFlaskJsonDumps() {
      SseEvent event = event("x").type("greeting").id("7").retry(3000L).build();
      assertThat(FlaskSseCodec.encode(event).json())
          .isEqualTo("{\"data\": \"x\", \"id\": \"7\", \"retry\": 3000, \"type\": \"greeting\"}");
    }

    @Test
    void tagsTravelAsAnExtraSortedMemberOnlyWhenPresent() {
      SseEvent event =
          event("x")
              .type("t")
              .id("7")
              .tags(java.util.List.of("private", "https://example.com/é"))
              .build();
      String json = FlaskSseCodec.encode(event).json();
      assertThat(json)
          .isEqualTo(
              "{\"data\": \"x\", \"id\": \"7\", \"tags\": [\"private\", \"https://example.com/\\u00e9\"], \"type\": \"t\"}");
      assertThat(read(json)).isEqualTo(event);
      assertThat(FlaskSseCodec.encode(event("x").build()).json()).doesNotContain("tags");
    }

    @Test
    void badTagsAreRefused() {
      assertThat(problem("{\"data\": \"x\", \"tags\": \"private\"}")).contains("tags");
      assertThat(problem("{\"data\": \"x\", \"tags\": [1]}")).contains("tags");
    }

    @Test
    void jsonDataStaysAStringUnchanged() {
      assertThat(FlaskSseCodec.encode(SseEvent.of("{\"message\": \"Hello!\"}")).json())
          .isEqualTo("{\"data\": \"{\\\"message\\\": \\\"Hello!\\\"}\"}");
    }

    @Test
    void nonAsciiEscapedAsEnsureAscii() {
      assertThat(FlaskSseCodec.encode(SseEvent.of("é€😀")).json())
          .isEqualTo("{\"data\": \"\\u00e9\\u20ac\\ud83d\\ude00\"}");
    }

    @Test
    void controlCharactersEscapedAsPython() {
      assertThat(FlaskSseCodec.encode(SseEvent.of("a\nb\rc\td\be\ff\u0001g\u007fh\\i\"j/")).json())
          .isEqualTo("{\"data\": \"a\\nb\\rc\\td\\be\\ff\\u0001g\\u007fh\\\\i\\\"j/\"}");
    }

    @Test
    void brokerIdGoesWhereSortedKeysPutIt() {
      FlaskSseCodec.Encoded encoded = FlaskSseCodec.encode(event("x").type("t").retry(5L).build());
      assertThat(encoded.hasId()).isFalse();
      assertThat(encoded.withId("1732570000000-0"))
          .isEqualTo(
              "{\"data\": \"x\", \"id\": \"1732570000000-0\", \"retry\": 5, \"type\": \"t\"}");
      assertThat(encoded.json()).isEqualTo("{\"data\": \"x\", \"retry\": 5, \"type\": \"t\"}");
    }

    @Test
    void publisherIdKept() {
      FlaskSseCodec.Encoded encoded = FlaskSseCodec.encode(event("x").id("order-42").build());
      assertThat(encoded.hasId()).isTrue();
      assertThat(encoded.json()).isEqualTo("{\"data\": \"x\", \"id\": \"order-42\"}");
    }

    @Test
    void roundTripKeepsEveryField() {
      SseEvent event = event("line 1\nline 2 é😀").type("t").id("i").retry(0L).build();
      assertThat(read(FlaskSseCodec.encode(event).json())).isEqualTo(event);
    }

    @Test
    void roundTripWithBrokerId() {
      SseEvent event = event("d").type("t").build();
      assertThat(read(FlaskSseCodec.encode(event).withId("5-1"))).isEqualTo(event.withId("5-1"));
      assertThat(read(FlaskSseCodec.encode(event).json(), "5-1")).isEqualTo(event.withId("5-1"));
    }
  }

  @Nested
  class Reading {
    @Test
    void stringDataAsIs() {
      assertThat(read("{\"data\": \"hi\", \"type\": \"myevent\"}"))
          .isEqualTo(event("hi").type("myevent").build());
    }

    @Test
    void objectDataBecomesCompactJson() {
      assertThat(read("{\"data\":{\"message\":\"hi\"},\"type\":\"myevent\"}"))
          .isEqualTo(event("{\"message\":\"hi\"}").type("myevent").build());
    }

    @Test
    void spacedObjectDataBecomesCompactJson() {
      assertThat(read("{\"data\": {\"a\": [1, 2.50, true, null]}}").data())
          .isEqualTo("{\"a\":[1,2.50,true,null]}");
    }

    @Test
    void numberDataBecomesItsText() {
      assertThat(read("{\"data\": 42}").data()).isEqualTo("42");
    }

    @Test
    void nullDataBecomesNullAsFlaskSseDumpsIt() {
      assertThat(read("{\"data\": null}").data()).isEqualTo("null");
    }

    @Test
    void allFields() {
      assertThat(read("{\"retry\": 3000, \"type\": \"t\", \"id\": \"9\", \"data\": \"d\"}"))
          .isEqualTo(event("d").type("t").id("9").retry(3000L).build());
    }

    @Test
    void emptyAndNullFieldsMeanUnset() {
      assertThat(read("{\"data\": \"d\", \"type\": \"\", \"id\": null, \"retry\": null}"))
          .isEqualTo(SseEvent.of("d"));
    }

    @Test
    void numericIdTakenAsText() {
      assertThat(read("{\"data\": \"d\", \"id\": 17}").id()).isEqualTo("17");
    }

    @Test
    void retryAsDigitString() {
      assertThat(read("{\"data\": \"d\", \"retry\": \"1500\"}").retry()).isEqualTo(1500L);
    }

    @Test
    void unknownKeysIgnored() {
      assertThat(read("{\"data\": \"d\", \"channel\": \"x\", \"extra\": [1]}"))
          .isEqualTo(SseEvent.of("d"));
    }

    @Test
    void escapedNonAsciiDecoded() {
      assertThat(read("{\"data\": \"\\u00e9\\ud83d\\ude00\"}").data()).isEqualTo("é😀");
    }

    @Test
    void originalFlaskSseArrayWithStringData() {
      assertThat(read("[\"myevent\", \"{\\\"message\\\": \\\"Hello!\\\"}\"]"))
          .isEqualTo(event("{\"message\": \"Hello!\"}").type("myevent").build());
    }

    @Test
    void originalFlaskSseArrayWithJsonData() {
      assertThat(read("[\"myevent\", {\"line\": 1}]"))
          .isEqualTo(event("{\"line\":1}").type("myevent").build());
    }

    @Test
    void originalFlaskSseArrayWithNullType() {
      assertThat(read("[null, \"d\"]")).isEqualTo(SseEvent.of("d"));
    }

    @Test
    void defaultIdUsedWhenMessageHasNone() {
      assertThat(read("{\"data\": \"d\"}", "1-0").id()).isEqualTo("1-0");
      assertThat(read("[\"t\", \"d\"]", "1-0").id()).isEqualTo("1-0");
    }

    @Test
    void ownIdWinsOverDefault() {
      assertThat(read("{\"data\": \"d\", \"id\": \"own\"}", "1-0").id()).isEqualTo("own");
    }

    @Test
    void dataAtTheLimitAccepted() {
      FlaskSseCodec small = new FlaskSseCodec(4);
      FlaskSseCodec.Decoded decoded =
          small.decode("{\"data\": \"\\u00e9\\u00e9\"}".getBytes(StandardCharsets.UTF_8), null);
      assertThat(decoded.event().data()).isEqualTo("éé");
    }
  }

  @Nested
  class Refusing {
    @Test
    void notJson() {
      assertThat(problem("hello")).startsWith("not JSON");
    }

    @Test
    void truncatedJson() {
      assertThat(problem("{\"data\": \"x")).startsWith("not JSON");
    }

    @Test
    void emptyMessage() {
      assertThat(problem("")).startsWith("not JSON");
    }

    @Test
    void numberWhoseExponentNoDecimalHolds() {
      assertThat(problem("{\"data\": 4e" + "4".repeat(80) + "}"))
          .startsWith("a number that cannot be represented")
          .hasSizeLessThan(200);
    }

    @Test
    void number() {
      assertThat(problem("42")).contains("a JSON number");
    }

    @Test
    void string() {
      assertThat(problem("\"data\"")).contains("a JSON string");
    }

    @Test
    void jsonNull() {
      assertThat(problem("null")).contains("a JSON null");
    }

    @Test
    void objectWithoutData() {
      assertThat(problem("{\"type\": \"t\"}")).contains("without \"data\"");
    }

    @Test
    void arrayOfOne() {
      assertThat(problem("[\"t\"]")).contains("array of 1 elements");
    }

    @Test
    void arrayOfThree() {
      assertThat(problem("[\"t\", \"d\", \"id\"]")).contains("array of 3 elements");
    }

    @Test
    void arrayWithNumberType() {
      assertThat(problem("[1, \"d\"]")).contains("number type");
    }

    @Test
    void typeWithCrLfInjectingFields() {
      assertThat(problem("{\"data\": \"d\", \"type\": \"t\\r\\ndata: injected\"}"))
          .startsWith("type:");
    }

    @Test
    void arrayTypeWithLf() {
      assertThat(problem("[\"t\\nid: 1\", \"d\"]")).startsWith("type:");
    }

    @Test
    void idWithLf() {
      assertThat(problem("{\"data\": \"d\", \"id\": \"1\\nevent: x\"}")).startsWith("id:");
    }

    @Test
    void idWithNul() {
      assertThat(problem("{\"data\": \"d\", \"id\": \"1\\u0000\"}")).startsWith("id:");
    }

    @Test
    void typeObject() {
      assertThat(problem("{\"data\": \"d\", \"type\": {}}")).startsWith("type:");
    }

    @Test
    void idBoolean() {
      assertThat(problem("{\"data\": \"d\", \"id\": true}")).startsWith("id:");
    }

    @Test
    void negativeRetry() {
      assertThat(problem("{\"data\": \"d\", \"retry\": -1}")).startsWith("retry:");
    }

    @Test
    void fractionalRetry() {
      assertThat(problem("{\"data\": \"d\", \"retry\": 1.5}")).startsWith("retry:");
    }

    @Test
    void wordRetry() {
      assertThat(problem("{\"data\": \"d\", \"retry\": \"soon\"}")).startsWith("retry:");
    }

    @Test
    void retryTooBigForALong() {
      assertThat(problem("{\"data\": \"d\", \"retry\": 99999999999999999999999}"))
          .startsWith("retry:");
    }

    @Test
    void dataOverTheLimit() {
      assertThat(problem(new FlaskSseCodec(4), "{\"data\": \"12345\"}")).contains("over 4 bytes");
    }

    @Test
    void multibyteDataOverTheLimit() {
      assertThat(problem(new FlaskSseCodec(4), "{\"data\": \"ééé\"}")).contains("over 4 bytes");
    }

    @Test
    void jsonDataOverTheLimit() {
      assertThat(problem(new FlaskSseCodec(4), "{\"data\": [1, 2, 3]}")).contains("over 4 bytes");
    }

    @Test
    void hugeMessageRefusedUnparsed() {
      String huge = "{\"data\": \"" + "x".repeat(7 * 16 + 64 * 1024) + "\"}";
      assertThat(problem(new FlaskSseCodec(16), huge)).startsWith("message is");
    }

    @Test
    void deeplyNestedJson() {
      String deep = "{\"data\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
      assertThat(problem(deep)).startsWith("not JSON");
    }
  }
}
