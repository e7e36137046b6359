package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.redis.internal.StreamId;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import io.ssehub.testkit.SseParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes (two hubs, two Redis brokers) on one redis-server, with streams spread over both: every
 * event reaches every stream of its channel once, in order, and a client that resumes on the other
 * node misses nothing and gets nothing twice while events keep coming.
 */
@ExtendWith(RedisExtension.class)
class HubOverRedisIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int CHANNELS = 10;
  private static final int SINKS = 100;

  private final RedisServer redis;
  private final List<SseHub> hubs = new ArrayList<>();

  HubOverRedisIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void twoNodes() {
    for (int i = 0; i < 2; i++) {
      RedisBroker broker = RedisBroker.builder().uri(redis.uri().toString()).build();
      broker.connect();
      hubs.add(SseHub.builder().broker(broker).keepalive(Duration.ZERO).build());
    }
  }

  @AfterEach
  void close() {
    hubs.forEach(SseHub::close);
  }

  private static String channel(int i) {
    return "hub-ch-" + i;
  }

  private static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Comparator<String> byStreamId() {
    return Comparator.comparing(StreamId::parse);
  }

  @Test
  void everyEventReachesEveryStreamOfItsChannelOnceInOrder() {
    List<CollectingSink> sinks = new ArrayList<>();
    for (int i = 0; i < SINKS; i++) {
      CollectingSink sink = new CollectingSink();
      hubs.get(i / CHANNELS % 2).subscribe(SubscribeRequest.of(channel(i % CHANNELS)), sink);
      sinks.add(sink);
    }
    // A fresh stream is live once it was told its position: from then on it misses nothing.
    await().atMost(TIMEOUT).until(() -> sinks.stream().allMatch(CollectingSink::started));
    for (SseHub hub : hubs) {
      assertThat(hub.subscribedChannels()).hasSize(CHANNELS);
    }
    for (int c = 0; c < CHANNELS; c++) {
      List<?> numsub = (List<?>) redis.command("PUBSUB", "NUMSUB", channel(c));
      assertThat(numsub.get(1)).as("one subscription per node for %s", channel(c)).isEqualTo(2L);
    }

    List<CompletableFuture<SseEvent>> published = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      published.add(
          hubs.get(n % 2)
              .publish(
                  channel(n % CHANNELS),
                  SseEvent.builder().type("tick").data("event " + n + "\nsecond line").build()));
    }
    List<List<String>> idsByChannel = new ArrayList<>();
    for (int c = 0; c < CHANNELS; c++) {
      idsByChannel.add(new ArrayList<>());
    }
    for (int n = 0; n < published.size(); n++) {
      idsByChannel.get(n % CHANNELS).add(get(published.get(n)).id());
    }
    idsByChannel.forEach(ids -> ids.sort(byStreamId()));

    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              for (int i = 0; i < SINKS; i++) {
                if (sinks.get(i).events().size() < idsByChannel.get(i % CHANNELS).size()) {
                  return false;
                }
              }
              return true;
            });
    for (int i = 0; i < SINKS; i++) {
      CollectingSink sink = sinks.get(i);
      List<String> expected = idsByChannel.get(i % CHANNELS);
      assertThat(sink.events())
          .extracting(SseParser.Event::id)
          .as("sink %d on node %d", i, i / CHANNELS % 2)
          .containsExactlyElementsOf(expected);
      assertThat(sink.events())
          .allSatisfy(
              e -> {
                assertThat(e.type()).isEqualTo("tick");
                assertThat(e.data()).endsWith("\nsecond line");
              });
    }
  }

  @Test
  void resumingOnTheOtherNodeIsGapFreeAndDuplicateFree() throws Exception {
    String channel = "resume-ch";
    CollectingSink reference = new CollectingSink();
    hubs.get(0).subscribe(SubscribeRequest.of(channel), reference);
    await().atMost(TIMEOUT).until(reference::started);

    int total = 300;
    CompletableFuture<Void> publisher =
        CompletableFuture.runAsync(
            () -> {
              for (int n = 0; n < total; n++) {
                get(hubs.get(n % 2).publish(channel, SseEvent.of("e" + n)));
              }
            });
    await().atMost(TIMEOUT).until(() -> reference.events().size() >= 50);
    String lastEventId = reference.lastEventId();
    CollectingSink resumed = new CollectingSink();
    hubs.get(1).subscribe(SubscribeRequest.of(List.of(channel), lastEventId), resumed);

    publisher.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(TIMEOUT).until(() -> reference.events().size() == total);
    List<String> all = reference.events().stream().map(SseParser.Event::id).toList();
    List<String> missed = all.subList(all.indexOf(lastEventId) + 1, all.size());
    await().atMost(TIMEOUT).until(() -> resumed.events().size() >= missed.size());

    assertThat(resumed.events())
        .extracting(SseParser.Event::type)
        .doesNotContain(SseEvent.HISTORY_CUT_TYPE);
    assertThat(resumed.events()).extracting(SseParser.Event::id).containsExactlyElementsOf(missed);
    assertThat(all).isSortedAccordingTo(byStreamId()).doesNotHaveDuplicates();
  }

  /** A stream's bytes, parsed as a browser would. The hub never calls it concurrently. */
  static final class CollectingSink implements SseSink {
    private final List<SseParser.Event> events = new ArrayList<>();
    private boolean started;
    private String lastEventId = "";
    private final SseParser parser =
        new SseParser(
            new SseParser.Listener() {
              @Override
              public void onEvent(SseParser.Event event) {
                events.add(event);
                lastEventId = event.id();
                started = true;
              }

              @Override
              public void onIdOnly(String id) {
                lastEventId = id;
                started = true;
              }
            });

    @Override
    public synchronized void send(byte[] bytes) {
      parser.feed(bytes);
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void abort() {}

    synchronized boolean started() {
      return started;
    }

    synchronized List<SseParser.Event> events() {
      return List.copyOf(events);
    }

    synchronized String lastEventId() {
      return lastEventId;
    }
  }
}
