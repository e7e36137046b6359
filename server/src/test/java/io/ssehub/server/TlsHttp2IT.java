package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.SseHub;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import io.ssehub.testkit.TestCertificate;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTPS with the JDK's HttpClient: HTTP/2 by ALPN, HTTP/1.1 still, and what is not TLS. */
class TlsHttp2IT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static TestCertificate certificate;

  private final List<SseClient> clients = new ArrayList<>();
  private SseHubServer server;

  @BeforeAll
  static void makeCertificate() {
    certificate = TestCertificate.create();
  }

  @AfterAll
  static void deleteCertificate() {
    certificate.close();
  }

  @BeforeEach
  void start() {
    SseHub hub = SseHub.builder().keepalive(Duration.ofMillis(200)).build();
    server =
        SseHubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub(hub)
            .tls(certificate.certificateFile(), certificate.keyFile())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    clients.forEach(SseClient::close);
    server.close();
  }

  private HttpClient client(HttpClient.Version version) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(certificate.clientContext())
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(WAIT)
        .build();
  }

  private URI uri(String target) {
    return URI.create("https://127.0.0.1:" + server.port() + target);
  }

  private SseClient open(HttpClient http, String target, HttpClient.Version version) {
    SseClient client = SseClient.open(http, uri(target), Map.of(), version);
    clients.add(client);
    return client;
  }

  private double openConnections() {
    return server.meterRegistry().get("ssehub.connections.open").gauge().value();
  }

  @Test
  void jdkClientGetsAStreamOverHttp2AndPublishesOnTheSameConnection() throws Exception {
    HttpClient http = client(HttpClient.Version.HTTP_2);
    SseClient stream = open(http, "/stream?channel=tls", HttpClient.Version.HTTP_2);
    assertThat(stream.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(stream.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(stream.headers().firstValue("content-type"))
        .hasValue("text/event-stream; charset=utf-8");
    // Connection-level headers of HTTP/1.1 are not HTTP/2's (RFC 9113, 8.2.2).
    assertThat(stream.headers().firstValue("transfer-encoding")).isEmpty();
    assertThat(stream.headers().firstValue("connection")).isEmpty();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == 1);

    HttpResponse<String> published =
        http.send(
            HttpRequest.newBuilder(uri("/publish"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"channel\":\"tls\",\"data\":\"over h2\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
    assertThat(published.version()).isEqualTo(HttpClient.Version.HTTP_2);

    assertThat(stream.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("over h2");
    assertThat(stream.awaitComments(1, WAIT)).isNotEmpty(); // keepalives, on the HTTP/2 stream too
    assertThat(openConnections()).isEqualTo(1.0); // the publish went over the stream's connection
  }

  @Test
  void httpOneStillServedOverTlsWhenTheClientAsksForIt() {
    SseClient stream =
        open(
            client(HttpClient.Version.HTTP_1_1),
            "/stream?channel=old",
            HttpClient.Version.HTTP_1_1);
    assertThat(stream.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(stream.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(stream.headers().firstValue("transfer-encoding")).hasValue("chunked");
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == 1);
    server.hub().publish("old", "over 1.1").join();
    assertThat(stream.awaitEvents(1, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("over 1.1");
  }

  @Test
  void cancellingOneHttp2StreamUnsubscribesOnlyThatStream() {
    HttpClient http = client(HttpClient.Version.HTTP_2);
    List<SseClient> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(open(http, "/stream?channel=c" + i, HttpClient.Version.HTTP_2));
      assertThat(streams.get(i).awaitOpen(WAIT))
          .isEqualTo(200); // one after the other: one connection
    }
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == 3);
    assertThat(openConnections()).isEqualTo(1.0);

    streams.get(1).close(); // RST_STREAM from the client
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == 2);
    assertThat(openConnections()).isEqualTo(1.0);
    for (int i : new int[] {0, 2}) {
      server.hub().publish("c" + i, "still here " + i).join();
      assertThat(streams.get(i).awaitEvents(1, WAIT))
          .extracting(SseParser.Event::data)
          .containsExactly("still here " + i);
    }
  }

  @Test
  void serverShutdownEndsEveryHttp2StreamCleanly() {
    HttpClient http = client(HttpClient.Version.HTTP_2);
    SseClient a = open(http, "/stream?channel=a", HttpClient.Version.HTTP_2);
    SseClient b = open(http, "/stream?channel=b", HttpClient.Version.HTTP_2);
    assertThat(a.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(b.awaitOpen(WAIT)).isEqualTo(200);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> server.hub().streamCount() == 2);
    server.close();
    a.awaitClosed(WAIT);
    b.awaitClosed(WAIT);
    assertThat(a.failure()).isEmpty(); // END_STREAM, not a reset
    assertThat(b.failure()).isEmpty();
  }

  @Test
  void plainHttpOnTheTlsPortIsClosedAndTheServerGoesOn() throws Exception {
    try (Socket socket = RawHttp.connect(server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      // Whatever the JDK's TLS says before it goes (perhaps an alert record), the connection ends.
      byte[] buffer = new byte[1024];
      int total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
        assertThat(total).isLessThan(1024);
      }
    }
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> openConnections() == 0.0);
    HttpResponse<String> health =
        client(HttpClient.Version.HTTP_2)
            .send(
                HttpRequest.newBuilder(uri("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
  }
}
