package io.ssehub.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.ssehub.core.Broker;
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.History;
import io.ssehub.core.Replay;
import io.ssehub.core.SseEvent;
import io.ssehub.redis.internal.FlaskSseCodec;
import io.ssehub.redis.internal.HistoryReplies;
import io.ssehub.redis.internal.MalformedMessageLog;
import io.ssehub.redis.internal.RedisLinks;
import io.ssehub.redis.internal.RedisUriSecrets;
import io.ssehub.redis.internal.Scripts;
import io.ssehub.redis.internal.StreamId;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Broker} on Redis: events travel over Redis pub/sub between the hubs of all nodes, and
 * each channel's history is a Redis Stream. Reads and writes flask-sse's messages, so that
 * flask-sse apps and ssehub nodes can share channels.
 *
 * <pre>{@code
 * RedisBroker broker = RedisBroker.builder().uri("redis://:secret@redis:6379/0").build();
 * broker.connect(Duration.ofSeconds(30));      // or connect(): fail at once if Redis is down
 * SseHub hub = SseHub.builder().broker(broker).build();
 * }</pre>
 *
 * <h2>Redis layout</h2>
 *
 * For the ssehub channel {@code C} and no channel prefix (the default), the Redis channel {@code R}
 * is {@code C} itself, as flask-sse names it; with the channel prefix {@code P}, {@code R} is
 * {@code P + "|" + C}. Channel names cannot hold {@code |} (see {@code ChannelNames}), so a
 * prefixed name is never an unprefixed hub's channel (an unprefixed hub's {@code app:x} stays
 * {@code app:x}, the {@code x} of the prefix {@code app:} is {@code app:|x}), and the text after
 * the last {@code |} is always the channel, so two prefixes never share a name either. flask-sse
 * apps sharing channels with a prefixed hub use the prefixed names.
 *
 * <ul>
 *   <li>pub/sub channel {@code R}: one JSON message per event, as flask-sse's {@code sse.publish}
 *       writes it ({@code {"data": ..., "id": ..., "retry": ..., "type": ...}}, see {@link
 *       FlaskSseCodec}); flask-sse's readers and publishers work unchanged on it;
 *   <li>history stream {@code "ssehub:history:{" + R + "}"}, and with a prefix {@code P +
 *       "|ssehub:history:{" + R + "}"}: one entry per event, field {@code m} holding the message.
 *       An event published without an id takes its entry's id ({@code 1732570000000-0}) as its own:
 *       the published copy carries it in {@code "id"}; the entry does not repeat it (a script
 *       cannot know the id before {@code XADD} gives it). The stream is trimmed to the history
 *       size, age and bytes at each publish (exact {@code MAXLEN} and {@code MINID}, so that
 *       history means what the settings say), and expires when its channel has been idle for the
 *       history age. A read returns at most the history's bytes too;
 *   <li>byte counter, a hash: the history key with {@code :bytes} after it, so in the same slot:
 *       the stream's bytes and the length they were counted at (counted again from the entries when
 *       the length differs); it expires with the stream.
 * </ul>
 *
 * The key's hash tag is the whole Redis channel name, so on Redis Cluster the stream and the
 * channel hash to the same slot and one script appends and {@code SPUBLISH}es on one shard; two
 * keys differ whenever their channels do. Every prefixed name starts with the prefix, so Redis ACLs
 * on {@code P*} cover a prefixed hub. Channel names cannot hold braces; a prefix holding them is
 * refused.
 *
 * <h2>Connections</h2>
 *
 * One connection for commands and one for pub/sub, whatever the number of channels and streams (on
 * a cluster, Lettuce keeps one of each per node it needs; ARCHITECTURE.md invariant 10). The hub
 * subscribes each channel once (invariant 1); the broker keeps its own registry of channels and,
 * after Lettuce reconnects (with back-off, up to {@value #MAX_RECONNECT_DELAY_SECONDS} s between
 * tries), subscribes every one again and only then reports {@code onConnectionChanged(true)}.
 * Commands sent while disconnected fail at once, and every command has {@link
 * Builder#commandTimeout a timeout}: a publish either succeeds or fails with {@link
 * BrokerUnavailableException}, it never hangs.
 *
 * <h2>What it does not do</h2>
 *
 * <ul>
 *   <li>Events that a flask-sse app publishes straight onto the channel have no history entry: they
 *       are delivered live (with their own id, if any) but a resuming client does not get them
 *       again.
 *   <li>On a cluster with sharded pub/sub (the default there), flask-sse apps, which use plain
 *       {@code PUBLISH}, are not heard; use {@code shardedPubSub(false)} to share channels with
 *       them.
 *   <li>A publish that times out may still have been applied by Redis: the publisher is told it
 *       failed, and a retry may store the event twice.
 *   <li>Subscriptions are not moved when cluster slots migrate to another node.
 * </ul>
 *
 * <p>Needs Redis 6.2 or newer; 7.0 or newer for sharded pub/sub and exact replay completeness.
 * Thread-safe.
 */
public final class RedisBroker implements Broker {
  private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

  /** The number of events kept per channel, by default. */
  public static final int DEFAULT_HISTORY_SIZE = 1000;

  /** The age after which events leave history, by default. */
  public static final Duration DEFAULT_HISTORY_TTL = Duration.ofHours(1);

  /** The most bytes of events kept per channel, by default: 64 MiB. */
  public static final long DEFAULT_HISTORY_MAX_BYTES = 64L * 1024 * 1024;

  /** How long a Redis command may take before it fails, by default. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** The largest {@code data} accepted from Redis, in UTF-8 bytes, by default. */
  public static final int DEFAULT_MAX_DATA_BYTES = FlaskSseCodec.DEFAULT_MAX_DATA_BYTES;

  /** The URI flask-sse's defaults amount to. */
  public static final String DEFAULT_URI = "redis://localhost:6379/0";

  /**
   * Joins a channel prefix and a channel name into a Redis channel name: a character that channel
   * names cannot hold, so that prefixed and unprefixed hubs on one Redis never share a channel.
   */
  public static final char PREFIX_SEPARATOR = '|';

  /** The most the broker waits between two reconnection attempts. */
  public static final int MAX_RECONNECT_DELAY_SECONDS = 5;

  private static final String CLUSTER_SCHEME = "redis-cluster://";
  private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

  private final Settings settings;
  private final FlaskSseCodec codec;
  private final HistoryReplies replies;
  private final MalformedMessageLog malformed;
  private final History history = new RedisHistory();
  private final ScheduledExecutorService events;

  /** The channels the hub asked for, and whether Redis confirmed each. */
  private final Map<String, ChannelSubscription> subscriptions = new ConcurrentHashMap<>();

  /** Channels whose UNSUBSCRIBE may not have reached Redis (sent while disconnected). */
  private final Set<String> unsubscribing = ConcurrentHashMap.newKeySet();

  /**
   * Every Redis connection of this broker, and whether it is up: written on Lettuce's I/O threads.
   */
  private final Map<RedisChannelHandler<?, ?>, Boolean> connectionsUp = new ConcurrentHashMap<>();

  /** Bumped at each lost connection: a resubscription started before is stale. */
  private final AtomicLong generation = new AtomicLong();

  // Written under this (connect, close), read by any thread.
  private volatile AbstractRedisClient client;
  private volatile ClientResources resources;
  private volatile RedisLinks links;
  private volatile boolean closed;

  private volatile Listener listener;

  /** Connected and every subscription restored: what {@link #isConnected()} says. */
  private volatile boolean ready;

  /** What the listener was last told. Only the {@code events} thread touches it. */
  private boolean reported;

  /** The generation a resubscription runs for, or -1. Only the {@code events} thread touches it. */
  private long reconcilingGeneration = -1;

  /** Completes when that resubscription ends. Only the {@code events} thread touches it. */
  private CompletableFuture<Void> reconciling = CompletableFuture.completedFuture(null);

  private RedisBroker(Settings settings) {
    this.settings = settings;
    this.codec = new FlaskSseCodec(settings.maxDataBytes);
    this.malformed =
        new MalformedMessageLog(log::warn, System::nanoTime, MalformedMessageLog.DEFAULT_INTERVAL);
    this.replies = new HistoryReplies(codec, malformed::skipped);
    this.events =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ssehub-redis-events");
              thread.setDaemon(true);
              return thread;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder set from flask-sse's environment variables: {@code SSE_REDIS_URL}, or else {@code
   * SSE_REDIS_HOST}, {@code SSE_REDIS_PORT} and {@code SSE_REDIS_DB} (defaults {@code localhost},
   * {@code 6379}, {@code 0}); null when none of them is set.
   *
   * @throws IllegalArgumentException for a port or db that is not a number
   */
  public static Builder fromFlaskSseEnvironment(Map<String, String> env) {
    String url = blankToNull(env.get("SSE_REDIS_URL"));
    if (url != null) {
      return builder().uri(url);
    }
    String host = blankToNull(env.get("SSE_REDIS_HOST"));
    String port = blankToNull(env.get("SSE_REDIS_PORT"));
    String db = blankToNull(env.get("SSE_REDIS_DB"));
    if (host == null && port == null && db == null) {
      return null;
    }
    int portNumber = parseInt("SSE_REDIS_PORT", port, 6379, 1, 65535);
    int dbNumber = parseInt("SSE_REDIS_DB", db, 0, 0, Integer.MAX_VALUE);
    String hostPart =
        host == null
            ? "localhost"
            : host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return builder().uri("redis://" + hostPart + ":" + portNumber + "/" + dbNumber);
  }

  /**
   * {@code uri} with every password replaced by {@code ***}: {@code redis://:secret@host:6379/0}
   * gives {@code redis://:***@host:6379/0}; {@code redis://user:pw@h} gives {@code
   * redis://user:***@h}; a lone {@code redis://secret@h} (Redis URIs take that as the password)
   * gives {@code redis://***@h}; {@code redis://h?password=pw} gives {@code
   * redis://h?password=***}; the same for {@code rediss://}, {@code redis-sentinel://}, {@code
   * redis-cluster://} and a cluster seed list ({@code :pw@h:7000,h:7001}). The user info runs to
   * the last {@code @}, so a password holding {@code @} or {@code /} is masked whole.
   */
  public static String maskPassword(String uri) {
    return RedisUriSecrets.mask(uri);
  }

  // ---- connecting

  /**
   * Connects now: both connections, then the subscriptions asked for so far.
   *
   * @throws RedisUnavailableException if Redis cannot be reached (the message names the URI, with
   *     its password masked, and why)
   * @throws IllegalStateException if the broker is closed
   */
  public synchronized void connect() {
    if (closed) {
      throw new IllegalStateException("RedisBroker " + describe() + " is closed");
    }
    if (links != null) {
      return;
    }
    if (client == null) {
      client = newClient();
      client.addListener(new ConnectionStates());
    }
    Messages messages = new Messages();
    RedisLinks connected;
    try {
      connected =
          settings.cluster != null
              ? RedisLinks.cluster((RedisClusterClient) client, settings.sharded, messages)
              : RedisLinks.standalone(
                  (RedisClient) client, settings.uri, settings.sharded, messages);
    } catch (RuntimeException e) {
      throw new RedisUnavailableException(
          "Cannot connect to Redis at " + settings.display + ": " + reason(e), e);
    }
    links = connected;
    // Restore what the hub subscribed before connect(), and be ready before returning.
    CompletableFuture<Void> restored = new CompletableFuture<>();
    events.execute(() -> reconcile(restored));
    try {
      restored.get(settings.commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "Connected to Redis at {}, but could not subscribe yet ({}); retrying in the background",
          settings.display,
          reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException(
          "Interrupted while connecting to Redis at " + settings.display, e);
    }
  }

  /**
   * Connects, trying again with back-off until {@code wait} has passed (for deployments where Redis
   * starts at the same time as the hub).
   *
   * @throws RedisUnavailableException with the last reason if Redis could not be reached in time
   */
  public void connect(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    long delayMillis = 100;
    while (true) {
      try {
        connect();
        return;
      } catch (RedisUnavailableException e) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new RedisUnavailableException(
              e.getMessage() + " (kept trying for " + wait + ")", e.getCause());
        }
        log.info("{}; trying again", e.getMessage());
        try {
          Thread.sleep(
              Math.min(delayMillis, left)); // a retry loop on the caller's thread, by design
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        delayMillis = Math.min(delayMillis * 2, 2000);
      }
    }
  }

  private AbstractRedisClient newClient() {
    resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                () ->
                    Delay.exponential(
                        Duration.ofMillis(50),
                        Duration.ofSeconds(MAX_RECONNECT_DELAY_SECONDS),
                        2,
                        TimeUnit.MILLISECONDS))
            .build();
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(settings.commandTimeout).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(settings.commandTimeout);
    if (settings.cluster != null) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, settings.cluster);
      cluster.setOptions(
          ClusterClientOptions.builder()
              .autoReconnect(true)
              // Fail fast rather than queue: a publish must succeed or fail, not wait for Redis.
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(timeouts)
              .socketOptions(socket)
              // Lettuce 7 refreshes the topology on MOVED/ASK and reconnects by default; add a
              // periodic refresh.
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enablePeriodicRefresh(Duration.ofSeconds(30))
                      .build())
              .build());
      return cluster;
    }
    RedisClient standalone = RedisClient.create(resources);
    standalone.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(timeouts)
            .socketOptions(socket)
            .build());
    return standalone;
  }

  // ---- Broker

  @Override
  public void start(Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public CompletableFuture<SseEvent> publish(String channel, SseEvent event) {
    RedisLinks current = links;
    if (current == null) {
      return CompletableFuture.failedFuture(
          unavailable(
              "publish to " + channel,
              closed ? "the broker is closed" : "not connected (call connect())",
              null));
    }
    FlaskSseCodec.Encoded encoded = FlaskSseCodec.encode(event);
    String redisChannel = redisChannel(channel);
    return eval(
            current,
            Scripts.PUBLISH,
            ScriptOutputType.VALUE,
            historyKey(redisChannel),
            redisChannel,
            encoded.head(),
            encoded.tail(),
            encoded.hasId() ? "0" : "1",
            Integer.toString(settings.historySize),
            Long.toString(settings.historyTtl.toMillis()),
            current.publishCommand(),
            Long.toString(settings.historyMaxBytes))
        .handle(
            (entryId, failure) -> {
              if (failure != null) {
                throw unavailable("publish to " + channel, reason(failure), failure);
              }
              return event.id() != null ? event : event.withId(text(entryId));
            });
  }

  @Override
  public CompletableFuture<Void> subscribe(String channel) {
    ChannelSubscription created = new ChannelSubscription(channel);
    ChannelSubscription existing = subscriptions.putIfAbsent(channel, created);
    if (existing != null) {
      return existing.confirmed.copy();
    }
    unsubscribing.remove(channel);
    RedisLinks current = links;
    if (current != null) {
      send(current, created);
    } // else: connect() subscribes it
    return created.confirmed.copy();
  }

  @Override
  public CompletableFuture<Void> unsubscribe(String channel) {
    ChannelSubscription removed = subscriptions.remove(channel);
    if (removed == null) {
      return CompletableFuture.completedFuture(null);
    }
    // Nobody waits for it any more; a waiting stream was closed.
    removed.confirmed.complete(null);
    malformed.forget(channel);
    unsubscribing.add(channel);
    RedisLinks current = links;
    if (current == null) {
      return CompletableFuture.completedFuture(null);
    }
    return current
        .unsubscribe(redisChannel(channel))
        .handle(
            (ok, failure) -> {
              if (failure == null && !subscriptions.containsKey(channel)) {
                unsubscribing.remove(channel);
              } // else: sent again once the connection is back
              return null;
            });
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public boolean isConnected() {
    return ready && !closed;
  }

  @Override
  public String describe() {
    return "redis "
        + settings.display
        + " ("
        + (settings.sharded ? "sharded pub/sub" : "pub/sub")
        + (settings.prefix.isEmpty() ? "" : ", channel prefix " + settings.prefix)
        + ", history: "
        + settings.historySize
        + " events, "
        + settings.historyMaxBytes
        + " bytes, "
        + settings.historyTtl
        + ")";
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ready = false;
    events.shutdownNow();
    RedisLinks current = links;
    links = null;
    try {
      if (current != null) {
        current.close();
      }
    } finally {
      if (client != null) {
        RedisLinks.shutdown(client);
      }
      if (resources != null) {
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
      }
    }
    for (ChannelSubscription subscription : subscriptions.values()) {
      subscription.confirmed.completeExceptionally(
          unavailable("subscribe " + subscription.channel, "the broker is closed", null));
    }
  }

  @Override
  public String toString() {
    return "RedisBroker{" + describe() + "}";
  }

  /**
   * The Redis channel of an ssehub channel: the channel, or the prefix, {@code |} and the channel
   * (see the class doc).
   */
  String redisChannel(String channel) {
    return settings.channelHead + channel;
  }

  /**
   * The history stream of a Redis channel: its hash tag is the channel name (see the class doc).
   */
  String historyKey(String redisChannel) {
    return settings.channelHead + "ssehub:history:{" + redisChannel + "}";
  }

  /**
   * The hash that keeps a history stream's byte total, in the stream's hash slot (see the class
   * doc).
   */
  static String byteCounterKey(String historyKey) {
    return historyKey + ":bytes";
  }

  // ---- subscriptions

  /**
   * Sends SUBSCRIBE for one channel. Confirmed: the hub's future completes. Refused by Redis (an
   * ACL, say): the future fails. Lost to a disconnection: it stays pending, and the resubscription
   * after reconnecting sends it again. Timed out on a live connection: sent again a little later.
   */
  private CompletableFuture<Void> send(RedisLinks current, ChannelSubscription subscription) {
    return current
        .subscribe(redisChannel(subscription.channel))
        .handle(
            (ok, failure) -> {
              if (failure == null) {
                subscription.confirmed.complete(null);
                return null;
              }
              Throwable cause = unwrap(failure);
              if (cause instanceof RedisCommandExecutionException
                  && subscriptions.get(subscription.channel) == subscription) {
                subscriptions.remove(subscription.channel, subscription);
                subscription.confirmed.completeExceptionally(
                    unavailable("subscribe " + subscription.channel, reason(cause), cause));
              } else if (!closed
                  && current.isOpen()
                  && subscriptions.get(subscription.channel) == subscription) {
                events.schedule(
                    () -> {
                      RedisLinks now = links;
                      if (now != null
                          && !subscription.confirmed.isDone()
                          && subscriptions.get(subscription.channel) == subscription) {
                        send(now, subscription);
                      }
                    },
                    RETRY_DELAY.toMillis(),
                    TimeUnit.MILLISECONDS);
              }
              throw new CompletionException(cause);
            });
  }

  /**
   * Runs on {@code events} once every connection is up: subscribes every channel again (Lettuce
   * resubscribes the ones it had confirmed, but not those asked for while disconnected, and its
   * futures are not ours to wait for; SUBSCRIBE is idempotent), sends lost UNSUBSCRIBEs again, then
   * reports the broker connected: the hub's catch-up then reads history knowing that live events
   * flow again (ARCHITECTURE.md invariants 1 and 7).
   */
  private void reconcile(CompletableFuture<Void> done) {
    RedisLinks current = links;
    long gen = generation.get();
    if (closed || current == null) {
      done.complete(null);
      return;
    }
    if (reconcilingGeneration == gen) {
      reconciling.whenComplete((ok, failure) -> done.complete(null)); // already on its way
      return;
    }
    reconcilingGeneration = gen;
    CompletableFuture<Void> finished = new CompletableFuture<>();
    reconciling = finished;
    finished.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            done.completeExceptionally(failure);
          } else {
            done.complete(null);
          }
        });
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (ChannelSubscription subscription : subscriptions.values()) {
      sent.add(send(current, subscription));
    }
    for (String channel : unsubscribing) {
      if (!subscriptions.containsKey(channel)) {
        current
            .unsubscribe(redisChannel(channel))
            .thenRun(
                () -> {
                  if (!subscriptions.containsKey(channel)) {
                    unsubscribing.remove(channel);
                  }
                });
      }
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .orTimeout(settings.commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS)
        .whenComplete(
            (ok, failure) ->
                execute(
                    () -> {
                      if (reconcilingGeneration == gen) {
                        reconcilingGeneration = -1;
                      }
                      if (closed || generation.get() != gen) {
                        finished.complete(
                            null); // lost again meanwhile: the next reconnection starts over
                        return;
                      }
                      if (failure != null) {
                        log.warn(
                            "Could not restore the subscriptions on Redis at {} ({}); trying again",
                            settings.display,
                            reason(failure));
                        events.schedule(
                            () -> reconcile(new CompletableFuture<>()),
                            RETRY_DELAY.toMillis(),
                            TimeUnit.MILLISECONDS);
                        finished.completeExceptionally(failure);
                        return;
                      }
                      if (allUp()) {
                        ready = true;
                        report(true);
                      }
                      finished.complete(null);
                    }));
  }

  private boolean allUp() {
    RedisLinks current = links;
    if (current == null || !current.isOpen()) {
      return false;
    }
    for (Map.Entry<RedisChannelHandler<?, ?>, Boolean> connection : connectionsUp.entrySet()) {
      if (connection.getKey().isClosed()) {
        connectionsUp.remove(connection.getKey()); // a cluster node connection Lettuce let go
      } else if (!connection.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Tells the listener, once per change. Only on {@code events}. */
  private void report(boolean connected) {
    if (closed || reported == connected) {
      return;
    }
    reported = connected;
    log.info(
        "Redis at {} {}",
        settings.display,
        connected ? "connected, subscriptions restored" : "disconnected");
    Listener current = listener;
    if (current != null) {
      try {
        current.onConnectionChanged(connected);
      } catch (RuntimeException e) {
        log.warn("Broker listener failed on onConnectionChanged({})", connected, e);
      }
    }
  }

  private void execute(Runnable task) {
    try {
      events.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // close() ran: nothing to tell any more
    }
  }

  /** Follows every connection of this broker (on a cluster, node connections too). */
  private final class ConnectionStates implements RedisConnectionStateListener {
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      Boolean before = connectionsUp.put(connection, true);
      // A reconnection, or a new connection while not ready: see whether all is back.
      if (!Boolean.TRUE.equals(before)) {
        execute(
            () -> {
              if (!ready && allUp()) {
                reconcile(new CompletableFuture<>());
              }
            });
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      connectionsUp.put(connection, false);
      if (closed || connection.isClosed()) {
        return;
      }
      generation.incrementAndGet();
      ready = false;
      execute(() -> report(false));
    }
  }

  /**
   * Messages from Redis, on Lettuce's I/O thread: in order per channel (ARCHITECTURE.md invariant
   * 3), never blocking.
   */
  private final class Messages extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String redisChannel, byte[] message) {
      deliver(redisChannel, message);
    }

    @Override
    public void smessage(String redisChannel, byte[] message) {
      deliver(redisChannel, message);
    }

    private void deliver(String redisChannel, byte[] message) {
      if (!redisChannel.startsWith(settings.channelHead)) {
        return;
      }
      String channel = redisChannel.substring(settings.channelHead.length());
      Listener current = listener;
      if (current == null || !subscriptions.containsKey(channel)) {
        return; // unsubscribed meanwhile
      }
      FlaskSseCodec.Decoded decoded = codec.decode(message, null);
      if (!decoded.ok()) {
        malformed.skipped(channel, decoded.problem());
        return;
      }
      try {
        current.onEvent(channel, decoded.event());
      } catch (RuntimeException e) {
        log.warn("Broker listener failed on an event of channel {}", channel, e);
      }
    }
  }

  /** A channel the hub subscribed; {@code confirmed} completes once Redis confirmed it. */
  private static final class ChannelSubscription {
    final String channel;
    final CompletableFuture<Void> confirmed = new CompletableFuture<>();

    ChannelSubscription(String channel) {
      this.channel = channel;
    }
  }

  // ---- history

  private final class RedisHistory implements History {
    @Override
    public CompletableFuture<String> lastId(String channel) {
      RedisLinks current = links;
      if (current == null) {
        return CompletableFuture.failedFuture(
            unavailable("read history of " + channel, "not connected", null));
      }
      return RedisBroker.this
          .<Object>eval(
              current,
              Scripts.LAST_ID,
              ScriptOutputType.VALUE,
              historyKey(redisChannel(channel)),
              Long.toString(settings.historyTtl.toMillis()))
          .thenCompose(id -> current.barrier(redisChannel(channel)).thenApply(ignored -> id))
          .handle(
              (id, failure) -> {
                if (failure != null) {
                  throw unavailable("read history of " + channel, reason(failure), failure);
                }
                String last = text(id);
                return last.isEmpty() ? StreamId.ZERO.toString() : last;
              });
    }

    @Override
    public CompletableFuture<Replay> after(String channel, String lastEventId) {
      RedisLinks current = links;
      if (current == null) {
        return CompletableFuture.failedFuture(
            unavailable("read history of " + channel, "not connected", null));
      }
      String key = historyKey(redisChannel(channel));
      String ttl = Long.toString(settings.historyTtl.toMillis());
      String maxBytes = Long.toString(settings.historyMaxBytes);
      StreamId streamId = StreamId.parse(lastEventId);
      CompletableFuture<Replay> replay;
      if (streamId != null) {
        replay =
            this.<List<Object>>runAfter(current, key, ttl, "range", "(" + streamId, maxBytes)
                .thenCompose(
                    reply -> {
                      Replay byId = replies.afterStreamId(channel, streamId, reply);
                      // Not ours after all? A publisher may use ids that look like stream ids.
                      return byId.complete()
                          ? CompletableFuture.completedFuture(byId)
                          : find(current, channel, key, ttl, lastEventId);
                    });
      } else {
        replay = find(current, channel, key, ttl, lastEventId);
      }
      // See RedisLinks.barrier: no live message of a returned event may arrive after the reply.
      return replay
          .thenCompose(
              result -> current.barrier(redisChannel(channel)).thenApply(ignored -> result))
          .handle(
              (result, failure) -> {
                if (failure != null) {
                  Throwable cause = unwrap(failure);
                  throw cause instanceof BrokerUnavailableException unavailable
                      ? unavailable
                      : unavailable("read history of " + channel, reason(cause), cause);
                }
                return result;
              });
    }

    private CompletableFuture<Replay> find(
        RedisLinks current, String channel, String key, String ttl, String id) {
      return this.<List<Object>>runAfter(
              current,
              key,
              ttl,
              "find",
              HistoryReplies.idNeedle(id),
              Long.toString(settings.historyMaxBytes))
          .thenApply(reply -> replies.afterFound(channel, reply));
    }

    private <T> CompletableFuture<T> runAfter(RedisLinks current, String key, String... args) {
      return RedisBroker.this.eval(current, Scripts.AFTER, ScriptOutputType.MULTI, key, args);
    }
  }

  // ---- scripts

  /**
   * EVALSHA, and EVAL when Redis does not have the script yet (NOSCRIPT: restarted, or another
   * node). Every script runs on a history stream and its byte counter.
   */
  private <T> CompletableFuture<T> eval(
      RedisLinks current,
      Scripts.Script script,
      ScriptOutputType type,
      String key,
      String... args) {
    String[] keys = {key, byteCounterKey(key)};
    byte[][] values = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      values[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    CompletableFuture<T> first =
        current.commands().<T>evalsha(script.sha1(), type, keys, values).toCompletableFuture();
    return first
        .handle(
            (result, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(result);
              }
              if (unwrap(failure) instanceof RedisNoScriptException) {
                return current
                    .commands()
                    .<T>eval(script.source(), type, keys, values)
                    .toCompletableFuture();
              }
              return CompletableFuture.<T>failedFuture(unwrap(failure));
            })
        .thenCompose(future -> future);
  }

  // ---- errors

  private BrokerUnavailableException unavailable(String what, String why, Throwable cause) {
    return new BrokerUnavailableException(
        "Redis at " + settings.display + " could not " + what + ": " + why, cause);
  }

  private String reason(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException) {
      return "no answer within " + settings.commandTimeout;
    }
    StringBuilder why = new StringBuilder(String.valueOf(cause.getMessage()));
    Throwable root = cause.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null && !why.toString().contains(root.getMessage())) {
      why.append(" (").append(root.getMessage()).append(')');
    }
    return RedisUriSecrets.maskText(why.toString(), settings.secrets);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return value == null ? "" : value.toString();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static int parseInt(String name, String value, int otherwise, int min, int max) {
    if (value == null) {
      return otherwise;
    }
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + ": " + value + " (expected: an integer from " + min + " to " + max + ")");
  }

  // ---- settings

  /** What a builder produced: checked and immutable. */
  private record Settings(
      RedisURI uri,
      List<RedisURI> cluster,
      String display,
      List<String> secrets,
      String prefix,
      String channelHead,
      int historySize,
      long historyMaxBytes,
      Duration historyTtl,
      boolean sharded,
      Duration commandTimeout,
      int maxDataBytes) {}

  /**
   * Settings of a broker; {@link #build()} checks them and does not connect. Every setting has a
   * default ({@code DEFAULT_*} on {@link RedisBroker}).
   */
  public static final class Builder {
    private String uri;
    private List<String> cluster;
    private String channelPrefix = "";
    private int historySize = DEFAULT_HISTORY_SIZE;
    private long historyMaxBytes = DEFAULT_HISTORY_MAX_BYTES;
    private Duration historyTtl = DEFAULT_HISTORY_TTL;
    private Boolean shardedPubSub;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private int maxDataBytes = DEFAULT_MAX_DATA_BYTES;
    private String clientName;

    private Builder() {}

    /**
     * The name this broker's connections carry ({@code CLIENT SETNAME}), so that an operator can
     * tell them apart in {@code CLIENT LIST}. Default none. Letters, digits and {@code -_.:} only.
     */
    public Builder clientName(String clientName) {
      if (clientName != null && !clientName.matches("[A-Za-z0-9_.:-]{1,64}")) {
        throw new IllegalArgumentException(
            "clientName: \"" + clientName + "\" (expected: 1 to 64 letters, digits or -_.:)");
      }
      this.clientName = clientName;
      return this;
    }

    /**
     * Where Redis is, as Lettuce reads URIs: {@code redis://[user:password@]host[:port][/db]},
     * {@code rediss://...} (TLS), {@code
     * redis-sentinel://[password@]host[:port][,host2[:port2]][/db]#master}; or {@code
     * redis-cluster://[user:password@]host:port[,host:port...]} for a Redis Cluster through these
     * seed nodes. Default {@value RedisBroker#DEFAULT_URI}.
     */
    public Builder uri(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** A Redis Cluster, through these seed nodes ({@code host:port}), instead of {@link #uri}. */
    public Builder cluster(List<String> seedNodes) {
      if (seedNodes.isEmpty()) {
        throw new IllegalArgumentException("cluster: [] (expected: at least one host:port)");
      }
      this.cluster = List.copyOf(seedNodes);
      return this;
    }

    /**
     * Put in front of every ssehub channel name, joined by {@value RedisBroker#PREFIX_SEPARATOR},
     * to make the Redis channel name (and history keys), for Redis servers shared with other apps
     * or hubs: the prefix {@code app:} makes channel {@code x} the Redis channel {@code app:|x},
     * which no unprefixed hub's channel can be. Default none, as flask-sse. Must not hold {@code {}
     * or {@code }} (they would change the cluster hash slot of history keys).
     */
    public Builder channelPrefix(String channelPrefix) {
      Objects.requireNonNull(channelPrefix, "channelPrefix");
      if (channelPrefix.indexOf('{') >= 0 || channelPrefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException(
            "channelPrefix: \""
                + channelPrefix
                + "\" (expected: no '{' or '}', which would change the cluster hash slot of history keys)");
      }
      this.channelPrefix = channelPrefix;
      return this;
    }

    /** Events kept per channel for resuming clients; 0 keeps none. */
    public Builder historySize(int historySize) {
      if (historySize < 0) {
        throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 0)");
      }
      this.historySize = historySize;
      return this;
    }

    /**
     * The most bytes of events kept per channel (the messages as stored in Redis): past it the
     * oldest leave history, and a resume from before them is told that history was cut. Also the
     * most one history read brings into this node's memory. Default 64 MiB.
     */
    public Builder historyMaxBytes(long historyMaxBytes) {
      if (historyMaxBytes <= 0) {
        throw new IllegalArgumentException(
            "historyMaxBytes: " + historyMaxBytes + " (expected: > 0)");
      }
      this.historyMaxBytes = historyMaxBytes;
      return this;
    }

    /** How long events stay in history; an idle channel's history goes away after this too. */
    public Builder historyTtl(Duration historyTtl) {
      if (historyTtl.toMillis() < 1) {
        throw new IllegalArgumentException(
            "historyTtl: " + historyTtl + " (expected: at least 1 ms)");
      }
      this.historyTtl = historyTtl;
      return this;
    }

    /**
     * Sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH}, Redis 7): each channel lives on the
     * shard of its slot instead of being broadcast to every node. Default true on a cluster, false
     * otherwise. flask-sse apps publish with plain {@code PUBLISH}, which sharded subscribers do
     * not hear.
     */
    public Builder shardedPubSub(boolean shardedPubSub) {
      this.shardedPubSub = shardedPubSub;
      return this;
    }

    /** How long a Redis command (a publish, a history read) may take before it fails. */
    public Builder commandTimeout(Duration commandTimeout) {
      if (commandTimeout.toMillis() < 1) {
        throw new IllegalArgumentException(
            "commandTimeout: " + commandTimeout + " (expected: at least 1 ms)");
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * The largest {@code data} accepted from a Redis message, in UTF-8 bytes; larger ones are
     * skipped.
     */
    public Builder maxDataBytes(int maxDataBytes) {
      if (maxDataBytes < 1) {
        throw new IllegalArgumentException("maxDataBytes: " + maxDataBytes + " (expected: > 0)");
      }
      this.maxDataBytes = maxDataBytes;
      return this;
    }

    /**
     * A broker with these settings, not connected yet: call {@link RedisBroker#connect()}.
     *
     * @throws IllegalArgumentException for a URI Lettuce cannot read, or both a URI and cluster
     *     nodes
     */
    public RedisBroker build() {
      if (uri != null && cluster != null) {
        throw new IllegalArgumentException("uri and cluster: both set (expected: one of them)");
      }
      List<RedisURI> seeds = null;
      RedisURI single = null;
      String display;
      if (cluster != null) {
        seeds = new ArrayList<>();
        for (String node : cluster) {
          seeds.add(
              parse(
                  "redis://" + node, "cluster: " + maskPassword(node) + " (expected: host:port)"));
        }
        display = "cluster " + maskPassword(String.join(",", cluster));
      } else {
        String text = uri != null ? uri : DEFAULT_URI;
        if (text.startsWith(CLUSTER_SCHEME)) {
          seeds = clusterSeeds(text);
          display = maskPassword(text);
        } else {
          single = parse(text, null);
          display = maskPassword(text);
        }
      }
      for (RedisURI each : seeds != null ? seeds : List.of(single)) {
        each.setTimeout(commandTimeout);
        if (clientName != null) {
          each.setClientName(clientName);
        }
      }
      boolean sharded = shardedPubSub != null ? shardedPubSub : seeds != null;
      List<String> secrets =
          RedisUriSecrets.secrets(
              cluster != null ? String.join(",", cluster) : uri != null ? uri : DEFAULT_URI);
      return new RedisBroker(
          new Settings(
              single,
              seeds == null ? null : List.copyOf(seeds),
              display,
              secrets,
              channelPrefix,
              channelPrefix.isEmpty() ? "" : channelPrefix + PREFIX_SEPARATOR,
              historySize,
              historyMaxBytes,
              historyTtl,
              sharded,
              commandTimeout,
              maxDataBytes));
    }

    /**
     * {@code redis-cluster://[userinfo@]h:p,h:p[/...]}: each seed as a {@code redis://} URI with
     * the user info.
     */
    private static List<RedisURI> clusterSeeds(String text) {
      String rest = text.substring(CLUSTER_SCHEME.length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        rest = rest.substring(0, slash);
      }
      String userInfo = "";
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        userInfo = rest.substring(0, at + 1);
        rest = rest.substring(at + 1);
      }
      List<RedisURI> seeds = new ArrayList<>();
      for (String node : rest.split(",")) {
        if (node.isBlank()) {
          continue;
        }
        seeds.add(
            parse(
                "redis://" + userInfo + node.trim(),
                "uri: "
                    + maskPassword(text)
                    + " (expected: redis-cluster://[user:password@]host:port[,host:port...])"));
      }
      if (seeds.isEmpty()) {
        throw new IllegalArgumentException(
            "uri: "
                + maskPassword(text)
                + " (expected: redis-cluster://[user:password@]host:port[,host:port...])");
      }
      return seeds;
    }

    /**
     * Lettuce's reading of a URI. Its error message may quote the URI, password included: ours
     * masks it, and the cause is left out for the same reason.
     */
    private static RedisURI parse(String text, String problem) {
      try {
        RedisURI parsed = RedisURI.create(text);
        if (parsed.getHost() == null
            && parsed.getSentinels().isEmpty()
            && parsed.getSocket() == null) {
          throw new IllegalArgumentException("no host");
        }
        String host = parsed.getHost();
        if (host != null && host.indexOf(':') >= 0 && !host.matches("[0-9a-fA-F:.]+")) {
          throw new IllegalArgumentException(
              "the port after the host is not a number"); // Lettuce keeps it in the host
        }
        return parsed;
      } catch (RuntimeException e) {
        String why =
            RedisUriSecrets.maskText(
                e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                RedisUriSecrets.secrets(text));
        throw new IllegalArgumentException(
            problem != null
                ? problem + ": " + why
                : "uri: "
                    + maskPassword(text)
                    + " is not a Redis URI ("
                    + why
                    + "; expected: "
                    + "redis://[user:password@]host[:port][/db], rediss://..., redis-sentinel://...#master "
                    + "or redis-cluster://host:port[,host:port...])");
      }
    }
  }
}
