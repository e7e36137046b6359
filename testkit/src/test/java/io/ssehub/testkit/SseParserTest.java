package io.ssehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.testkit.SseParser.Comment;
import io.ssehub.testkit.SseParser.Event;
import io.ssehub.testkit.SseParser.IdOnly;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spec cases for {@link SseParser}, one per behaviour of the WHATWG "Interpreting an event stream"
 * algorithm. Every case is also fed in every two-chunk split, and byte by byte, and must give the
 * same result: chunk boundaries never change what is parsed.
 */
class SseParserTest {

  private final Deque<Object> recorded = new ArrayDeque<>();

  @AfterEach
  void nothingUnexpected() {
    assertThat(recorded).as("parsed but not expected").isEmpty();
  }

  @Test
  void simpleEvent() {
    parse("data: hello\n\n");
    expect(Event.of("", "hello"));
  }

  @Test
  void multilineLf() {
    parse("data: a\ndata: b\n\n");
    expect(Event.of("", "a\nb"));
  }

  @Test
  void multilineCrLf() {
    parse("data: a\r\ndata: b\r\n\r\n");
    expect(Event.of("", "a\nb"));
  }

  @Test
  void multilineCr() {
    parse("data: a\rdata: b\r\r");
    expect(Event.of("", "a\nb"));
  }

  @Test
  void mixedLineEndings() {
    parse("data: a\rdata: b\ndata: c\r\n\n");
    expect(Event.of("", "a\nb\nc"));
  }

  @Test
  void crSplitAcrossChunks() {
    // CR ends one chunk, LF starts the next: one line end, not two (which would dispatch early).
    List<Object> out = feedChunks("data: a\r", "\ndata: b\r", "\n\r", "\n");
    assertThat(out).containsExactly(Event.of("", "a\nb"));
  }

  @Test
  void utf8SplitAcrossChunks() {
    byte[] bytes = "data: h\u00e9llo \u20ac \uD83D\uDE00\n\n".getBytes(StandardCharsets.UTF_8);
    List<Object> out = feedChunks(bytes, 8, 9, 15, 18, 21);
    assertThat(out).containsExactly(Event.of("", "h\u00e9llo \u20ac \uD83D\uDE00"));
  }

  @Test
  void malformedUtf8Replaced() {
    byte[] bytes = {'d', 'a', 't', 'a', ':', (byte) 0xC3, '\n', '\n'};
    assertThat(SseParser.parseAll(bytes)).containsExactly(Event.of("", "\uFFFD"));
  }

  @Test
  void bomIgnored() {
    parse("\uFEFFdata: x\n\n");
    expect(Event.of("", "x"));
  }

  @Test
  void onlyOneBomIgnored() {
    // The second BOM is part of the first line's field name, so the line is an unknown field.
    parse("\uFEFF\uFEFFdata: x\n\ndata: y\n\n");
    expect(Event.of("", "y"));
  }

  @Test
  void bomNotAtStartIsData() {
    parse("data: \uFEFFx\n\n");
    expect(Event.of("", "\uFEFFx"));
  }

  @Test
  void partialBomPrefixIsContent() {
    // 0xEF 0xBB then 'd' is not a BOM: the held bytes are content (malformed, so U+FFFD).
    byte[] bytes = {(byte) 0xEF, (byte) 0xBB, '\n', 'd', 'a', 't', 'a', ':', 'x', '\n', '\n'};
    assertThat(SseParser.parseAll(bytes)).containsExactly(Event.of("", "x"));
  }

  @Test
  void oneLeadingSpaceRemoved() {
    parse("data:  two spaces\ndata:none\n\n");
    expect(Event.of("", " two spaces\nnone"));
  }

  @Test
  void fieldWithoutColonHasEmptyValue() {
    parse("data\ndata\n\n");
    expect(Event.of("", "\n"));
  }

  @Test
  void emptyDataLineDispatchesEmptyString() {
    parse("data\n\n");
    expect(Event.of("", ""));
  }

  @Test
  void valueMayContainColons() {
    parse("data: a:b: c\n\n");
    expect(Event.of("", "a:b: c"));
  }

  @Test
  void eventType() {
    parse("event: tick\ndata: 1\n\ndata: 2\n\n");
    expect(new Event("", "tick", "1", null));
    expect(Event.of("", "2")); // the type buffer is reset after dispatch
  }

  @Test
  void emptyEventTypeIsMessage() {
    parse("event:\ndata: 1\n\n");
    expect(Event.of("", "1"));
  }

  @Test
  void fieldNamesAreCaseSensitive() {
    parse("Data: no\nEVENT: no\ndata: yes\n\n");
    expect(Event.of("", "yes"));
  }

  @Test
  void unknownFieldIgnored() {
    parse("foo: bar\ndata: x\n\n");
    expect(Event.of("", "x"));
  }

  @Test
  void commentReported() {
    parse(": keepalive\n:\n:  two\ndata: x\n\n");
    expect(new Comment("keepalive"));
    expect(new Comment(""));
    expect(new Comment(" two"));
    expect(Event.of("", "x"));
  }

  @Test
  void commentInsideEventDoesNotDispatch() {
    parse("data: a\n: ping\ndata: b\n\n");
    expect(new Comment("ping"));
    expect(Event.of("", "a\nb"));
  }

  @Test
  void idSetsLastEventId() {
    parse("id: 7\ndata: x\n\n");
    expect(Event.of("7", "x"));
  }

  @Test
  void lastEventIdPersists() {
    parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n");
    expect(Event.of("1", "a"));
    expect(Event.of("1", "b"));
    expect(Event.of("2", "c"));
  }

