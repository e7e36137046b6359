package io.ssehub.testkit;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Redis Cluster of three masters (no replicas) on loopback, each a {@link RedisServer} with
 * its own directory, formed the way {@code redis-cli --cluster create} does it: slots 0-5460,
 * 5461-10922 and 10923-16383 assigned with {@code CLUSTER ADDSLOTSRANGE}, distinct config epochs,
 * then {@code CLUSTER MEET}; ready once every node reports {@code cluster_state:ok}.
 *
 * <p>Why: sharded pub/sub and cluster redirects only show up against a real cluster. A node can be
 * {@link RedisServer#kill() killed} and {@link RedisServer#start() started} again; it keeps its
 * {@code nodes-P.conf} and rejoins. With no replicas, a dead master's slots stay down until it
 * returns (node timeout {@value #NODE_TIMEOUT_MILLIS} ms).
 */
public final class RedisCluster implements AutoCloseable {

  /** {@code --cluster-node-timeout}, in milliseconds. */
  public static final int NODE_TIMEOUT_MILLIS = 5000;

  /** How long {@link #start} waits for {@code cluster_state:ok} on every node. */
  public static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

  private static final int[][] SLOT_RANGES = {{0, 5460}, {5461, 10922}, {10923, 16383}};

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts three cluster-enabled {@code redis-server}s and forms the cluster; {@code extraArgs} are
   * passed to every node.
   *
   * @throws IllegalStateException if a node won't start or the cluster doesn't form in time
   */
  public static RedisCluster start(String... extraArgs) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < SLOT_RANGES.length; i++) {
        nodes.add(
            RedisServer.startOnFreePort(
                true,
                (port, dir) -> List.of(),
                port -> {
                  List<String> args =
                      new ArrayList<>(
                          List.of(
                              "--cluster-enabled",
                              "yes",
                              "--cluster-config-file",
                              "nodes-" + port + ".conf",
                              "--cluster-node-timeout",
                              String.valueOf(NODE_TIMEOUT_MILLIS)));
                  args.addAll(List.of(extraArgs));
                  return args;
                }));
      }
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.form();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private void form() {
    for (int i = 0; i < nodes.size(); i++) {
      RedisServer node = nodes.get(i);
      node.command(
          "CLUSTER",
          "ADDSLOTSRANGE",
          String.valueOf(SLOT_RANGES[i][0]),
          String.valueOf(SLOT_RANGES[i][1]));
      // Distinct epochs up front, as redis-cli does, so no epoch collision has to be resolved.
      node.command("CLUSTER", "SET-CONFIG-EPOCH", String.valueOf(i + 1));
    }
    for (RedisServer other : nodes.subList(1, nodes.size())) {
      nodes.get(0).command("CLUSTER", "MEET", RedisServer.HOST, String.valueOf(other.port()));
    }
    try {
      await("Redis Cluster " + seedUris() + " forming")
          .atMost(FORM_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(this::isFormed);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "Redis Cluster did not form within "
              + FORM_TIMEOUT
              + ":\n"
              + nodes.stream().map(RedisCluster::describe).collect(Collectors.joining("\n")),
          e);
    }
  }

  private static String describe(RedisServer node) {
    try {
      return node.port()
          + ": "
          + node.commandString("CLUSTER", "INFO")
              .lines()
              .filter(
                  l ->
                      l.startsWith("cluster_state")
                          || l.startsWith("cluster_known")
                          || l.startsWith("cluster_slots_ok"))
              .collect(Collectors.joining(", "));
    } catch (RuntimeException e) {
      return node.port() + ": " + e.getMessage();
    }
  }

  /** Every node sees every node and all 16384 slots served. */
  private boolean isFormed() {
    for (RedisServer node : nodes) {
      String info = node.commandString("CLUSTER", "INFO");
      if (!info.contains("cluster_state:ok")
          || !info.contains("cluster_known_nodes:" + nodes.size())
          || !info.contains("cluster_slots_ok:16384")) {
        return false;
      }
    }
    return true;
  }

  /** The three masters, in slot order (the first serves slots 0-5460). */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** {@code redis://127.0.0.1:P} for every node, to seed a cluster client. */
  public List<URI> seedUris() {
    return nodes.stream().map(RedisServer::uri).collect(Collectors.toUnmodifiableList());
  }

  /** Stops every node and deletes their directories. Idempotent. */
  public void stop() {
    nodes.forEach(RedisServer::close);
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "RedisCluster" + seedUris();
  }
}
