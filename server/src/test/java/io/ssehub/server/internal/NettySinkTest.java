package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sink on an {@link EmbeddedChannel} without codec: what it writes, in which order, and when.
 */
class NettySinkTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final HttpResponse head =
      new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
  private final NettySink sink = new NettySink(channel, head);

  @AfterEach
  void tearDown() {
    assertThat(channel.finishAndReleaseAll()).as("messages left in the channel").isFalse();
  }

  @Test
  void writesTheHeadThenEachSendInOrder() {
    sink.send(bytes("retry: 3000\n\n"));
    sink.send(bytes("id: 1\n"), bytes("data: a\n\n"));
    sink.send(bytes("data: b\n\n"));
    assertThat(sink.pendingBytes()).as("queued, not yet written").isEqualTo(13 + 6 + 9 + 9);
    channel.runPendingTasks();
    List<Object> out = drain();
    assertThat(out.get(0)).isSameAs(head);
    assertThat(texts(out.subList(1, out.size())))
        .containsExactly("retry: 3000\n\n", "id: 1\ndata: a\n\n", "data: b\n\n");
    assertThat(sink.pendingBytes()).isZero();
  }

  @Test
  void sharedArraysAreNotModified() {
    byte[] shared = bytes("data: shared\n\n");
    byte[] copy = shared.clone();
    sink.send(bytes("id: 9\n"), shared);
    channel.runPendingTasks();
    drain();
    assertThat(shared).isEqualTo(copy);
  }

  @Test
  void closeFlushesThenEndsTheResponseAndTheConnection() {
    sink.send(bytes("data: last\n\n"));
    sink.close();
    sink.send(bytes("data: too late\n\n"));
    channel.runPendingTasks();
    List<Object> out = drain();
    assertThat(out).hasSize(3);
    assertThat(texts(out.subList(1, 2))).containsExactly("data: last\n\n");
    assertThat(out.get(2)).isInstanceOf(LastHttpContent.class);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closedFromAThreadOfALoopThatRunsNoEndOfIterationTasksStillEnds() throws Exception {
    // An app's DefaultEventLoopGroup (blocking work off the I/O loops) never runs the tasks kept
    // for the end of an iteration: what its thread makes ready must not wait for one.
    DefaultEventLoopGroup appLoops = new DefaultEventLoopGroup(1);
    try {
      appLoops
          .submit(
              () -> {
                sink.send(bytes("data: last\n\n"));
                sink.close();
              })
          .get(5, TimeUnit.SECONDS);
      channel.runPendingTasks();
      List<Object> out = drain();
      assertThat(out).hasSize(3);
      assertThat(out.get(2)).isInstanceOf(LastHttpContent.class);
      assertThat(channel.isOpen()).isFalse();
    } finally {
      appLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void abortDropsWhatIsQueuedAndClosesAtOnce() {
    sink.send(bytes("data: never\n\n"));
    sink.abort();
    channel.runPendingTasks();
    assertThat(drain()).isEmpty();
    assertThat(channel.isOpen()).isFalse();
    assertThat(sink.pendingBytes()).as("a closed channel has no outbound buffer").isZero();
  }

  @Test
  void discardDropsEverythingWithoutWriting() {
    sink.send(bytes("retry: 3000\n\n"));
    sink.discard();
    channel.runPendingTasks();
    assertThat(drain()).isEmpty();
    assertThat(channel.isOpen()).isTrue();
  }

  private List<Object> drain() {
    List<Object> out = new ArrayList<>();
    Object message;
    while ((message = channel.readOutbound()) != null) {
      out.add(message);
    }
    return out;
  }

  private static List<String> texts(List<Object> contents) {
    List<String> texts = new ArrayList<>();
    for (Object content : contents) {
      ByteBuf buf = ((HttpContent) content).content();
      texts.add(buf.toString(StandardCharsets.UTF_8));
      ReferenceCountUtil.release(content);
    }
    return texts;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
