package io.ssehub.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real three-master {@link RedisCluster}, injected by {@link RedisExtension}. */
@ExtendWith(RedisExtension.class)
class RedisClusterIT {

  @Test
  void formsWithAllSlotsServed(RedisCluster cluster) {
    assertThat(cluster.nodes()).hasSize(3);
    assertThat(cluster.seedUris()).extracting(URI::getHost).containsOnly("127.0.0.1");
    for (RedisServer node : cluster.nodes()) {
      String info = node.commandString("CLUSTER", "INFO");
      assertThat(info).contains("cluster_state:ok", "cluster_known_nodes:3", "cluster_size:3");
    }
    // Keys hash to one node only; the others redirect.
    RedisServer first = cluster.nodes().get(0);
    assertThat(first.command("CLUSTER", "KEYSLOT", "a")).isEqualTo(15495L);
    assertThat(cluster.nodes().get(2).command("SET", "a", "1")).isEqualTo("OK");
    assertThat(first.command("PUBLISH", "ch", "x")).isEqualTo(0L);
  }

  @Test
  void killedNodeRejoinsAfterRestart(RedisCluster cluster) {
    RedisServer node = cluster.nodes().get(1);
    node.kill();
    node.start();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (RedisServer each : cluster.nodes()) {
                assertThat(each.commandString("CLUSTER", "INFO")).contains("cluster_state:ok");
              }
            });
    List<?> slots = (List<?>) node.command("CLUSTER", "SLOTS");
    assertThat(slots).hasSize(3);
  }
}
