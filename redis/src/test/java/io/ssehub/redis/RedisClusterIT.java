package io.ssehub.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import io.ssehub.testkit.RedisCluster;
import io.ssehub.testkit.RedisExtension;
import io.ssehub.testkit.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link RedisBroker} on a three-master Redis Cluster: sharded pub/sub and per-shard history. */
@ExtendWith(RedisExtension.class)
class RedisClusterIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final int[] SHARD_STARTS = {0, 5461, 10923, 16384};

  private final RedisCluster cluster;
  private final List<RedisBroker> brokers = new ArrayList<>();

  RedisClusterIT(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @AfterEach
  void closeBrokers() {
    brokers.forEach(RedisBroker::close);
  }

  private RedisBroker broker(RecordingListener listener, boolean viaUri) {
    List<String> seeds = cluster.seedUris().stream().map(URI::getAuthority).toList();
    RedisBroker.Builder builder =
        viaUri
            ? RedisBroker.builder().uri("redis-cluster://" + String.join(",", seeds))
            : RedisBroker.builder().cluster(seeds);
    RedisBroker broker = builder.commandTimeout(Duration.ofSeconds(5)).build();
    brokers.add(broker);
    broker.start(listener);
    broker.connect();
    return broker;
  }

  private static <T> T get(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A channel name served by the given shard (0, 1 or 2 in slot order). */
  private static String channelOnShard(String base, int shard) {
    for (int i = 0; ; i++) {
      String name = base + "-" + i;
      int slot = SlotHash.getSlot(name);
      if (slot >= SHARD_STARTS[shard] && slot < SHARD_STARTS[shard + 1]) {
        return name;
      }
    }
  }

  @Test
  void shardedDeliveryToTwoBrokersAcrossAllShards() {
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    RedisBroker nodeA = broker(a, false);
    RedisBroker nodeB = broker(b, true);
    assertThat(nodeA.describe()).contains("sharded pub/sub");

    List<String> channels = new ArrayList<>();
    for (int shard = 0; shard < 3; shard++) {
      channels.add(channelOnShard("sharded", shard));
    }
    for (String channel : channels) {
      get(nodeA.subscribe(channel));
      get(nodeB.subscribe(channel));
    }
    for (int shard = 0; shard < 3; shard++) {
      RedisServer owner = cluster.nodes().get(shard);
      List<?> counts = (List<?>) owner.command("PUBSUB", "SHARDNUMSUB", channels.get(shard));
      assertThat(counts.get(1))
          .as("sharded subscribers of %s on its shard", channels.get(shard))
          .isEqualTo(2L);
    }

    List<SseEvent> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      RedisBroker from = i % 2 == 0 ? nodeA : nodeB;
      sent.add(get(from.publish(channels.get(i % 3), SseEvent.of("e" + i))));
    }
    for (RecordingListener listener : List.of(a, b)) {
      List<RecordingListener.Received> received = listener.next(30);
      for (String channel : channels) {
        List<SseEvent> got =
            received.stream()
                .filter(r -> r.channel().equals(channel))
                .map(RecordingListener.Received::event)
                .toList();
        List<SseEvent> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          if (channels.get(i % 3).equals(channel)) {
            expected.add(sent.get(i));
          }
        }
        assertThat(got)
            .as("events of %s, in publish order", channel)
            .containsExactlyElementsOf(expected);
      }
      listener.expectNoMoreEvents();
    }
  }

  @Test
  void historyLivesOnTheChannelsShardAndReplays() {
    RedisBroker broker = broker(new RecordingListener(), false);
    for (int shard = 0; shard < 3; shard++) {
      String channel = channelOnShard("history", shard);
      String key = "ssehub:history:{" + channel + "}";
      assertThat(SlotHash.getSlot(key)).isEqualTo(SlotHash.getSlot(channel));

      String beginning = get(broker.history().lastId(channel));
      SseEvent e1 = get(broker.publish(channel, SseEvent.of("1")));
      SseEvent e2 = get(broker.publish(channel, SseEvent.builder().data("2").id("own").build()));
      SseEvent e3 = get(broker.publish(channel, SseEvent.of("3")));

      assertThat((Long) cluster.nodes().get(shard).command("XLEN", key)).isEqualTo(3);
      assertThat(get(broker.history().after(channel, beginning)))
          .isEqualTo(new Replay(true, List.of(e1, e2, e3)));
      assertThat(get(broker.history().after(channel, e1.id())))
          .isEqualTo(new Replay(true, List.of(e2, e3)));
      assertThat(get(broker.history().after(channel, "own")))
          .isEqualTo(new Replay(true, List.of(e3)));
      assertThat(get(broker.history().lastId(channel))).isEqualTo(e3.id());
    }
  }

  @Test
  void plainPubSubOnAClusterHearsFlaskSse() {
    RecordingListener listener = new RecordingListener();
    List<String> seeds = cluster.seedUris().stream().map(URI::getAuthority).toList();
    RedisBroker broker = RedisBroker.builder().cluster(seeds).shardedPubSub(false).build();
    brokers.add(broker);
    broker.start(listener);
    broker.connect();
    String channel = channelOnShard("plain", 2);
    get(broker.subscribe(channel));
    // flask-sse publishes with plain PUBLISH, on whichever node it is connected to.
    cluster
        .nodes()
        .get(0)
        .command("PUBLISH", channel, "{\"data\": \"from flask\", \"type\": \"t\"}");
    assertThat(listener.next(channel))
        .isEqualTo(SseEvent.builder().data("from flask").type("t").build());
    SseEvent stored = get(broker.publish(channel, SseEvent.of("from ssehub")));
    assertThat(listener.next(channel)).isEqualTo(stored);
  }

  @Test
  void connectionsPerNodeStayConstantWithManyChannels() {
    List<Integer> before = cluster.nodes().stream().map(RedisClusterIT::clients).toList();
    RedisBroker broker = broker(new RecordingListener(), false);
    for (int i = 0; i < 60; i++) {
      get(broker.subscribe(channelOnShard("many-" + i, i % 3)));
    }
    List<Integer> added = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      added.add(clients(cluster.nodes().get(n)) - before.get(n));
    }
    // Per node: one command and one pub/sub connection; the node Lettuce picked as default has
    // one more of each (the cluster connections' own default connections).
    assertThat(added).allSatisfy(count -> assertThat(count).isBetween(2, 4));
    assertThat(added.stream().mapToInt(Integer::intValue).sum())
        .as("connections of one broker: %s", added)
        .isLessThanOrEqualTo(8);
  }

  private static int clients(RedisServer node) {
    return (int)
        node.commandString("CLIENT", "LIST").lines().filter(line -> !line.isBlank()).count();
  }
}