  @Test
  void emptyIdResetsLastEventId() {
    parse("id: 1\ndata: a\n\nid\ndata: b\n\n");
    expect(Event.of("1", "a"));
    expect(Event.of("", "b"));
  }

  @Test
  void idWithNulIgnored() {
    parse("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n");
    expect(Event.of("1", "a"));
    expect(Event.of("1", "b"));
  }

  @Test
  void idOrderWithinBlockDoesNotMatter() {
    // The buffer is read at dispatch, so an id after the data still applies to that event.
    parse("data: a\nid: 9\n\n");
    expect(Event.of("9", "a"));
  }

  @Test
  void emptyDataNotDispatched() {
    parse("event: x\n\n\n\n");
  }

  @Test
  void idOnlyBlockUpdatesLastEventIdWithoutEvent() {
    parse("id: 5\n\ndata: a\n\n");
    expect(new IdOnly("5"));
    expect(Event.of("5", "a"));
  }

  @Test
  void idOnlyWithEventTypeDiscardsType() {
    parse("event: x\nid: 5\n\ndata: a\n\n");
    expect(new IdOnly("5"));
    expect(Event.of("5", "a"));
  }

  @Test
  void retry() {
    List<Long> retries = new ArrayList<>();
    SseParser parser = new SseParser(new Recorder(retries));
    parser.feed(bytes("retry: 1500\ndata: a\n\nretry: 10\n\ndata: b\n\n"));
    assertThat(retries).containsExactly(1500L, 10L);
    expect(new Event("", "message", "a", 1500L));
    expect(Event.of("", "b"));
  }

  @Test
  void retryInvalidIgnored() {
    List<Long> retries = new ArrayList<>();
    SseParser parser = new SseParser(new Recorder(retries));
    parser.feed(bytes("retry: 1.5\nretry: -1\nretry: 10a\nretry:\nretry:  5\ndata: a\n\n"));
    assertThat(retries).isEmpty();
    expect(Event.of("", "a"));
  }

  @Test
  void unterminatedEventDiscardedAtEnd() {
    parse("data: a\n\ndata: b\n");
    expect(Event.of("", "a"));
  }

  @Test
  void unterminatedLineDiscardedAtEnd() {
    parse("data: a\n\ndata: b");
    expect(Event.of("", "a"));
  }

  @Test
  void lastEventIdBufferVisible() {
    SseParser parser = new SseParser(new Recorder(new ArrayList<>()));
    parser.feed(bytes("id: 3\n"));
    assertThat(parser.lastEventIdBuffer()).isEqualTo("3");
  }

  @Test
  void feedAfterEndRejected() {
    SseParser parser = new SseParser(new Recorder(new ArrayList<>()));
    parser.end();
    assertThatThrownBy(() -> parser.feed(new byte[] {1})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void byteBufferConsumedFromPosition() {
    ByteBuffer buffer = ByteBuffer.wrap(bytes("xxdata: a\n\n"));
    buffer.position(2);
    SseParser parser = new SseParser(new Recorder(new ArrayList<>()));
    parser.feed(buffer);
    assertThat(buffer.hasRemaining()).isFalse();
    expect(Event.of("", "a"));
  }

  /** Parses {@code stream} whole, in every two-chunk split and byte by byte; all must agree. */
  private void parse(String stream) {
    byte[] bytes = bytes(stream);
    List<Object> whole = SseParser.parseAll(bytes);
    for (int split = 0; split <= bytes.length; split++) {
      assertThat(feedChunks(bytes, split)).as("split at byte %d", split).isEqualTo(whole);
    }
    int[] everyByte = new int[bytes.length];
    Arrays.setAll(everyByte, i -> i);
    assertThat(feedChunks(bytes, everyByte)).as("byte by byte").isEqualTo(whole);
    recorded.addAll(whole);
  }

  private void expect(Object expected) {
    assertThat(recorded).as("nothing left, expected %s", expected).isNotEmpty();
    assertThat(recorded.removeFirst()).isEqualTo(expected);
  }

  private static List<Object> feedChunks(String... chunks) {
    List<Object> out = new ArrayList<>();
    SseParser parser = new SseParser(new Collecting(out));
    for (String chunk : chunks) {
      parser.feed(bytes(chunk));
    }
    parser.end();
    return out;
  }

  private static List<Object> feedChunks(byte[] bytes, int... splits) {
    List<Object> out = new ArrayList<>();
    SseParser parser = new SseParser(new Collecting(out));
    int from = 0;
    for (int split : splits) {
      parser.feed(Arrays.copyOfRange(bytes, from, split));
      from = split;
    }
    parser.feed(Arrays.copyOfRange(bytes, from, bytes.length));
    parser.end();
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static class Collecting implements SseParser.Listener {
    final List<Object> out;

    Collecting(List<Object> out) {
      this.out = out;
    }

    @Override
    public void onEvent(Event event) {
      out.add(event);
    }

    @Override
    public void onComment(String text) {
      out.add(new Comment(text));
    }

    @Override
    public void onIdOnly(String lastEventId) {
      out.add(new IdOnly(lastEventId));
    }
  }

  /** Records into this test's queue, and retries into a list. */
  private class Recorder extends Collecting {
    final List<Long> retries;

    Recorder(List<Long> retries) {
      super(new ArrayList<>());
      this.retries = retries;
    }

    @Override
    public void onEvent(Event event) {
      recorded.add(event);
    }

    @Override
    public void onComment(String text) {
      recorded.add(new Comment(text));
    }

    @Override
    public void onIdOnly(String lastEventId) {
      recorded.add(new IdOnly(lastEventId));
    }

    @Override
    public void onRetry(long millis) {
      retries.add(millis);
    }
  }
}
