package io.ssehub.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorTest {

  @Test
  void packsPositionsInOrder() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("logs", "1732570000000-0");
    positions.put("news", "17");
    assertThat(Cursor.format(positions)).isEqualTo("logs=1732570000000-0,news=17");
    assertThat(Cursor.parse("logs=1732570000000-0,news=17")).containsExactlyEntriesOf(positions);
  }

  @Test
  void escapesSeparatorsPercentAndNonAsciiInIds() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x,y=z%w");
    positions.put("b", "caf\u00e9 \t");
    String packed = Cursor.format(positions);
    assertThat(packed).isEqualTo("a=x%2Cy%3Dz%25w,b=caf%C3%A9%20%09");
    assertThat(Cursor.parse(packed)).containsExactlyEntriesOf(positions);
  }

  @Test
  void idLineIsTheEncodersLineForTheCursor() {
    Map<String, String> positions = new LinkedHashMap<>();
    positions.put("a", "x\r\ny");
    positions.put("b", "7");
    assertThat(Cursor.idLine(positions)).containsExactly(io.ssehub.core.SseEncoder.idLine(Cursor.format(positions)));
  }

  @Test
  void plainIdsAreNotCursors() {
    assertThat(Cursor.parse("17")).isNull();
    assertThat(Cursor.parse("abc==")).isNull(); // base64 with padding: the channel part would be "abc" but the id is empty
    assertThat(Cursor.parse("a b=1")).isNull(); // not a channel name
    assertThat(Cursor.parse("a=1,")).isNull();
    assertThat(Cursor.parse("a=%G1")).isNull();
    assertThat(Cursor.parse("a=%4")).isNull();
  }
}
