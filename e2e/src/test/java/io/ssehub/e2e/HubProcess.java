package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * One {@code bin/ssehub} process on a free loopback port, as a user starts it. Its output goes to
 * {@code target/hub-<port>.log}. Stopping sends SIGTERM, as an orchestrator does; killing sends
 * SIGKILL. {@link #restart()} starts it again with the same port and flags.
 */
final class HubProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<String> args;
  private final int port;
  private final Path log;
  private Process process;

  private HubProcess(int port, List<String> args) {
    this.port = port;
    this.args = args;
    this.log = Path.of("target", "hub-" + port + ".log");
  }

  /** Runs {@code bin/ssehub args...} to its end (bounded) and returns its exit code and output. */
  static Finished run(Duration limit, String... args) {
    List<String> command = new ArrayList<>();
    command.add(repoRoot().resolve("bin/ssehub").toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      java.util.concurrent.CompletableFuture<String> output =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new String(
                      process.getInputStream().readAllBytes(),
                      java.nio.charset.StandardCharsets.UTF_8);
                } catch (IOException e) {
                  return "(output unreadable: " + e + ")";
                }
              });
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "bin/ssehub " + args + " still running after " + limit + ": " + output.getNow(""));
      }
      return new Finished(process.exitValue(), output.get(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("could not run " + command, e);
    }
  }

  /** How a {@link #run} ended. */
  record Finished(int exitCode, String output) {}

  /**
   * Starts {@code bin/ssehub --host 127.0.0.1 --port <free> args...} and waits until it answers
   * /health.
   */
  static HubProcess start(String... args) {
    HubProcess hub = new HubProcess(freePort(), List.of(args));
    hub.launch();
    return hub;
  }

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isExecutable(dir.resolve("bin/ssehub"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("bin/ssehub not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>();
    command.add(repoRoot().resolve("bin/ssehub").toString());
    command.add("--host");
    command.add("127.0.0.1");
    command.add("--port");
    command.add(Integer.toString(port));
    command.addAll(args);
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().put("JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC");
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + command, e);
    }
    Awaitility.await("hub on port " + port + " answers /health (log: " + log.toAbsolutePath() + ")")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "hub exited with " + process.exitValue() + ": " + logText());
              }
              return healthStatus() > 0;
            });
  }

  /** The status of GET /health, or -1 when nothing answers. */
  int healthStatus() {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGTERM, and the exit code. */
  int stop() {
    process.destroy();
    return awaitExit();
  }

  /** SIGKILL: the node dies without a goodbye. */
  void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  void restart() {
    assertThat(process.isAlive()).as("restart of a running hub").isFalse();
    launch();
  }

  private int awaitExit() {
    try {
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("hub on port %d exits", port).isTrue();
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      awaitExit();
    }
  }
}
