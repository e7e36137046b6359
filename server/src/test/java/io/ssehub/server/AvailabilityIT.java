package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The availability table of server/README.md, as an attacker would try it: hostile clients against
 * a real {@code bin/ssehub} process, and the node must go on answering (the attack's bound holds
 * while it lasts and after). Every attack is bounded in count and time and aims at loopback only.
 */
class AvailabilityIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCRIPT = Path.of(System.getProperty("ssehub.bin", "../bin/ssehub"));

  /** What a publish may take while the node is attacked and after. */
  private static final Duration PUBLISH_WITHIN = Duration.ofSeconds(1);

  @TempDir Path logs;

  private final List<Process> processes = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private int port;

  @BeforeEach
  void scriptExists() throws IOException {
    assertThat(SCRIPT).isExecutable();
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
  }

  @AfterEach
  void reap() {
    closeAll(sockets);
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /**
   * Pipelined requests from clients that never read: four connections each sending {@code GET /}
   * 100,000 times with a small receive window. Without back-pressure the node answers them all into
   * memory outside the heap until its event loops stall; with it, each connection's reading stops
   * while its answers are not taken, and publishes go on being answered within a second.
   */
  @Test
  void pipelinedRequestsThatAreNeverReadLeavePublishesAnswered() throws Exception {
    Process hub =
        start(
            "-Xmx128m -XX:MaxDirectMemorySize=32m",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port));
    awaitHealthy();
    // A node in service has run its code before: a first attack, unmeasured, warms it up.
    pipeliningAttack(() -> assertThat(hub.isAlive()).isTrue());
    pipeliningAttack(
        () -> {
          assertPublishAnswered("during the attack");
          assertThat(hub.isAlive()).isTrue();
        });
    for (int i = 0; i < 10; i++) {
      assertPublishAnswered("after, #" + i);
    }
    assertThat(
            Files.readString(logs.resolve("out.txt")) + Files.readString(logs.resolve("err.txt")))
        .doesNotContain("OutOfMemoryError");
  }

  /** Four attackers for up to 5 s; {@code check} runs over and over meanwhile. */
  private void pipeliningAttack(ThrowingRunnable check) throws Exception {
    byte[] burst =
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    long attackEnds = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    ExecutorService attackers = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 4; i++) {
        attackers.submit(
            () -> {
              // 100,000 requests each, in bursts of 1,000; a connection the hub closes is replaced
              // and the
              // requests go on on the next, until all are sent or the attack's time is up.
              int bursts = 0;
              while (bursts < 100
                  && System.nanoTime() < attackEnds
                  && !Thread.currentThread().isInterrupted()) {
                try {
                  Socket socket = new Socket();
                  socket.setReceiveBufferSize(4096); // a small window, never read
                  socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                  synchronized (sockets) {
                    sockets.add(socket);
                  }
                  OutputStream out = socket.getOutputStream();
                  while (bursts < 100 && System.nanoTime() < attackEnds) {
                    bursts++;
                    out.write(
                        burst); // blocks once the hub stops reading; the close at the end unblocks
                    // it
                  }
                } catch (IOException closedByTheHub) {
                  // connect again
                }
              }
              return null;
            });
      }
      while (System.nanoTime() < attackEnds - Duration.ofMillis(500).toNanos()) {
        check.run();
      }
    } finally {
      attackers.shutdownNow();
      closeAll(sockets); // unblocks the writers
      assertThat(attackers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * 1,500 idle connections from one address against {@code --max-connections 100}: those over the
   * limit are closed within a moment rather than held until the request timeout, so the node holds
   * the descriptors of its 100 connections and its own, not 1,500.
   */
  @Test
  void idleConnectionsOverTheLimitAreClosedAtOnce() throws Exception {
    Process hub =
        start(
            "-Xmx128m",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--max-connections",
            "100",
            "--request-timeout",
            "30s");
    awaitHealthy();
    long before = descriptors(hub);
    for (int i = 0; i < 1500; i++) {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      sockets.add(socket);
    }
    // Within a second of the last connect, every connection over the limit is gone from the hub.
    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> descriptors(hub) < 150);
    assertThat(descriptors(hub))
        .as("descriptors: %d before the attack", before)
        .isLessThan(before + 100 + 20);
    // Still full (its 100 are held), and a new connection is told so at once.
    RawHttp.Response full = RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.json().get("error").asText()).isEqualTo("too_many_connections");
  }

  private void assertPublishAnswered(String when) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/publish"))
                .timeout(PUBLISH_WITHIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"news\",\"data\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(when + ": " + response.body()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as(when).isLessThan(PUBLISH_WITHIN);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void awaitHealthy() {
    await().atMost(WAIT).ignoreExceptions().until(() -> get("/health").statusCode() == 200);
  }

  /** The process's open file descriptors (sockets, jars, the JVM's own). */
  private static long descriptors(Process process) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
      return fds.count();
    }
  }

  private Process start(String javaOpts, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(SCRIPT.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(logs.resolve("out.txt").toFile())
            .redirectError(logs.resolve("err.txt").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("SSEHUB_"));
    builder.environment().put("JAVA_OPTS", javaOpts);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static void closeAll(List<Socket> sockets) {
    synchronized (sockets) {
      for (Socket socket : sockets) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
      sockets.clear();
    }
  }
}
