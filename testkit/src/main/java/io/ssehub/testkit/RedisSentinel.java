package io.ssehub.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One Redis master watched by one Sentinel ({@code redis-server CONFIG --sentinel}), both on
 * loopback, for tests of clients that discover the master through Sentinel.
 *
 * <p>What it doesn't do: fail over. With one master and no replica there is nothing to promote;
 * {@link #master()} can be killed and restarted to test how a client rides out the outage.
 */
public final class RedisSentinel implements AutoCloseable {

  /** The name the master is monitored under. */
  public static final String MASTER_NAME = "mymaster";

  /** How long {@link #start()} waits for the sentinel to see the master up. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final RedisServer master;
  private final RedisServer sentinel;

  private RedisSentinel(RedisServer master, RedisServer sentinel) {
    this.master = master;
    this.sentinel = sentinel;
  }

  /**
   * Starts a master and a sentinel monitoring it (quorum 1, down after 5 s) and waits until the
   * sentinel reports the master as up.
   */
  public static RedisSentinel start() {
    RedisServer master = RedisServer.startOnFreePort();
    RedisServer sentinel = null;
    try {
      sentinel =
          RedisServer.startOnFreePort(
              false,
              (port, dir) -> List.of(writeConfig(dir, master.port()).toString()),
              port -> List.of("--sentinel"));
      RedisServer watching = sentinel;
      await("sentinel on port " + sentinel.port() + " seeing master " + master.port())
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> "master".equals(flags(watching)));
      return new RedisSentinel(master, sentinel);
    } catch (ConditionTimeoutException e) {
      String log = sentinel.logTail();
      master.close();
      sentinel.close();
      throw new IllegalStateException(
          "Sentinel did not see its master within " + START_TIMEOUT + "\n" + log, e);
    } catch (RuntimeException e) {
      master.close();
      if (sentinel != null) {
        sentinel.close();
      }
      throw e;
    }
  }

  /** Sentinel rewrites its config file, so it must be a file of its own in its directory. */
  private static Path writeConfig(Path dir, int masterPort) {
    Path config = dir.resolve("sentinel.conf");
    try {
      Files.writeString(
          config,
          String.join(
              "\n",
              "sentinel monitor " + MASTER_NAME + " " + RedisServer.HOST + " " + masterPort + " 1",
              "sentinel down-after-milliseconds " + MASTER_NAME + " 5000",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return config;
  }

  /** The master's flags as the sentinel sees them: {@code "master"}, {@code "s_down,master"}... */
  private static String flags(RedisServer sentinel) {
    List<?> fields = (List<?>) sentinel.command("SENTINEL", "MASTER", MASTER_NAME);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if ("flags".equals(fields.get(i))) {
        return (String) fields.get(i + 1);
      }
    }
    return "";
  }

  /** The monitored master. */
  public RedisServer master() {
    return master;
  }

  /** The sentinel process (it answers {@code SENTINEL ...} commands). */
  public RedisServer sentinel() {
    return sentinel;
  }

  /** {@code redis-sentinel://127.0.0.1:S#mymaster}, as Lettuce's {@code RedisURI} takes it. */
  public URI uri() {
    return URI.create(
        "redis-sentinel://" + RedisServer.HOST + ":" + sentinel.port() + "#" + MASTER_NAME);
  }

  /** Stops both processes and deletes their directories. Idempotent. */
  public void stop() {
    sentinel.close();
    master.close();
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "RedisSentinel{" + uri() + ", master=" + master.uri() + "}";
  }
}
