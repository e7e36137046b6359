package io.ssehub.testkit;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real {@code redis-server} process on 127.0.0.1 and a free port, in its own temporary directory,
 * for tests that need Redis to behave exactly as in production, including going away: {@link
 * #kill()} it for an outage and {@link #start()} it again on the same port.
 *
 * <p>Why a real process rather than a fake: ssehub's Redis code is mostly about what Redis does on
 * the wire (pub/sub fan-out, reconnects, cluster redirects), which fakes get wrong.
 *
 * <p>It never touches port 6379 or any Redis it didn't start: it binds only 127.0.0.1, checks that
 * the process answering {@code PING} is its own, and ends only its own process. It never skips: if
 * {@code redis-server} is missing or won't start, it throws, with the server's log. Persistence is
 * off ({@code --save "" --appendonly no}); data lives only in memory.
 *
 * <p>The binary is {@code redis-server} from {@code PATH}, or the path in system property {@value
 * #BINARY_PROPERTY}. Threading: the lifecycle methods are synchronized.
 */
public final class RedisServer implements AutoCloseable {

  /** System property naming the {@code redis-server} binary to run instead of the one on PATH. */
  public static final String BINARY_PROPERTY = "ssehub.redis-server";

  /** How long {@link #start()} waits for the server to answer {@code PING}. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  /** Connect and read timeout of {@link #command}. */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  static final String HOST = "127.0.0.1";
  private static final int DEFAULT_REDIS_PORT = 6379;
  private static final int CLUSTER_BUS_OFFSET = 10000;
  private static final int PORT_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 30;

  private final int port;
  private final Path dir;
  private final List<String> leadingArgs;
  private final List<String> extraArgs;

  // Guarded by this.
  private Process process;
  private boolean closed;

  private RedisServer(int port, Path dir, List<String> leadingArgs, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.leadingArgs = List.copyOf(leadingArgs);
    this.extraArgs = List.copyOf(extraArgs);
  }

  /**
   * Starts {@code redis-server} on a free loopback port with the standard arguments plus {@code
   * extraArgs} (for example {@code "--notify-keyspace-events", "KEA"}), and waits until it answers
   * {@code PING}.
   *
   * @throws IllegalStateException if the binary is missing or the server won't start; the message
   *     says why and ends with the last lines of its log
   */
  public static RedisServer startOnFreePort(String... extraArgs) {
    return startOnFreePort(false, (port, dir) -> List.of(), port -> List.of(extraArgs));
  }

  /**
   * As {@link #startOnFreePort(String...)}, with arguments that depend on the port: {@code leading}
   * come first (a config file, which redis-server wants first and sentinel needs, written into the
   * server's directory), {@code extraArgs} last. With {@code clusterBus}, port + 10000 (the cluster
   * bus) is free too.
   */
  static RedisServer startOnFreePort(
      boolean clusterBus,
      BiFunction<Integer, Path, List<String>> leading,
      IntFunction<List<String>> extraArgs) {
    binary(); // fail with the install hint before creating anything
    IllegalStateException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort(clusterBus);
      Path dir;
      try {
        dir = Files.createTempDirectory("ssehub-redis-" + port + "-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      ProcessReaper.register(dir);
      RedisServer server =
          new RedisServer(port, dir, leading.apply(port, dir), extraArgs.apply(port));
      try {
        server.start();
        return server;
      } catch (IllegalStateException e) {
        server.close();
        // Someone took the port between our probe and redis-server's bind: try another one.
        if (!e.getMessage().contains("Address already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /**
   * Starts the server again on the same port and directory, after {@link #stop()} or {@link
   * #kill()}; waits until it answers {@code PING}. Data is gone (nothing is persisted), but a
   * cluster node keeps its {@code nodes-P.conf} and so rejoins its cluster.
   *
   * @throws IllegalStateException if it is running or closed, or won't start (with its log)
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("RedisServer on port " + port + " is closed");
    }
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("RedisServer on port " + port + " is already running");
    }
    List<String> command = new ArrayList<>();
    command.add(binary());
    command.addAll(leadingArgs);
    command.addAll(
        List.of(
            "--port",
            String.valueOf(port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString(),
            "--logfile",
            logFile().toString(),
            "--protected-mode",
            "no",
            "--daemonize",
            "no"));
    command.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            // Output before the log file opens (bad arguments) lands here.
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("Could not run " + command, e);
    }
    ProcessReaper.register(started);
    process = started;
    try {
      await("redis-server on port " + port + " answering PING")
          .atMost(START_TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                if (!started.isAlive()) {
                  throw new IllegalStateException("exited with code " + started.exitValue());
                }
                return answersPingAsProcess(started.pid());
              });
    } catch (ConditionTimeoutException | IllegalStateException e) {
      destroy(started);
      String why =
          e instanceof ConditionTimeoutException
              ? "did not answer PING within " + START_TIMEOUT
              : e.getMessage();
      throw new IllegalStateException(
          "redis-server on "
              + HOST
              + ":"
              + port
              + " "
              + why
              + "; command: "
              + command
              + "\n"
              + logTail(),
          e);
    }
  }

  /** Stops the server (SIGTERM; with persistence off it exits without saving), and waits. */
  public synchronized void stop() {
    if (process != null) {
      destroy(process);
    }
  }

  /**
   * Kills the server with SIGKILL, as a crash or an outage would: no goodbye to clients, which see
   * their connections reset.
   */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      waitForExit(process);
      ProcessReaper.unregister(process);
    }
  }

  /** True while the process this object started is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server if running and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    stop();
    closed = true;
    ProcessReaper.delete(dir);
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:P}, as Lettuce's {@code RedisURI.create} takes it. */
  public URI uri() {
    return URI.create("redis://" + HOST + ":" + port);
  }

  /** The server's working directory ({@code --dir}), deleted by {@link #close()}. */
  public Path dir() {
    return dir;
  }

  /** The server's log file. */
  public Path logFile() {
    return dir.resolve("redis.log");
  }

  /**
   * Runs one command on a new connection and returns the reply: {@code String} for simple and bulk
   * strings, {@code Long} for integers, {@code List<Object>} for arrays, {@code null} for nil. For
   * example {@code command("PUBSUB", "NUMSUB", "ch")} returns {@code ["ch", 1L]}. The connection
   * shows up in {@code CLIENT LIST} as the one running {@code client|list}.
   *
   * @throws ErrorReply if Redis answers with an error
   * @throws UncheckedIOException if Redis can't be reached within {@link #COMMAND_TIMEOUT}
   */
  public Object command(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("args : [] (expected: a command name)");
    }
    return Resp.call(HOST, port, COMMAND_TIMEOUT, args);
  }

  /** As {@link #command}, for string replies ({@code INFO}, {@code CLIENT LIST}, ...). */
  public String commandString(String... args) {
    Object reply = command(args);
    if (reply != null && !(reply instanceof String)) {
      throw new IllegalStateException(
          String.join(" ", args) + " answered " + reply + " (expected: a string)");
    }
    return (String) reply;
  }

  /** The last lines of the server's log (and of its stdout), for failure messages. */
  public String logTail() {
    StringBuilder tail = new StringBuilder();
    for (Path file : List.of(logFile(), dir.resolve("stdout.log"))) {
      tail.append("--- last lines of ").append(file).append(":\n");
      try {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines
            .subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
            .forEach(line -> tail.append(line).append('\n'));
      } catch (IOException e) {
        tail.append("(unreadable: ").append(e).append(")\n");
      }
    }
    return tail.toString();
  }

  @Override
  public String toString() {
    return "RedisServer{" + uri() + ", running=" + isRunning() + ", dir=" + dir + "}";
  }

  /** An error reply ({@code -ERR ...}) from Redis. */
  public static final class ErrorReply extends RuntimeException {
    private final String reply;

    ErrorReply(String reply, String command) {
      super("Redis answered -" + reply + " to: " + command);
      this.reply = reply;
    }

    /** The reply without its leading '-', for example {@code "ERR unknown command 'X'"}. */
    public String reply() {
      return reply;
    }
  }

  /** Only our own process counts: a Redis that someone else runs on this port must not. */
  private boolean answersPingAsProcess(long pid) {
    try {
      if (!"PONG".equals(command("PING"))) {
        return false;
      }
      String info = commandString("INFO", "server");
      if (!info.contains("process_id:" + pid + "\r\n")) {
        throw new IllegalStateException("port " + port + " is answered by another Redis:\n" + info);
      }
      return true;
    } catch (UncheckedIOException | ErrorReply notYet) {
      return false; // not listening yet, or -LOADING
    }
  }

  private static void destroy(Process process) {
    process.destroy();
    if (!waitForExit(process)) {
      process.destroyForcibly();
      waitForExit(process);
    }
    ProcessReaper.unregister(process);
  }

  private static boolean waitForExit(Process process) {
    try {
      return process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A port that is free on 127.0.0.1 right now (and its bus port, for a cluster node). */
  private static int freePort(boolean clusterBus) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("No free port on " + HOST, e);
      }
      if (port == DEFAULT_REDIS_PORT || port == DEFAULT_REDIS_PORT + CLUSTER_BUS_OFFSET) {
        continue;
      }
      if (!clusterBus) {
        return port;
      }
      if (port + CLUSTER_BUS_OFFSET <= 65535 && isFree(port + CLUSTER_BUS_OFFSET)) {
        return port;
      }
    }
    throw new IllegalStateException("No free port on " + HOST + " after 100 tries");
  }

  private static boolean isFree(int port) {
    try {
      new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The binary to run; fails, with how to install it, if there is none. */
  static String binary() {
    String configured = System.getProperty(BINARY_PROPERTY);
    if (configured != null) {
      if (!Files.isExecutable(Path.of(configured))) {
        throw new IllegalStateException(
            BINARY_PROPERTY
                + " : "
                + configured
                + " (expected: an executable redis-server). Install it: apt-get install redis-server");
      }
      return configured;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    Optional<Path> onPath =
        Stream.of(path.split(File.pathSeparator))
            .filter(entry -> !entry.isEmpty())
            .map(entry -> Path.of(entry, "redis-server"))
            .filter(Files::isExecutable)
            .findFirst();
    return onPath
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "redis-server is not on PATH ("
                        + path
                        + "). Redis tests need a real "
                        + "server and are never skipped. Install it: apt-get install redis-server"))
        .toString();
  }
}
