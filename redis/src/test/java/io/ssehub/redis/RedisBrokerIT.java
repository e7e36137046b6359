package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import io.ssehub.redis.internal.FlaskSseCodec;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RedisBroker} against a real redis-server on a free loopback port. */
@ExtendWith(RedisExtension.class)
class RedisBrokerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
  private static final AtomicInteger CHANNELS = new AtomicInteger();

  private final RedisServer redis;
  private final List<RedisBroker> brokers = new ArrayList<>();
  private String channel;

  RedisBrokerIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void name(TestInfo test) {
    channel = test.getTestMethod().orElseThrow().getName() + "-" + CHANNELS.incrementAndGet();
  }

  @AfterEach
  void closeBrokers() {
    brokers.forEach(RedisBroker::close);
  }

  private RedisBroker broker(RecordingListener listener) {
    return broker(redis, listener, b -> {});
  }

  private RedisBroker broker(
      RedisServer server, RecordingListener listener, Consumer<RedisBroker.Builder> settings) {
    RedisBroker.Builder builder =
        RedisBroker.builder().uri(server.uri().toString()).commandTimeout(COMMAND_TIMEOUT);
    settings.accept(builder);
    RedisBroker broker = builder.build();
    brokers.add(broker);
    broker.start(listener);
    broker.connect();
    return broker;
  }

  private static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static SseEvent event(String data) {
    return SseEvent.builder().data(data).type("t").build();
  }

  private long numsub(RedisServer server, String ch) {
    List<?> reply = (List<?>) server.command("PUBSUB", "NUMSUB", ch);
    return (Long) reply.get(1);
  }

  @Nested
  class Delivery {
    @Test
    void publishedEventReachesTheSubscriberWithItsStreamId() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));

      SseEvent stored = get(broker.publish(channel, event("hello\nworld")));

      assertThat(stored.id()).matches("\\d+-\\d+");
      assertThat(stored.data()).isEqualTo("hello\nworld");
      assertThat(listener.next(channel)).isEqualTo(stored);
      listener.expectNoMoreEvents();
    }

    @Test
    void publisherIdKept() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      SseEvent stored =
          get(
              broker.publish(
                  channel, SseEvent.builder().data("x").id("order-42").retry(100L).build()));
      assertThat(stored.id()).isEqualTo("order-42");
      assertThat(listener.next(channel)).isEqualTo(stored);
    }

    @Test
    void twoNodesReceiveEveryEventOfBothInOrderPerChannel() {
      RecordingListener a = new RecordingListener();
      RecordingListener b = new RecordingListener();
      RedisBroker nodeA = broker(a);
      RedisBroker nodeB = broker(b);
      List<String> channels = List.of(channel + "-x", channel + "-y");
      for (String ch : channels) {
        get(nodeA.subscribe(ch));
        get(nodeB.subscribe(ch));
      }
      List<CompletableFuture<SseEvent>> published = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        RedisBroker from = i % 2 == 0 ? nodeA : nodeB;
        published.add(from.publish(channels.get(i % 4 < 2 ? 0 : 1), event("e" + i)));
      }
      List<SseEvent> stored = published.stream().map(RedisBrokerIT::get).toList();

      for (RecordingListener listener : List.of(a, b)) {
        List<RecordingListener.Received> received = listener.next(100);
        for (String ch : channels) {
          List<SseEvent> got =
              received.stream()
                  .filter(r -> r.channel().equals(ch))
                  .map(RecordingListener.Received::event)
                  .toList();
          List<SseEvent> sent = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            if (channels.get(i % 4 < 2 ? 0 : 1).equals(ch)) {
              sent.add(stored.get(i));
            }
          }
          assertThat(got).as("events of %s", ch).containsExactlyInAnyOrderElementsOf(sent);
          // Redis order is the order of the ids it gave.
          assertThat(got)
              .extracting(e -> e.id())
              .isSortedAccordingTo(
                  (x, y) ->
                      io.ssehub.redis.internal.StreamId.parse(x)
                          .compareTo(io.ssehub.redis.internal.StreamId.parse(y)));
          // Each node's publishes, pipelined on its one connection, arrive in the order it made
          // them.
          for (int parity = 0; parity < 2; parity++) {
            final int p = parity;
            assertThat(
                    got.stream()
                        .map(e -> Integer.parseInt(e.data().substring(1)))
                        .filter(i -> i % 2 == p)
                        .toList())
                .isSorted();
          }
        }
        listener.expectNoMoreEvents();
      }
    }

    @Test
    void oneRedisSubscriptionPerNodeAndChannel() {
      RedisBroker nodeA = broker(new RecordingListener());
      RedisBroker nodeB = broker(new RecordingListener());
      get(nodeA.subscribe(channel));
      get(nodeA.subscribe(channel));
      get(nodeA.subscribe(channel));
      assertThat(numsub(redis, channel)).isEqualTo(1);
      get(nodeB.subscribe(channel));
      assertThat(numsub(redis, channel)).isEqualTo(2);
      get(nodeA.unsubscribe(channel));
      assertThat(numsub(redis, channel)).isEqualTo(1);
      get(nodeB.unsubscribe(channel));
      assertThat(numsub(redis, channel)).isEqualTo(0);
    }

    @Test
    void unsubscribedChannelNoLongerDelivered() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      get(broker.unsubscribe(channel));
      get(broker.subscribe(channel + "-other"));
      get(broker.publish(channel, event("gone")));
      SseEvent other = get(broker.publish(channel + "-other", event("here")));
      assertThat(listener.next(channel + "-other")).isEqualTo(other);
      listener.expectNoMoreEvents();
    }

    @Test
    void connectionsStayConstantWithAHundredChannels() {
      RedisServer own = RedisServer.startOnFreePort();
      try {
        int before = clients(own);
        RecordingListener listener = new RecordingListener();
        RedisBroker broker = broker(own, listener, b -> {});
        for (int i = 0; i < 100; i++) {
          get(broker.subscribe(channel + "-" + i));
        }
        int after = clients(own);
        assertThat(after - before)
            .as("connections of one broker with 100 channels")
            .isLessThanOrEqualTo(3)
            .isEqualTo(2);
        for (int i = 0; i < 100; i++) {
          assertThat(numsub(own, channel + "-" + i)).isEqualTo(1);
        }
        get(broker.publish(channel + "-99", event("last")));
        assertThat(listener.next(channel + "-99").data()).isEqualTo("last");
      } finally {
        brokers.forEach(RedisBroker::close);
        brokers.clear();
        own.close();
      }
    }

    private int clients(RedisServer server) {
      return (int)
          server.commandString("CLIENT", "LIST").lines().filter(line -> !line.isBlank()).count();
    }
  }

  @Nested
  class FlaskSseCompatibility {
    @Test
    void redisCliPublishOfFlaskSseJsonReachesTheListener() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      redis.command("PUBLISH", channel, "{\"data\":{\"message\":\"hi\"},\"type\":\"myevent\"}");
      SseEvent event = listener.next(channel);
      assertThat(event.type()).isEqualTo("myevent");
      assertThat(event.data()).isEqualTo("{\"message\":\"hi\"}");
      assertThat(event.id()).as("not in history: no id").isNull();
    }

    @Test
    void outsideEventKeepsItsOwnId() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      redis.command("PUBLISH", channel, "{\"data\": \"x\", \"id\": \"ext-1\", \"retry\": 500}");
      assertThat(listener.next(channel))
          .isEqualTo(SseEvent.builder().data("x").id("ext-1").retry(500L).build());
    }

    @Test
    void originalFlaskSseArraysRead() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      redis.command("PUBLISH", channel, "[\"myevent\", \"{\\\"message\\\": \\\"Hello!\\\"}\"]");
      assertThat(listener.next(channel))
          .isEqualTo(SseEvent.builder().type("myevent").data("{\"message\": \"Hello!\"}").build());
    }

    @Test
    void publishedMessageIsExactlyFlaskSseJson() {
      RedisBroker broker = broker(new RecordingListener());
      try (RawSubscriber raw =
          new RawSubscriber(redis.host(), redis.port(), "SUBSCRIBE", channel)) {
        SseEvent stored =
            get(
                broker.publish(
                    channel,
                    SseEvent.builder()
                        .data("{\"message\": \"Hello!\"}\né")
                        .type("greeting")
                        .retry(3000L)
                        .build()));
        assertThat(raw.nextMessage())
            .isEqualTo(
                "{\"data\": \"{\\\"message\\\": \\\"Hello!\\\"}\\n\\u00e9\", \"id\": \""
                    + stored.id()
                    + "\", \"retry\": 3000, \"type\": \"greeting\"}");

        get(broker.publish(channel, SseEvent.builder().data("plain").id("own-id").build()));
        assertThat(raw.nextMessage()).isEqualTo("{\"data\": \"plain\", \"id\": \"own-id\"}");
      }
    }

    @Test
    void malformedMessagesSkippedAndTheNextDelivered() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      get(broker.subscribe(channel));
      for (String bad :
          List.of(
              "not json",
              "42",
              "{\"type\": \"no data\"}",
              "[\"a\", \"b\", \"c\"]",
              "{\"data\": \"x\", \"type\": \"a\\r\\ndata: injected\"}",
              "{\"data\": \"x\", \"id\": \"1\\u0000\"}",
              "{\"data\": \"x\", \"retry\": -5}",
              "{\"data\": \"x\", \"retry\": 2.5}",
              "\u0000\u0001")) {
        redis.command("PUBLISH", channel, bad);
      }
      SseEvent good = get(broker.publish(channel, event("good")));
      assertThat(listener.next(channel)).isEqualTo(good);
      listener.expectNoMoreEvents();
    }

    @Test
    void tooBigDataSkipped() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(redis, listener, b -> b.maxDataBytes(10));
      get(broker.subscribe(channel));
      redis.command("PUBLISH", channel, "{\"data\": \"" + "x".repeat(11) + "\"}");
      redis.command("PUBLISH", channel, "{\"data\": \"" + "x".repeat(10) + "\"}");
      assertThat(listener.next(channel).data()).isEqualTo("x".repeat(10));
      listener.expectNoMoreEvents();
    }
  }

  /** Hubs with and without a channel prefix on one Redis: their channels and history never meet. */
  @Nested
  class Prefixes {
    private Replay after(RedisBroker broker, String ch, String id) {
      return get(broker.history().after(ch, id));
    }

    @Test
    void unprefixedChannelNamedLikeAPrefixedOneDoesNotReachIt() {
      RecordingListener prefixed = new RecordingListener();
      RedisBroker subscriber = broker(redis, prefixed, b -> b.channelPrefix("app:"));
      RedisBroker samePrefix = broker(redis, new RecordingListener(), b -> b.channelPrefix("app:"));
      RedisBroker unprefixed = broker(new RecordingListener());
      get(subscriber.subscribe(channel));

      SseEvent foreign = get(unprefixed.publish("app:" + channel, event("foreign")));
      // Published after the foreign one has run on Redis: had that one reached the subscriber, it
      // would come first.
      SseEvent own = get(samePrefix.publish(channel, event("own")));

      assertThat(prefixed.next(channel)).isEqualTo(own);
      prefixed.expectNoMoreEvents();
      assertThat(numsub(redis, "app:|" + channel))
          .as("flask-sse apps use the prefixed name")
          .isEqualTo(1);
      assertThat(after(subscriber, channel, "0-0")).isEqualTo(new Replay(true, List.of(own)));
      assertThat(after(unprefixed, "app:" + channel, "0-0"))
          .isEqualTo(new Replay(true, List.of(foreign)));
      assertThat((Long) redis.command("XLEN", "ssehub:history:{app:" + channel + "}")).isEqualTo(1);
      assertThat((Long) redis.command("XLEN", "app:|ssehub:history:{app:|" + channel + "}"))
          .isEqualTo(1);
    }

    @Test
    void prefixedChannelDoesNotReachAnUnprefixedHubsChannelOfThatName() {
      RecordingListener plain = new RecordingListener();
      RedisBroker subscriber = broker(plain);
      RedisBroker otherUnprefixed = broker(new RecordingListener());
      RedisBroker prefixed = broker(redis, new RecordingListener(), b -> b.channelPrefix("app:"));
      String named = "app:" + channel;
      get(subscriber.subscribe(named));

      SseEvent foreign = get(prefixed.publish(channel, event("foreign")));
      SseEvent own = get(otherUnprefixed.publish(named, event("own")));

      assertThat(plain.next(named)).isEqualTo(own);
      plain.expectNoMoreEvents();
      assertThat(after(subscriber, named, "0-0")).isEqualTo(new Replay(true, List.of(own)));
      // Each history holds its own event only. (Not checked by resuming from the foreign id: two
      // streams' ids made in the same millisecond are equal, so that id may name an event here
      // too.)
      assertThat((Long) redis.command("XLEN", "ssehub:history:{" + named + "}")).isEqualTo(1);
      assertThat((Long) redis.command("XLEN", "app:|ssehub:history:{app:|" + channel + "}"))
          .isEqualTo(1);
      assertThat(after(prefixed, channel, "0-0")).isEqualTo(new Replay(true, List.of(foreign)));
    }

    @Test
    void twoPrefixesNeverShareAChannel() {
      RecordingListener shortPrefix = new RecordingListener();
      RedisBroker a = broker(redis, shortPrefix, b -> b.channelPrefix("a"));
      RedisBroker ab = broker(redis, new RecordingListener(), b -> b.channelPrefix("a:b"));
      RedisBroker sameAsA = broker(redis, new RecordingListener(), b -> b.channelPrefix("a"));
      String joined = ":b" + channel; // "a" + ":b..." is "a:b" + "..." when simply put together
      get(a.subscribe(joined));

      get(ab.publish(channel, event("foreign")));
      SseEvent own = get(sameAsA.publish(joined, event("own")));

      assertThat(shortPrefix.next(joined)).isEqualTo(own);
      shortPrefix.expectNoMoreEvents();
    }
  }

  @Nested
  class History {
    private Replay after(RedisBroker broker, String id) {
      return get(broker.history().after(channel, id));
    }

    @Test
    void newChannelStartsAtTheBeginningMarker() {
      RedisBroker broker = broker(new RecordingListener());
      assertThat(get(broker.history().lastId(channel))).isEqualTo("0-0");
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(true, List.of()));
      assertThat(after(broker, "1-0")).isEqualTo(new Replay(false, List.of()));
      assertThat(after(broker, "someone's id")).isEqualTo(new Replay(false, List.of()));
    }

    @Test
    void afterAStreamIdGivesWhatCameNext() {
      RedisBroker broker = broker(new RecordingListener());
      String beginning = get(broker.history().lastId(channel));
      SseEvent e1 = get(broker.publish(channel, event("1")));
      SseEvent e2 = get(broker.publish(channel, event("2")));
      SseEvent e3 = get(broker.publish(channel, SseEvent.builder().data("3").id("own").build()));

      assertThat(after(broker, beginning)).isEqualTo(new Replay(true, List.of(e1, e2, e3)));
      assertThat(after(broker, e1.id())).isEqualTo(new Replay(true, List.of(e2, e3)));
      assertThat(after(broker, e2.id())).isEqualTo(new Replay(true, List.of(e3)));
      assertThat(get(broker.history().lastId(channel))).matches("\\d+-\\d+");
      assertThat(after(broker, get(broker.history().lastId(channel))))
          .isEqualTo(new Replay(true, List.of()));
    }

    @Test
    void publisherIdsFoundNewestFirst() {
      RedisBroker broker = broker(new RecordingListener());
      SseEvent a = get(broker.publish(channel, SseEvent.builder().data("a").id("a").build()));
      SseEvent b = get(broker.publish(channel, SseEvent.builder().data("b").id("b").build()));
      SseEvent odd = get(broker.publish(channel, SseEvent.builder().data("odd").id("5-3").build()));
      SseEvent c = get(broker.publish(channel, event("c")));
      SseEvent b2 =
          get(broker.publish(channel, SseEvent.builder().data("b again").id("b").build()));

      assertThat(after(broker, "a")).isEqualTo(new Replay(true, List.of(b, odd, c, b2)));
      assertThat(after(broker, "b")).isEqualTo(new Replay(true, List.of()));
      assertThat(after(broker, "5-3"))
          .as("a publisher id that looks like a stream id")
          .isEqualTo(new Replay(true, List.of(c, b2)));
      assertThat(after(broker, "nope")).isEqualTo(new Replay(false, List.of(a, b, odd, c, b2)));
      assertThat(after(broker, "b\"")).isEqualTo(new Replay(false, List.of(a, b, odd, c, b2)));
    }

    @Test
    void trimmedByCount() {
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historySize(3));
      List<SseEvent> all = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        all.add(get(broker.publish(channel, event("e" + i))));
      }
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(false, all.subList(2, 5)));
      assertThat(after(broker, all.get(0).id())).isEqualTo(new Replay(false, all.subList(2, 5)));
      assertThat(after(broker, all.get(1).id()))
          .as("the last trimmed one: nothing after it is lost")
          .isEqualTo(new Replay(true, all.subList(2, 5)));
      assertThat(after(broker, all.get(2).id())).isEqualTo(new Replay(true, all.subList(3, 5)));
      assertThat((Long) redis.command("XLEN", "ssehub:history:{" + channel + "}")).isEqualTo(3);
    }

    /** Each of these is stored as a message of 1,025 bytes. */
    private SseEvent kilobyte(int i) {
      return event(String.format("%04d", i) + "x".repeat(996));
    }

    private String key() {
      return "ssehub:history:{" + channel + "}";
    }

    /** The bytes of the entries' values, as the broker counts them, read from Redis. */
    private long storedBytes() {
      long total = 0;
      for (Object entry : (List<?>) redis.command("XRANGE", key(), "-", "+")) {
        List<?> fields = (List<?>) ((List<?>) entry).get(1);
        for (int f = 1; f < fields.size(); f += 2) {
          total +=
              ((String) fields.get(f)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
      }
      return total;
    }

    private long counted() {
      return Long.parseLong((String) redis.command("HGET", key() + ":bytes", "bytes"));
    }

    @Test
    void trimmedByBytes() {
      RedisBroker broker =
          broker(redis, new RecordingListener(), b -> b.historyMaxBytes(3 * 1025 + 1000));
      List<SseEvent> all = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        all.add(get(broker.publish(channel, kilobyte(i))));
      }
      assertThat((Long) redis.command("XLEN", key())).isEqualTo(3);
      assertThat(storedBytes()).isEqualTo(3 * 1025);
      assertThat(counted()).isEqualTo(3 * 1025);
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(false, all.subList(3, 6)));
      assertThat(after(broker, all.get(1).id()))
          .as("from before the cut")
          .isEqualTo(new Replay(false, all.subList(3, 6)));
      assertThat(after(broker, all.get(2).id()))
          .as("the last trimmed one: nothing after it is lost")
          .isEqualTo(new Replay(true, all.subList(3, 6)));
      assertThat(after(broker, all.get(4).id())).isEqualTo(new Replay(true, all.subList(5, 6)));
      assertThat((Long) redis.command("PTTL", key() + ":bytes"))
          .as("the counter expires with the stream")
          .isBetween(1L, Duration.ofHours(1).toMillis());
    }

    @Test
    void byteBoundHoldsAcrossManyPublishesOfMixedSizes() {
      long bound = 20_000;
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historyMaxBytes(bound));
      java.util.Random random = new java.util.Random(25);
      List<SseEvent> sent = new ArrayList<>();
      List<SseEvent> all = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        sent.add(event("y".repeat(random.nextInt(3000))));
        all.add(get(broker.publish(channel, sent.get(i))));
        if (i % 50 == 49) {
          assertThat(storedBytes()).isLessThanOrEqualTo(bound).isEqualTo(counted());
        }
      }
      Replay replay = after(broker, "0-0");
      List<SseEvent> kept = replay.events();
      assertThat(kept).isEqualTo(all.subList(all.size() - kept.size(), all.size()));
      long retained = storedBytes();
      int newestDropped = all.size() - kept.size() - 1;
      long droppedBytes = FlaskSseCodec.encode(sent.get(newestDropped)).json().length();
      assertThat(retained + droppedBytes).as("only what had to go went").isGreaterThan(bound);
      assertThat(after(broker, all.get(newestDropped).id())).isEqualTo(new Replay(true, kept));
    }

    @Test
    void eventOverTheByteBoundNotKeptButIdsStillResume() {
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historyMaxBytes(1000));
      SseEvent small = get(broker.publish(channel, event("small")));
      SseEvent big = get(broker.publish(channel, kilobyte(1)));
      assertThat((Long) redis.command("XLEN", key())).isZero();
      assertThat(counted()).isZero();
      assertThat(get(broker.history().lastId(channel))).isEqualTo(big.id());
      assertThat(after(broker, big.id())).isEqualTo(new Replay(true, List.of()));
      assertThat(after(broker, small.id())).isEqualTo(new Replay(false, List.of()));
    }

    @Test
    void lostOrStaleCounterCountedAgain() {
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historyMaxBytes(3 * 1025));
      get(broker.publish(channel, kilobyte(1)));
      get(broker.publish(channel, kilobyte(2)));
      redis.command("DEL", key() + ":bytes"); // evicted, say
      get(broker.publish(channel, kilobyte(3)));
      assertThat(counted()).isEqualTo(3 * 1025);
      redis.command(
          "XADD", key(), "*", "m", "{\"data\": \"" + "z".repeat(2000) + "\"}"); // another writer
      SseEvent last = get(broker.publish(channel, kilobyte(4)));
      assertThat(storedBytes()).isEqualTo(counted()).isLessThanOrEqualTo(3 * 1025);
      assertThat(after(broker, "0-0").events()).last().isEqualTo(last);
    }

    @Test
    void oneReadBringsAtMostTheByteBound() {
      RedisBroker writer =
          broker(redis, new RecordingListener(), b -> b.historyMaxBytes(10 * 1025));
      RedisBroker reader = broker(redis, new RecordingListener(), b -> b.historyMaxBytes(2 * 1025));
      SseEvent own =
          get(writer.publish(channel, SseEvent.builder().data("own").id("order-1").build()));
      List<SseEvent> all = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        all.add(get(writer.publish(channel, kilobyte(i))));
      }
      assertThat(after(writer, "0-0"))
          .isEqualTo(new Replay(true, Stream.concat(Stream.of(own), all.stream()).toList()));
      assertThat(after(reader, "0-0")).isEqualTo(new Replay(false, all.subList(3, 5)));
      assertThat(after(reader, all.get(1).id())).isEqualTo(new Replay(false, all.subList(3, 5)));
      assertThat(after(reader, all.get(2).id())).isEqualTo(new Replay(true, all.subList(3, 5)));
      assertThat(after(writer, "order-1")).isEqualTo(new Replay(true, all));
      assertThat(after(reader, "order-1"))
          .as("found, but more after it than one read brings")
          .isEqualTo(new Replay(false, all.subList(3, 5)));
    }

    @Test
    void noHistoryStillGivesIdsThatResumeUpToDate() {
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historySize(0));
      SseEvent e1 = get(broker.publish(channel, event("1")));
      assertThat(e1.id()).matches("\\d+-\\d+");
      assertThat(get(broker.history().lastId(channel))).isEqualTo(e1.id());
      assertThat(after(broker, e1.id())).isEqualTo(new Replay(true, List.of()));
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(false, List.of()));
    }

    @Test
    void oldEventsLeaveByAgeAndIdleChannelsVanish() {
      Duration ttl = Duration.ofMillis(1500);
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.historyTtl(ttl));
      SseEvent e1 = get(broker.publish(channel, event("1")));
      long e1Millis = Long.parseLong(e1.id().split("-")[0]);
      await().atMost(TIMEOUT).until(() -> redisMillis() >= e1Millis + 800);
      SseEvent e2 = get(broker.publish(channel, event("2")));
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(true, List.of(e1, e2)));

      // e1 is older than the TTL, e2 not yet: reads drop e1 and say the beginning was cut.
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                Replay replay = after(broker, "0-0");
                return replay.equals(new Replay(false, List.of(e2)));
              });
      assertThat(after(broker, e1.id())).isEqualTo(new Replay(true, List.of(e2)));

      // Idle for the TTL: the whole stream expires; the head is the beginning again.
      String key = "ssehub:history:{" + channel + "}";
      await().atMost(TIMEOUT).until(() -> (Long) redis.command("EXISTS", key) == 0);
      assertThat(get(broker.history().lastId(channel))).isEqualTo("0-0");
      assertThat(after(broker, e2.id())).isEqualTo(new Replay(false, List.of()));
    }

    @Test
    void everyEventExpiredButTheLastIdStillUpToDate() {
      RedisBroker broker =
          broker(redis, new RecordingListener(), b -> b.historyTtl(Duration.ofMillis(300)));
      SseEvent e1 = get(broker.publish(channel, event("1")));
      String key = "ssehub:history:{" + channel + "}";
      redis.command("PERSIST", key); // keep the stream itself past its TTL
      long e1Millis = Long.parseLong(e1.id().split("-")[0]);
      await().atMost(TIMEOUT).until(() -> redisMillis() > e1Millis + 300);
      assertThat(get(broker.history().lastId(channel))).isEqualTo(e1.id());
      assertThat(after(broker, e1.id())).isEqualTo(new Replay(true, List.of()));
      assertThat(after(broker, "0-0")).isEqualTo(new Replay(false, List.of()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void historyKeyAndTtlOnRedis() {
      RedisBroker broker = broker(redis, new RecordingListener(), b -> b.channelPrefix("app1:"));
      get(broker.publish(channel, event("1")));
      String key = "app1:|ssehub:history:{app1:|" + channel + "}";
      assertThat((Long) redis.command("XLEN", key)).isEqualTo(1);
      assertThat((Long) redis.command("PTTL", key)).isBetween(1L, Duration.ofHours(1).toMillis());
      List<?> entries = (List<?>) redis.command("XRANGE", key, "-", "+");
      List<Object> fields = (List<Object>) ((List<?>) entries.get(0)).get(1);
      assertThat(fields).containsExactly((Object) "m", "{\"data\": \"1\", \"type\": \"t\"}");
    }

    private long redisMillis() {
      List<?> time = (List<?>) redis.command("TIME");
      return Long.parseLong((String) time.get(0)) * 1000
          + Long.parseLong((String) time.get(1)) / 1000;
    }
  }

  @Nested
  class Outage {
    @Test
    void redisKilledAndRestartedOnTheSamePort() {
      RedisServer own = RedisServer.startOnFreePort();
      try {
        RecordingListener listener = new RecordingListener();
        RedisBroker broker = broker(own, listener, b -> {});
        listener.expectConnection(true);
        get(broker.subscribe(channel));
        assertThat(broker.isConnected()).isTrue();

        own.kill();
        listener.expectConnection(false);
        assertThat(broker.isConnected()).isFalse();

        long start = System.nanoTime();
        CompletableFuture<SseEvent> failed = broker.publish(channel, event("lost"));
        assertThatThrownBy(
                () -> failed.get(COMMAND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS))
            .hasCauseInstanceOf(BrokerUnavailableException.class)
            .cause()
            .hasMessageContaining(own.uri().toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThan(COMMAND_TIMEOUT.plusSeconds(1));
        assertThatThrownBy(
                () ->
                    broker
                        .history()
                        .lastId(channel)
                        .get(COMMAND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS))
            .hasCauseInstanceOf(BrokerUnavailableException.class);

        // Asked for while Redis is down: confirmed once it is back.
        CompletableFuture<Void> later = broker.subscribe(channel + "-later");
        assertThat(later).isNotDone();

        own.start();
        listener.expectConnection(true);
        assertThat(broker.isConnected()).isTrue();
        assertThat(later).succeedsWithin(TIMEOUT);
        assertThat(numsub(own, channel)).isEqualTo(1);
        assertThat(numsub(own, channel + "-later")).isEqualTo(1);

        SseEvent back = get(broker.publish(channel, event("back")));
        assertThat(listener.next(channel)).isEqualTo(back);
        own.command("PUBLISH", channel + "-later", "{\"data\": \"later\"}");
        assertThat(listener.next(channel + "-later").data()).isEqualTo("later");
        listener.expectNoMoreEvents();
        listener.expectNoConnectionChange();
      } finally {
        brokers.forEach(RedisBroker::close);
        brokers.clear();
        own.close();
      }
    }

    @Test
    void unsubscribeWhileDownIsNotUndoneByReconnecting() {
      RedisServer own = RedisServer.startOnFreePort();
      try {
        RecordingListener listener = new RecordingListener();
        RedisBroker broker = broker(own, listener, b -> {});
        listener.expectConnection(true);
        get(broker.subscribe(channel));
        get(broker.subscribe(channel + "-kept"));
        own.kill();
        listener.expectConnection(false);
        get(broker.unsubscribe(channel));
        own.start();
        listener.expectConnection(true);
        await().atMost(TIMEOUT).until(() -> numsub(own, channel) == 0);
        assertThat(numsub(own, channel + "-kept")).isEqualTo(1);
      } finally {
        brokers.forEach(RedisBroker::close);
        brokers.clear();
        own.close();
      }
    }

    @Test
    void killedPubSubConnectionRecoveredAndResubscribed() {
      RecordingListener listener = new RecordingListener();
      RedisBroker broker = broker(listener);
      listener.expectConnection(true);
      get(broker.subscribe(channel));

      redis.command("CLIENT", "KILL", "TYPE", "pubsub");
      listener.expectConnection(false);
      listener.expectConnection(true);
      assertThat(broker.isConnected()).isTrue();
      assertThat(numsub(redis, channel)).isEqualTo(1);

      SseEvent after = get(broker.publish(channel, event("after")));
      assertThat(listener.next(channel)).isEqualTo(after);
    }

    @Test
    void unreachableRedisNamedWithItsPasswordMasked() {
      RedisServer own = RedisServer.startOnFreePort();
      int port = own.port();
      own.close(); // nothing listens there now
      RedisBroker broker =
          RedisBroker.builder()
              .uri("redis://:secret@127.0.0.1:" + port + "/0")
              .commandTimeout(COMMAND_TIMEOUT)
              .build();
      brokers.add(broker);
      assertThatThrownBy(broker::connect)
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("redis://:***@127.0.0.1:" + port + "/0")
          .hasMessageNotContaining("secret");
      assertThat(broker.isConnected()).isFalse();
      assertThatThrownBy(() -> broker.connect(Duration.ofMillis(300)))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("kept trying for PT0.3S")
          .hasMessageNotContaining("secret");
      assertThat(broker.publish(channel, event("x")))
          .failsWithin(TIMEOUT)
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void wrongPasswordNamedMasked() {
      RedisServer own = RedisServer.startOnFreePort();
      try {
        own.command(
            "CONFIG", "SET", "requirepass", "right"); // the test kit's own commands stop here
        RedisBroker broker =
            RedisBroker.builder()
                .uri("redis://:wrong@127.0.0.1:" + own.port() + "/0")
                .commandTimeout(COMMAND_TIMEOUT)
                .build();
        brokers.add(broker);
        assertThatThrownBy(broker::connect)
            .isInstanceOf(RedisUnavailableException.class)
            .hasMessageContaining("redis://:***@127.0.0.1:" + own.port())
            .hasMessageNotContaining("wrong@");

        RecordingListener listener = new RecordingListener();
        RedisBroker good =
            broker(own, listener, b -> b.uri("redis://:right@127.0.0.1:" + own.port() + "/0"));
        get(good.subscribe(channel));
        SseEvent stored = get(good.publish(channel, event("authenticated")));
        assertThat(listener.next(channel)).isEqualTo(stored);
        assertThat(good.describe())
            .contains("redis://:***@127.0.0.1:" + own.port())
            .doesNotContain("right");
      } finally {
        brokers.forEach(RedisBroker::close);
        brokers.clear();
        own.kill(); // it cannot PING without the password
        own.close();
      }
    }
  }
}
