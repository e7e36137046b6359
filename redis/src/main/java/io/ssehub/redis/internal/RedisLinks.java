package io.ssehub.redis.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;

/**
 * A broker's connections: one for commands (publish script, history reads) and one for pub/sub,
 * whatever the number of channels and streams.
 *
 * <p>On Redis Cluster, Lettuce keeps one connection per node behind each of the two: commands are
 * routed by key slot, and {@code SSUBSCRIBE} goes to a pub/sub connection to the node serving the
 * channel's slot. Plain {@code SUBSCRIBE} stays on the pub/sub connection's default node (a plain
 * {@code PUBLISH} reaches every node of a cluster).
 */
public abstract class RedisLinks {
  /** Keys (channels, stream keys) as UTF-8 text; values (messages) as bytes, decoded by us. */
  public static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private RedisLinks() {}

  /** Commands: scripts and stream reads. */
  public abstract RedisClusterAsyncCommands<String, byte[]> commands();

  /** Subscribes the pub/sub connection; completes when Redis confirmed. */
  public abstract CompletableFuture<Void> subscribe(String redisChannel);

  public abstract CompletableFuture<Void> unsubscribe(String redisChannel);

  /**
   * Completes once every message that Redis had sent on the channel's pub/sub connection before now
   * has been handed to the listener: a PING on that connection, whose reply Redis queues behind
   * them and Lettuce reads after them (messages are delivered on Lettuce's I/O thread as they are
   * read). A history read followed by this barrier therefore never races a live message of an event
   * it already returned: without it, the reply on the command connection can overtake the message
   * on the pub/sub one, and a resuming client would get that event twice (ARCHITECTURE.md invariant
   * 6).
   *
   * <p>On a cluster with plain (not sharded) pub/sub, messages reach the subscribed node over the
   * cluster bus with no order relative to the command's node: there the barrier narrows the window
   * but cannot close it.
   */
  public abstract CompletableFuture<Void> barrier(String redisChannel);

  /** {@code PUBLISH} or {@code SPUBLISH}, to match {@link #subscribe}. */
  public abstract String publishCommand();

  /** Whether both connections are up (for a cluster: their default node connections). */
  public abstract boolean isOpen();

  /** Closes both connections; the client stays. */
  public abstract void close();

  /** Connects to one Redis (or the master that Sentinel names); throws if it cannot. */
  public static RedisLinks standalone(
      RedisClient client,
      RedisURI uri,
      boolean sharded,
      RedisPubSubListener<String, byte[]> messages) {
    StatefulRedisConnection<String, byte[]> commands = client.connect(CODEC, uri);
    StatefulRedisPubSubConnection<String, byte[]> pubSub;
    try {
      pubSub = client.connectPubSub(CODEC, uri);
    } catch (RuntimeException e) {
      commands.close();
      throw e;
    }
    pubSub.addListener(messages);
    return new PubSubLinks(commands.async(), commands, pubSub, sharded);
  }

  /** Connects to a Redis Cluster through its seed nodes; throws if it cannot. */
  public static RedisLinks cluster(
      RedisClusterClient client, boolean sharded, RedisPubSubListener<String, byte[]> messages) {
    StatefulRedisClusterConnection<String, byte[]> commands = client.connect(CODEC);
    StatefulRedisClusterPubSubConnection<String, byte[]> pubSub;
    try {
      pubSub = client.connectPubSub(CODEC);
    } catch (RuntimeException e) {
      commands.close();
      throw e;
    }
    pubSub.addListener(messages);
    try {
      // Connect to every master now: with commands rejected while a connection is not up, the
      // first command to a node that Lettuce only starts connecting to would fail.
      for (RedisClusterNode node : commands.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          // By host and port: the key Lettuce routes slots with (by node id would open others).
          commands.getConnection(node.getUri().getHost(), node.getUri().getPort());
          pubSub.getConnection(node.getUri().getHost(), node.getUri().getPort());
        }
      }
    } catch (RuntimeException e) {
      pubSub.close();
      commands.close();
      throw e;
    }
    return new PubSubLinks(commands.async(), commands, pubSub, sharded);
  }

  /** Shuts a client down without waiting long: its connections are closed already. */
  public static void shutdown(AbstractRedisClient client) {
    client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
  }

  private static final class PubSubLinks extends RedisLinks {
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final io.lettuce.core.api.StatefulConnection<String, byte[]> commandConnection;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private final boolean sharded;

    PubSubLinks(
        RedisClusterAsyncCommands<String, byte[]> commands,
        io.lettuce.core.api.StatefulConnection<String, byte[]> commandConnection,
        StatefulRedisPubSubConnection<String, byte[]> pubSub,
        boolean sharded) {
      this.commands = commands;
      this.commandConnection = commandConnection;
      this.pubSub = pubSub;
      this.sharded = sharded;
    }

    @Override
    public RedisClusterAsyncCommands<String, byte[]> commands() {
      return commands;
    }

    @Override
    public CompletableFuture<Void> subscribe(String redisChannel) {
      return (sharded
              ? pubSub.async().ssubscribe(redisChannel)
              : pubSub.async().subscribe(redisChannel))
          .toCompletableFuture();
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String redisChannel) {
      return (sharded
              ? pubSub.async().sunsubscribe(redisChannel)
              : pubSub.async().unsubscribe(redisChannel))
          .toCompletableFuture();
    }

    @Override
    public CompletableFuture<Void> barrier(String redisChannel) {
      StatefulRedisPubSubConnection<String, byte[]> carrier = pubSub;
      if (sharded
          && pubSub instanceof StatefulRedisClusterPubSubConnection<String, byte[]> cluster
          && commandConnection
              instanceof StatefulRedisClusterConnection<String, byte[]> clusterCommands) {
        // Sharded messages come from the node that serves the channel's slot.
        RedisClusterNode node =
            clusterCommands.getPartitions().getPartitionBySlot(SlotHash.getSlot(redisChannel));
        if (node != null) {
          carrier = cluster.getConnection(node.getUri().getHost(), node.getUri().getPort());
        }
      }
      return carrier.async().ping().toCompletableFuture().thenApply(pong -> null);
    }

    @Override
    public String publishCommand() {
      return sharded ? "SPUBLISH" : "PUBLISH";
    }

    @Override
    public boolean isOpen() {
      return commandConnection.isOpen() && pubSub.isOpen();
    }

    @Override
    public void close() {
      pubSub.close();
      commandConnection.close();
    }
  }
}
