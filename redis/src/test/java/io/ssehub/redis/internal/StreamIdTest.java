package io.ssehub.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamIdTest {
  @Test
  void parsesRedisIds() {
    assertThat(StreamId.parse("1732570000000-0")).isEqualTo(new StreamId(1732570000000L, 0));
    assertThat(StreamId.parse("0-0")).isEqualTo(StreamId.ZERO);
    assertThat(StreamId.parse("18446744073709551615-18446744073709551615").toString())
        .isEqualTo("18446744073709551615-18446744073709551615");
  }

  @Test
  void refusesOtherIds() {
    for (String id :
        new String[] {
          "",
          "0",
          "42",
          "-1",
          "1-",
          "1--1",
          "a-1",
          "1-1-1",
          "1-+1",
          " 1-1",
          "18446744073709551616-0",
          "1-0 ",
          "order-42"
        }) {
      assertThat(StreamId.parse(id)).as(id).isNull();
    }
    assertThat(StreamId.parse(null)).isNull();
  }

  @Test
  void ordersAsRedisDoesUnsigned() {
    assertThat(StreamId.parse("2-0")).isGreaterThan(StreamId.parse("1-9"));
    assertThat(StreamId.parse("1-10")).isGreaterThan(StreamId.parse("1-9"));
    assertThat(StreamId.parse("18446744073709551615-0")).isGreaterThan(StreamId.parse("1-0"));
  }
}
