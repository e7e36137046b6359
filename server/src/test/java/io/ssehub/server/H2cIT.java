package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2CodecUtil;
import io.ssehub.core.SseHub;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 with prior knowledge on the plain port, with Netty's HTTP/2 client: streams,
 * limits, a client that does not keep up, and garbage after the preface.
 */
class H2cIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final int MAX_PENDING_BYTES = 32 * 1024;

  private SseHubServer server;
  private H2cClient client;

  @BeforeEach
  void start() {
    SseHub hub =
        SseHub.builder()
            .keepalive(Duration.ofMillis(200))
            .maxPendingBytes(MAX_PENDING_BYTES)
            .build();
    server =
        SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).maxUrlBytes(512).build().start();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  private double openConnections() {
    return server.meterRegistry().get("ssehub.connections.open").gauge().value();
  }

  @Test
  void priorKnowledgeClientGetsStreamsOnOneConnection() {
    client = new H2cClient(server.port());
    H2cClient.Stream a = client.get("/stream?channel=a", true);
    H2cClient.Stream b = client.get("/stream?channel=b", true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> server.hub().streamCount() == 2);
    assertThat(a.status()).isEqualTo("200");
    assertThat(a.headers.get("content-type")).hasToString("text/event-stream; charset=utf-8");
    assertThat(a.headers.contains("transfer-encoding")).isFalse();
    server.hub().publish("a", "to a").join();
    server.hub().publish("b", "to b").join();
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> a.data().contains("data: to a\n\n") && b.data().contains("data: to b\n\n"));
    assertThat(a.data()).doesNotContain("to b");
    assertThat(openConnections()).isEqualTo(1.0);

    a.channel.close(); // RST_STREAM(CANCEL) from the client: only that subscription goes
    await().atMost(WAIT).pollInterval(POLL).until(() -> server.hub().streamCount() == 1);
    server.hub().publish("b", "again").join();
    await().atMost(WAIT).pollInterval(POLL).until(() -> b.data().contains("data: again\n\n"));
    assertThat(client.connection().isActive()).isTrue();
  }

  @Test
  void aStreamThatDoesNotReadIsCutAloneWhileItsSiblingGoesOn() {
    client = new H2cClient(server.port());
    H2cClient.Stream slow = client.get("/stream?channel=slow", false);
    H2cClient.Stream fast = client.get("/stream?channel=fast&channel=slow", true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> server.hub().streamCount() == 2);
    String kilobytes = "x".repeat(8 * 1024);
    // One event at a time, each taken by the reading sibling before the next: nothing waits in the
    // server's own queue, so the cut can only come from the unread stream's flow-control window
    // (64 KiB) filling and the bytes behind it counting as pending.
    for (int i = 1; i <= 40 && server.hub().streamCount() == 2; i++) {
      server.hub().publish("slow", kilobytes).join();
      int events = i;
      await()
          .atMost(WAIT)
          .pollInterval(POLL)
          .until(() -> fast.data().split(kilobytes, -1).length - 1 >= events);
    }
    await().atMost(WAIT).pollInterval(POLL).until(() -> server.hub().streamCount() == 1);
    // Reading at last, the slow client finds the end of its stream (and its frames are released).
    slow.channel.config().setAutoRead(true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> slow.closed);
    assertThat(slow.data()).startsWith("retry: 3000\n");
    assertThat(slow.data().length()).isLessThan(40 * kilobytes.length());
    server.hub().publish("fast", "still flowing").join();
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> fast.data().contains("data: still flowing\n\n"));
    assertThat(client.connection().isActive()).isTrue();
    assertThat(openConnections()).isEqualTo(1.0);
  }

  @Test
  void aPathOverTheUrlLimitIs414OnItsStreamOnly() {
    client = new H2cClient(server.port());
    H2cClient.Stream tooLong = client.get("/stream?channel=" + "c".repeat(600), true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> tooLong.ended || tooLong.closed);
    assertThat(tooLong.status()).isEqualTo("414");
    assertThat(tooLong.data()).contains("\"error\":\"uri_too_long\"");
    H2cClient.Stream fine = client.get("/health", true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> fine.ended);
    assertThat(fine.status()).isEqualTo("200");
    assertThat(server.refusals().count(Refusals.Cause.URL_TOO_LONG)).isEqualTo(1);
  }

  @Test
  void anHttp2ConnectionOverTheLimitIsToldWhyOnItsStreamThenClosed() {
    server.close();
    server = SseHubServer.builder().host("127.0.0.1").port(0).maxConnections(1).build().start();
    client = new H2cClient(server.port());
    H2cClient.Stream held = client.get("/stream?channel=held", true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> server.hub().streamCount() == 1);
    try (H2cClient over = new H2cClient(server.port())) {
      H2cClient.Stream refused = over.get("/stream?channel=held", true);
      await().atMost(WAIT).pollInterval(POLL).until(() -> refused.ended);
      assertThat(refused.status())
          .isEqualTo("200"); // an EventSource stops for good on any other status
      assertThat(refused.data()).startsWith("retry: 30000\n").contains("reconnect later");
      await().atMost(WAIT).pollInterval(POLL).until(() -> !over.connection().isActive());
    }
    assertThat(server.refusals().count(Refusals.Cause.MAX_CONNECTIONS)).isEqualTo(1);
    assertThat(server.hub().streamCount()).isEqualTo(1);
    assertThat(held.closed).isFalse();
  }

  @Test
  void garbageAfterThePrefaceClosesTheConnectionAndNothingElse() throws Exception {
    byte[] preface = new byte[Http2CodecUtil.connectionPrefaceBuf().readableBytes()];
    Http2CodecUtil.connectionPrefaceBuf().getBytes(0, preface);
    byte[] garbage = new byte[256];
    Arrays.fill(garbage, (byte) 0xff);
    try (Socket socket = RawHttp.connect(server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(preface);
      out.write(garbage);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) { // SETTINGS and GOAWAY, then the end
        total += n;
        assertThat(total).isLessThan(4096);
      }
    }
    await().atMost(WAIT).pollInterval(POLL).until(() -> openConnections() == 0.0);
    assertThat(RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").status())
        .isEqualTo(200);
  }

  @Test
  void aPrefaceCutShortIsClosedByTheRequestTimeout() throws Exception {
    server.close();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .requestTimeout(Duration.ofMillis(300))
            .build()
            .start();
    try (Socket socket = RawHttp.connect(server.port())) {
      socket
          .getOutputStream()
          .write("PRI * HTTP/2.0\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // whatever comes (a 408 from the HTTP/1.1 side), then the close
      }
    }
    await().atMost(WAIT).pollInterval(POLL).until(() -> openConnections() == 0.0);
  }

  @Test
  void anIdleHttp2ConnectionIsClosedAfterTheRequestTimeout() {
    server.close();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .requestTimeout(Duration.ofMillis(300))
            .build()
            .start();
    client = new H2cClient(server.port());
    H2cClient.Stream health = client.get("/health", true);
    await().atMost(WAIT).pollInterval(POLL).until(() -> health.ended);
    await().atMost(WAIT).pollInterval(POLL).until(() -> !client.connection().isActive());
    assertThat(server.refusals().count(Refusals.Cause.REQUEST_TIMEOUT)).isEqualTo(1);
  }
}
