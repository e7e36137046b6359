package io.ssehub.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Work handed {@link WriteBatch#ahead} of a loop's stream writes: it runs in the middle of a batch
 * of drains, not after all of them, and in the order given when no batch runs. On a real (local
 * transport) event loop, since an embedded channel runs its pending tasks whenever it flushes.
 */
class WriteBatchTest {
  private static final int STREAMS = 100;
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** One loop: every stream of the test is on it, as a loop's share of a node's streams are. */
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());

  private final LocalAddress address = new LocalAddress("write-batch-test");

  /** What happened, in order: "write N" for stream N's event, then "ahead" where the work ran. */
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  /** The server side of each connection, in the order they were accepted. */
  private final List<Channel> accepted = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void workHandedAheadDuringABatchRunsBeforeTheBatchEnds() throws Exception {
    List<Channel> streams = connect(STREAMS);
    EventLoop loop = streams.get(0).eventLoop();
    Executor ahead = WriteBatch.ahead(loop);
    // The first stream's write hands work ahead, as a publish answered by Redis while the loop
    // writes.
    streams
        .get(0)
        .pipeline()
        .addLast(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpContent) {
                  ahead.execute(() -> log.add("ahead"));
                }
                ctx.write(msg, promise);
              }
            });
    List<NettySink> sinks = new ArrayList<>();
    for (Channel stream : streams) {
      sinks.add(
          new NettySink(
              stream, new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
    }
    // Sent from the loop, as a fan-out is: every stream is drained in one batch at the iteration's
    // end.
    loop.submit(
            () -> sinks.forEach(sink -> sink.send("data: x\n\n".getBytes(StandardCharsets.UTF_8))))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> log.size() == STREAMS + 1);
    List<String> order = List.copyOf(log);
    int at = order.indexOf("ahead");
    assertThat(order.subList(0, at))
        .as("written before the work handed ahead ran")
        .contains("write 0");
    assertThat(at)
        .as("the work ran between two streams' drains, not after the last: %s", order)
        .isLessThan(STREAMS / 2);
  }

  @Test
  void workHandedAheadWithNoBatchRunningRunsInOrderOnTheLoop() {
    List<Channel> streams = connect(1);
    EventLoop loop = streams.get(0).eventLoop();
    Executor ahead = WriteBatch.ahead(loop);
    List<Boolean> onLoop = Collections.synchronizedList(new ArrayList<>());
    ahead.execute(
        () -> {
          onLoop.add(loop.inEventLoop());
          log.add("first");
        });
    ahead.execute(
        () -> {
          throw new IllegalStateException("a failing task"); // logged; the tasks after it still run
        });
    ahead.execute(() -> log.add("second"));

    await().atMost(WAIT).until(() -> log.size() == 2);
    assertThat(log).containsExactly("first", "second");
    assertThat(onLoop).containsExactly(true);
  }

  /**
   * {@code count} connections on the loop; returns their server sides, each recording its events'
   * writes.
   */
  private List<Channel> connect(int count) {
    new ServerBootstrap()
        .group(group)
        .channel(LocalServerChannel.class)
        .childHandler(
            new ChannelInitializer<LocalChannel>() {
              @Override
              protected void initChannel(LocalChannel channel) {
                int index = accepted.size();
                accepted.add(channel);
                channel
                    .pipeline()
                    .addLast(
                        new ChannelOutboundHandlerAdapter() {
                          @Override
                          public void write(
                              ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                            if (msg instanceof HttpContent) {
                              log.add("write " + index);
                            }
                            ReferenceCountUtil.release(
                                msg); // nothing reads the client side: the test keeps only the
                            // order
                            promise.setSuccess();
                          }
                        });
              }
            })
        .bind(address)
        .syncUninterruptibly();
    Bootstrap client =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel channel) {
                    // the client side reads nothing
                  }
                });
    for (int i = 0; i < count; i++) {
      client.connect(address).syncUninterruptibly();
    }
    await().atMost(WAIT).until(() -> accepted.size() == count);
    return List.copyOf(accepted);
  }
}
