package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ssehub} as an operator runs it: flags, a bad flag, and SIGTERM ending streams cleanly
 * with exit code 0. Runs on the shaded jar, which {@code mvn verify} builds before *IT tests.
 */
class ProcessIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCRIPT = Path.of(System.getProperty("ssehub.bin", "../bin/ssehub"));

  @TempDir Path logs;

  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void scriptExists() {
    assertThat(SCRIPT).isExecutable();
  }

  @AfterEach
  void reap() {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Test
  void helpListsEveryFlagAndExitsZero() throws Exception {
    Process process = start("--help");
    assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    String out = Files.readString(logs.resolve("out.txt"));
    for (String flag : MainTest.FLAGS) {
      assertThat(out).contains(flag);
    }
  }

  @Test
  void badPortExitsTwoNamingTheFlag() throws Exception {
    Process process = start("--port", "abc");
    assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(logs.resolve("err.txt"))).contains("--port").contains("abc");
  }

  @Test
  void sigtermEndsStreamsCleanlyAndExitsZero() throws Exception {
    int port = freePort();
    Process process = start("--host", "127.0.0.1", "--port", Integer.toString(port));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/health"))
                                .timeout(WAIT)
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
    assertThat(Files.readString(logs.resolve("out.txt")))
        .contains("listening on http://127.0.0.1:" + port);

    try (RawHttp.Stream stream = RawHttp.Stream.open(port, "/stream?channel=logs")) {
      stream.readUntil(text -> text.contains("retry:"), WAIT);
      process.destroy(); // SIGTERM
      String received =
          stream.readToEnd(WAIT); // fails on a reset or a close without the last chunk
      assertThat(received).contains(": ssehub is shutting down; reconnect\n");
      assertThat(stream.connectionClosed(WAIT)).isTrue();
    }
    assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("exited in time").isTrue();
    assertThat(process.exitValue())
        .as("exit code; output: %s", Files.readString(logs.resolve("out.txt")))
        .isZero();
    assertThat(Files.readString(logs.resolve("out.txt"))).contains("ssehub stopped");
  }

  private Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(SCRIPT.toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(logs.resolve("out.txt").toFile())
            .redirectError(logs.resolve("err.txt").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("SSEHUB_"));
    builder.environment().put("JAVA_OPTS", "-Xmx256m");
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
