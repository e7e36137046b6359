package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile Mercure selectors against {@code bin/ssehub} as an operator runs it, with the default
 * configuration and a 256 MB heap: the node stays up and answers at once.
 */
class MercureAvailabilityIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCRIPT = Path.of(System.getProperty("ssehub.bin", "../bin/ssehub"));
  private static final String BACKTRACKER = "{+v0}{+v1}{+v2}{+v3}{+v4}{+v5}{+v6}{+v7}{+v8}!";

  @TempDir Path logs;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<RawHttp.Stream> streams = new ArrayList<>();
  private Process process;
  private int port;

  @BeforeEach
  void start() throws Exception {
    port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                SCRIPT.toAbsolutePath().toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port))
            .redirectOutput(logs.resolve("out.txt").toFile())
            .redirectError(logs.resolve("err.txt").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("SSEHUB_"));
    builder.environment().put("JAVA_OPTS", "-Xmx256m");
    process = builder.start();
    await().atMost(WAIT).ignoreExceptions().until(() -> get("/health").statusCode() == 200);
  }

  @AfterEach
  void stop() throws Exception {
    streams.forEach(RawHttp.Stream::close);
    process.destroyForcibly();
    process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void theBacktrackingSelectorAttackLeavesHealthAnsweredAtOnce() throws Exception {
    for (int i = 0; i < 2; i++) {
      assertThat(subscribe(BACKTRACKER, null).head().status()).isEqualTo(200);
    }
    assertThat(publish("https://example.com/books/1", "x").statusCode()).isEqualTo(200);
    assertThat(healthMillis()).as("GET /health after the publish, in ms").isLessThan(100);

    for (int i = 0; i < 5; i++) {
      assertThat(publish("https://example.com/books/" + i, "x").statusCode()).isEqualTo(200);
    }
    assertThat(subscribe(BACKTRACKER, "earliest").head().status()).isEqualTo(200);
    assertThat(healthMillis()).as("GET /health after a replay of history, in ms").isLessThan(100);
    assertThat(process.isAlive()).isTrue();
  }

  @Test
  void aHundredAnonymousLargeSelectorsLeaveTheHeapWithinItsBudget() throws Exception {
    for (int i = 0; i < 100; i++) {
      String selector = "{a}".repeat(2690) + i; // about 8 KB, under the default --max-url-bytes
      try (RawHttp.Stream stream = subscribe(selector, null)) {
        assertThat(stream.head().status())
            .as("8 KB selector %d: refused, or served", i)
            .isIn(200, 400);
      }
    }
    // The largest selectors the bounds allow, each different: the cache must give them back.
    String heavy =
        "https://example.com/{?" + "abcdefgh,".repeat(12) + "z}{+a}{+b}{+c}{+d}{+e}{+f}{+g}{+h}/";
    for (int i = 0; i < 100; i++) {
      try (RawHttp.Stream stream = subscribe(heavy + i, null)) {
        assertThat(stream.head().status()).as("heavy selector %d", i).isEqualTo(200);
      }
    }
    assertThat(get("/health").statusCode()).isEqualTo(200);
    RawHttp.Stream listener = subscribe("https://example.com/{id}", null);
    assertThat(publish("https://example.com/after", "still here").statusCode()).isEqualTo(200);
    listener.readUntil(text -> text.contains("data: still here"), WAIT);
    assertThat(usedHeapAfterFullGc())
        .as("heap used after a full GC, bytes")
        .isLessThan(96L * 1024 * 1024);
  }

  @Test
  void aTopicOf200KilobytesReachesEveryOtherSubscriber() throws Exception {
    RawHttp.Stream everything = subscribe("*", null);
    RawHttp.Stream template = subscribe("https://example.com/{+path}", null);
    RawHttp.Stream backtracker = subscribe(BACKTRACKER, null);
    String topic = "https://example.com/" + "a/".repeat(100_000);
    assertThat(publish(topic, "long topic").statusCode()).isEqualTo(200);
    everything.readUntil(text -> text.contains("data: long topic"), WAIT);
    template.readUntil(text -> text.contains("data: long topic"), WAIT);
    assertThat(publish("https://example.com/books/1!", "short topic").statusCode()).isEqualTo(200);
    backtracker.readUntil(text -> text.contains("data: short topic"), WAIT);
    assertThat(backtracker.text()).doesNotContain("long topic");
    assertThat(healthMillis()).isLessThan(100);
  }

  private RawHttp.Stream subscribe(String selector, String lastEventId) {
    String target =
        "/.well-known/mercure?topic="
            + queryEscape(selector)
            + (lastEventId == null ? "" : "&lastEventID=" + lastEventId);
    RawHttp.Stream stream = RawHttp.Stream.open(port, target);
    streams.add(stream);
    return stream;
  }

  /** Escapes what a query value cannot hold, leaving braces as clients send them (curl -g). */
  private static String queryEscape(String value) {
    return value
        .replace("%", "%25")
        .replace("+", "%2B")
        .replace("&", "%26")
        .replace("#", "%23")
        .replace("?", "%3F");
  }

  private HttpResponse<String> publish(String topic, String data) throws Exception {
    String body =
        "topic="
            + URLEncoder.encode(topic, StandardCharsets.UTF_8)
            + "&data="
            + URLEncoder.encode(data, StandardCharsets.UTF_8);
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/.well-known/mercure"))
            .timeout(WAIT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * How long {@code GET /health} takes, the best of three (one slow answer of a busy test machine
   * is not the node).
   */
  private long healthMillis() throws Exception {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long started = System.nanoTime();
      assertThat(get("/health").statusCode()).isEqualTo(200);
      best = Math.min(best, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    return best;
  }

  /** The node's used heap after a full GC, as {@code jcmd} reads it. */
  private long usedHeapAfterFullGc() throws Exception {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    assertThat(used.find()).as("jcmd GC.heap_info: %s", info).isTrue();
    return Long.parseLong(used.group(1)) * 1024;
  }

  private String jcmd(String command) throws Exception {
    Process jcmd =
        new ProcessBuilder("jcmd", Long.toString(process.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(jcmd.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
