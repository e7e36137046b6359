package io.ssehub.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import io.ssehub.testkit.SseParser.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link SseClient} against the JDK's HttpServer writing streams in awkward chunks. */
class SseClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static HttpClient httpClient;

  private final LoopbackHttpServer server = new LoopbackHttpServer();

  /** Handlers that hold a stream open wait on this; counted down after each test. */
  private final CountDownLatch release = new CountDownLatch(1);

  /** Exchanges of streams held open, for tests that write from the test thread. */
  private final BlockingQueue<HttpExchange> held = new LinkedBlockingQueue<>();

  private final List<SseClient> clients = new ArrayList<>();

  @BeforeAll
  static void createClient() {
    httpClient = SseClient.newHttpClient();
  }

  @AfterAll
  static void dropClient() {
    httpClient = null; // JDK 17's HttpClient has no close(); its threads end once unreferenced
  }

  @AfterEach
  void tearDown() {
    clients.forEach(SseClient::close);
    release.countDown();
    server.close();
  }

  @Test
  void eventsCommentsAndIdOnlyInOddChunks() {
    byte[] utf8 = "data: caf\u00e9\n\n".getBytes(UTF_8);
    int inE = utf8.length - 3; // between the two bytes of the é
    server.handle(
        "/s",
        exchange -> {
          OutputStream out = startStream(exchange);
          write(out, "retry: 100\r\n: hi\r\nid: 1\r\ndata: a\r");
          write(out, "\ndata: b\r\n\r");
          write(out, "\nid: 2\n\n");
          write(out, Arrays.copyOfRange(utf8, 0, inE));
          write(out, Arrays.copyOfRange(utf8, inE, utf8.length));
          exchange.close();
        });
    SseClient client = open("/s", Map.of());

    assertThat(client.awaitOpen(TIMEOUT)).isEqualTo(200);
    assertThat(client.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(client.awaitEvents(2, TIMEOUT))
        .containsExactly(new Event("1", "message", "a\nb", 100L), Event.of("2", "caf\u00e9"));
    client.awaitClosed(TIMEOUT);
    assertThat(client.isClosed()).isTrue();
    assertThat(client.failure()).isEmpty();
    assertThat(client.comments()).containsExactly("hi");
    assertThat(client.idOnlyUpdates()).containsExactly("2");
    assertThat(client.lastEventId()).isEqualTo("2");
    assertThat(client.retry()).hasValue(100L);
  }

  @Test
  void sendsAcceptAndExtraHeaders() {
    server.handle(
        "/echo",
        exchange -> {
          OutputStream out = startStream(exchange);
          write(out, "data: " + exchange.getRequestHeaders().getFirst("Accept") + "\n\n");
          write(out, "data: " + exchange.getRequestHeaders().getFirst("Last-Event-ID") + "\n\n");
          exchange.close();
        });
    SseClient client = open("/echo", Map.of("Last-Event-ID", "41"));

    assertThat(client.awaitEvents(2, TIMEOUT))
        .extracting(Event::data)
        .containsExactly("text/event-stream", "41");
  }

  @Test
  void awaitEventsTimesOutWithClearMessage() {
    server.handle(
        "/one",
        exchange -> {
          write(startStream(exchange), "data: only\n\n");
          holdOpen(exchange);
        });
    SseClient client = open("/one", Map.of());
    client.awaitEvents(1, TIMEOUT);

    assertThatThrownBy(() -> client.awaitEvents(3, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Timed out after PT0.2S waiting for 3 events, got 1: "
                + "[Event[id=, type=message, data=only, retry=null]]");
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void awaitEventsFailsFastWhenStreamEnds() {
    server.handle(
        "/short",
        exchange -> {
          write(startStream(exchange), "data: x\n\n");
          exchange.close();
        });
    SseClient client = open("/short", Map.of());

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.awaitEvents(2, TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("ended while waiting for 2 events, got 1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
  }

  @Test
  void closeReallyClosesTheConnection() throws Exception {
    server.handle(
        "/held",
        exchange -> {
          write(startStream(exchange), "data: x\n\n");
          held.add(exchange);
          holdOpen(exchange);
        });
    SseClient client = open("/held", Map.of());
    client.awaitEvents(1, TIMEOUT);
    HttpExchange exchange = held.poll(10, TimeUnit.SECONDS);
    assertThat(exchange).isNotNull();

    client.close();

    // Once the client's socket is gone, a write gets a reset: the server sees the disconnect.
    OutputStream out = exchange.getResponseBody();
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              try {
                write(out, ": ping\n");
                return false;
              } catch (IOException expected) {
                return true;
              }
            });
    assertThat(client.isClosed()).as("closed by us, not ended by the server").isFalse();
    assertThat(client.comments()).isEmpty();
  }

  @Test
  void closeBeforeResponseAborts() {
    server.handle("/slow", exchange -> holdOpen(exchange)); // never sends headers
    SseClient client = open("/slow", Map.of());
    client.close();

    assertThatThrownBy(() -> client.awaitOpen(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Closed by the client");
  }

  @Test
  void connectionRefusedFailsAwaitOpen() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    SseClient client = SseClient.open(httpClient, URI.create("http://127.0.0.1:" + port + "/"));
    clients.add(client);

    assertThatThrownBy(() -> client.awaitOpen(TIMEOUT))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("failed")
        .hasCauseInstanceOf(ConnectException.class);
    assertThat(client.isClosed()).isTrue();
  }

  @Test
  void errorBodyKeptForNon200() {
    server.handle(
        "/bad",
        exchange -> {
          byte[] body = "{\"error\":\"channel : '' (expected: non-empty)\"}".getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    SseClient client = open("/bad", Map.of());

    assertThat(client.awaitOpen(TIMEOUT)).isEqualTo(400);
    client.awaitClosed(TIMEOUT);
    assertThat(client.errorBody()).isEqualTo("{\"error\":\"channel : '' (expected: non-empty)\"}");
    assertThat(client.events()).isEmpty();
  }

  @Test
  void manyStreamsWithoutAThreadEach() {
    server.handle(
        "/many",
        exchange -> {
          write(startStream(exchange), "data: hi\n\n");
          holdOpen(exchange);
        });
    int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
    int streams = 200;
    for (int i = 0; i < streams; i++) {
      open("/many", Map.of());
    }
    for (SseClient client : clients) {
      client.awaitEvents(1, TIMEOUT);
    }
    // The server side holds a thread per stream; the client side has its selector and a few
    // workers.
    List<String> clientThreads =
        Thread.getAllStackTraces().keySet().stream()
            .map(Thread::getName)
            .filter(name -> name.startsWith("HttpClient") || name.startsWith("ssehub-sse-client"))
            .collect(Collectors.toList());
    assertThat(clientThreads).hasSizeLessThanOrEqualTo(SseClient.DEFAULT_THREADS + 1);
    assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore)
        .isLessThanOrEqualTo(streams + SseClient.DEFAULT_THREADS + 1);
  }

  private SseClient open(String path, Map<String, String> headers) {
    SseClient client = SseClient.open(httpClient, server.uri(path), headers);
    clients.add(client);
    return client;
  }

  private static OutputStream startStream(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0); // chunked: each flush below is one HTTP chunk
    return exchange.getResponseBody();
  }

  private static void write(OutputStream out, String s) throws IOException {
    write(out, s.getBytes(UTF_8));
  }

  private static void write(OutputStream out, byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  private void holdOpen(HttpExchange exchange) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.close();
  }
}
