package io.ssehub.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RedisServer} against the real {@code redis-server}. */
class RedisServerIT {

  @AfterEach
  void noRedisLeftRunning() {
    assertThat(Processes.redisServers()).as("redis-server processes started by this JVM").isEmpty();
  }

  @Test
  void startsOnLoopbackWithoutPersistence() {
    Path dir;
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      dir = redis.dir();
      assertThat(redis.port()).isNotEqualTo(6379);
      assertThat(redis.uri()).hasToString("redis://127.0.0.1:" + redis.port());
      assertThat(redis.command("PING")).isEqualTo("PONG");
      assertThat(redis.command("CONFIG", "GET", "bind")).isEqualTo(List.of("bind", "127.0.0.1"));
      assertThat(redis.command("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
      assertThat(redis.command("CONFIG", "GET", "appendonly"))
          .isEqualTo(List.of("appendonly", "no"));
      assertThat(redis.command("CONFIG", "GET", "dir"))
          .isEqualTo(List.of("dir", dir.toRealPath().toString()));
      assertThat(redis.logFile()).exists();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void commandRepliesAreTyped() {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      assertThat(redis.command("SET", "k", "h\u00e9")).isEqualTo("OK");
      assertThat(redis.command("GET", "k")).isEqualTo("h\u00e9");
      assertThat(redis.command("GET", "missing")).isNull();
      assertThat(redis.command("XADD", "s", "1-1", "f", "v")).isEqualTo("1-1");
      assertThat(redis.command("XLEN", "s")).isEqualTo(1L);
      assertThat(redis.command("PUBSUB", "NUMSUB", "ch")).isEqualTo(List.of("ch", 0L));
      assertThat(redis.commandString("CLIENT", "LIST")).contains("cmd=client|list");
      assertThatThrownBy(() -> redis.command("NO-SUCH-COMMAND"))
          .isInstanceOf(RedisServer.ErrorReply.class)
          .hasMessageStartingWith("Redis answered -ERR unknown command")
          .satisfies(e -> assertThat(((RedisServer.ErrorReply) e).reply()).startsWith("ERR "));
    }
  }

  @Test
  void subscribersAreVisible() throws IOException {
    try (RedisServer redis = RedisServer.startOnFreePort();
        Socket subscriber = new Socket()) {
      subscriber.connect(new InetSocketAddress(redis.host(), redis.port()), 5000);
      subscriber.setSoTimeout(5000);
      subscriber.getOutputStream().write(Resp.encode("SUBSCRIBE", "ch"));
      InputStream in = subscriber.getInputStream();
      assertThat(Resp.read(in)).isEqualTo(List.of("subscribe", "ch", 1L));

      assertThat(redis.command("PUBSUB", "NUMSUB", "ch")).isEqualTo(List.of("ch", 1L));
      assertThat(redis.commandString("CLIENT", "LIST")).contains("cmd=subscribe");
      assertThat(redis.command("PUBLISH", "ch", "hi")).isEqualTo(1L);
      assertThat(Resp.read(in)).isEqualTo(List.of("message", "ch", "hi"));
    }
  }

  @Test
  void killThenStartOnTheSamePort() throws IOException {
    try (RedisServer redis = RedisServer.startOnFreePort();
        Socket client = new Socket()) {
      int port = redis.port();
      redis.command("SET", "k", "v");
      client.connect(new InetSocketAddress(redis.host(), port), 5000);
      client.setSoTimeout(5000);

      redis.kill();

      assertThat(redis.isRunning()).isFalse();
      assertThat(isDropped(client)).as("client connection dropped").isTrue();
      assertThatThrownBy(() -> redis.command("PING")).isInstanceOf(UncheckedIOException.class);

      redis.start();

      assertThat(redis.isRunning()).isTrue();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.command("GET", "k")).as("nothing persisted").isNull();
    }
  }

  /** A killed server's connections end with EOF or a reset, depending on timing. */
  private static boolean isDropped(Socket socket) {
    try {
      return socket.getInputStream().read() == -1;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void stopThenStart() {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      redis.stop();
      assertThat(redis.isRunning()).isFalse();
      redis.start();
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void startWhileRunningRejected() {
    try (RedisServer redis = RedisServer.startOnFreePort()) {
      assertThatThrownBy(redis::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already running");
    }
  }

  @Test
  void extraArgsApplied() {
    try (RedisServer redis = RedisServer.startOnFreePort("--maxclients", "77")) {
      assertThat(redis.command("CONFIG", "GET", "maxclients"))
          .isEqualTo(List.of("maxclients", "77"));
    }
  }

  @Test
  void badArgumentFailsWithTheLog() {
    assertThatThrownBy(() -> RedisServer.startOnFreePort("--no-such-directive", "x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code")
        .hasMessageContaining("no-such-directive") // from redis-server's own output
        .hasMessageContaining("--- last lines of");
  }

  @Test
  void missingBinaryFailsWithInstallHint() {
    String before = System.getProperty(RedisServer.BINARY_PROPERTY);
    System.setProperty(RedisServer.BINARY_PROPERTY, "/nonexistent/redis-server");
    try {
      assertThatThrownBy(RedisServer::startOnFreePort)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("apt-get install redis-server");
    } finally {
      Processes.restoreProperty(RedisServer.BINARY_PROPERTY, before);
    }
  }

  @Test
  void closedServerCannotStart() {
    RedisServer redis = RedisServer.startOnFreePort();
    redis.close();
    redis.close(); // idempotent
    assertThatThrownBy(redis::start).hasMessageContaining("closed");
    assertThat(new String(Resp.encode("PING"), UTF_8)).isEqualTo("*1\r\n$4\r\nPING\r\n");
    assertThat(Files.exists(redis.dir())).isFalse();
  }
}
