package io.ssehub.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorTest {

  @Test
  void packsPositionsInOrderAfterTheMark() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("logs", "1732570000000-0");
    positions.put("news", "17");
    assertThat(Cursor.format(positions)).isEqualTo("*logs=1732570000000-0,news=17");
    assertThat(Cursor.parse("*logs=1732570000000-0,news=17")).containsExactlyEntriesOf(positions);
  }

  @Test
  void escapesSeparatorsPercentAndNonAsciiInIdsButNotEquals() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x,y=z%w");
    positions.put("b", "caf\u00e9 \t");
    positions.put("c", "YWJj==");
    String packed = Cursor.format(positions);
    assertThat(packed).isEqualTo("*a=x%2Cy=z%25w,b=caf%C3%A9%20%09,c=YWJj==");
    assertThat(Cursor.parse(packed)).containsExactlyEntriesOf(positions);
  }

  @Test
  void idLineIsTheEncodersLineForTheCursor() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x\r\ny");
    positions.put("b", "7");
    assertThat(Cursor.idLine(positions))
        .containsExactly(io.ssehub.core.SseEncoder.idLine(Cursor.format(positions)));
  }

  @Test
  void idsWithoutTheMarkAreNotCursorsHoweverTheyLook() {
    assertThat(Cursor.parse("17")).isNull();
    assertThat(Cursor.parse("cur=p1,zz=9")).as("a publisher's id shaped like a cursor").isNull();
    assertThat(Cursor.parse("a=1,b=2")).isNull();
    assertThat(Cursor.parse("")).isNull();
  }

  @Test
  void malformedMarkedIdsAreNotCursors() {
    assertThat(Cursor.parse("*")).isNull();
    assertThat(Cursor.parse("*17")).isNull();
    assertThat(Cursor.parse("*a b=1")).isNull(); // not a channel name
    assertThat(Cursor.parse("*a=1,")).isNull();
    assertThat(Cursor.parse("*a=")).isNull();
    assertThat(Cursor.parse("*a=%G1")).isNull();
    assertThat(Cursor.parse("*a=%4")).isNull();
  }

  @Test
  void unmarkedCursorsOfOlderVersionsAreStillRead() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x,y=z");
    positions.put("b", "7");
    assertThat(Cursor.parseUnmarked("a=x%2Cy%3Dz,b=7")).containsExactlyEntriesOf(positions);
    assertThat(Cursor.parseUnmarked("17")).isNull();
    assertThat(Cursor.parseUnmarked("abc=="))
        .isNull(); // base64 with padding: the id part would be empty
    assertThat(Cursor.parseUnmarked("a=abc==")).isNull(); // an older cursor escaped '=': a plain id
    assertThat(Cursor.parseUnmarked("a b=1")).isNull();
  }

  @Test
  void escapedLengthCountsThreePerEscapedByte() {
    assertThat(Cursor.escapedLength("1732570000000-0")).isEqualTo(15);
    assertThat(Cursor.escapedLength("YWJj==")).isEqualTo(6);
    assertThat(Cursor.escapedLength("a,b")).isEqualTo(5);
    assertThat(Cursor.escapedLength("caf\u00e9")).isEqualTo(3 + 6);
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x y\u00e9");
    assertThat(Cursor.format(positions))
        .hasSize("*a=".length() + Cursor.escapedLength("x y\u00e9"));
  }

  @Test
  void maxLengthIsTheLengthOfTheLongestCursorOverTheChannels() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("news", "n".repeat(128));
    positions.put("logs", "\u00e9".repeat(21) + "xy"); // 21 * 6 + 2 = 128 once escaped
    assertThat(Cursor.format(positions))
        .hasSize((int) Cursor.maxLength(List.of("news", "logs"), 128));
  }
}
