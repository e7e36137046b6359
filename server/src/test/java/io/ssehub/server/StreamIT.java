package io.ssehub.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streams over loopback HTTP: the start, keepalives, resuming, and the end. */
class StreamIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final HttpClient http = SseClient.newHttpClient();
  private final List<SseClient> clients = new ArrayList<>();
  private SseHubServer server;

  @BeforeEach
  void start() {
    SseHub hub = SseHub.builder().keepalive(Duration.ofMillis(200)).build();
    server = SseHubServer.builder().host("127.0.0.1").port(0).hub(hub).build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(SseClient::close);
    server.close();
  }

  @Test
  void headersAndRetryLineArriveBeforeAnyEvent() {
    try (RawHttp.Stream stream = RawHttp.Stream.open(server.port(), "/stream?channel=fresh")) {
      RawHttp.Head head = stream.head();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
      assertThat(head.header("cache-control")).isEqualTo("no-cache");
      assertThat(head.header("x-accel-buffering")).isEqualTo("no");
      assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
      // Nothing was ever published here: the retry line comes on its own, at once.
      assertThat(stream.readUntil(text -> text.contains("\n\n"), WAIT))
          .startsWith("retry: 3000\n\n");
    }
  }

  @Test
  void idleStreamsGetKeepaliveComments() {
    SseClient client = open("/stream?channel=idle", Map.of());
    assertThat(client.awaitOpen(WAIT)).isEqualTo(200);
    assertThat(client.awaitComments(2, WAIT)).hasSize(2);
    assertThat(client.events()).isEmpty();
  }

  @Test
  void lastEventIdHeaderResumesAfterThatEventThenGoesLive() {
    List<String> ids = publish("resume", 5);
    SseClient client = open("/stream?channel=resume", Map.of("Last-Event-ID", ids.get(1)));
    assertThat(client.awaitEvents(3, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("e3", "e4", "e5");
    String liveId = server.hub().publish("resume", "live").join().id();
    assertThat(client.awaitEvents(4, WAIT).get(3).data()).isEqualTo("live");
    assertThat(client.lastEventId()).isEqualTo(liveId);
  }

  @Test
  void lastEventIdQueryParameterResumesAFirstConnection() {
    List<String> ids = publish("query", 3);
    SseClient client = open("/stream?channel=query&lastEventId=" + ids.get(0), Map.of());
    assertThat(client.awaitEvents(2, WAIT))
        .extracting(SseParser.Event::data)
        .containsExactly("e2", "e3");
  }

  @Test
  void headerBeatsQueryParameter() {
    List<String> ids = publish("both", 3);
    SseClient client =
        open("/stream?channel=both&lastEventId=" + ids.get(0), Map.of("Last-Event-ID", ids.get(1)));
    assertThat(client.awaitEvents(1, WAIT).get(0).data()).isEqualTo("e3");
  }

  @Test
  void unknownLastEventIdGetsAHistoryCutFirst() {
    publish("cut", 2);
    SseClient client = open("/stream?channel=cut", Map.of("Last-Event-ID", "no-such-id"));
    List<SseParser.Event> events = client.awaitEvents(1, WAIT);
    assertThat(events.get(0).type()).isEqualTo(SseEvent.HISTORY_CUT_TYPE);
    assertThat(events.get(0).data()).contains("\"lastEventId\":\"no-such-id\"");
  }

  @Test
  void aClientThatGoesAwayLeavesTheHub() {
    SseClient client = open("/stream?channel=leaving", Map.of());
    assertThat(client.awaitOpen(WAIT)).isEqualTo(200);
    await().atMost(WAIT).until(() -> server.hub().streamCount() == 1);
    client.close();
    await().atMost(WAIT).until(() -> server.hub().streamCount() == 0);
    assertThat(server.hub().subscribedChannels()).doesNotContain("leaving");
  }

  @Test
  void closingTheServerEndsStreamsCleanly() {
    SseClient client = open("/stream?channel=ending", Map.of());
    await().atMost(WAIT).until(() -> client.retry().isPresent());
    server.close();
    client.awaitClosed(WAIT);
    assertThat(client.failure()).as("the response ended normally, not by a reset").isEmpty();
    assertThat(client.comments()).contains("ssehub is shutting down; reconnect");
  }

  private SseClient open(String target, Map<String, String> headers) {
    SseClient client =
        SseClient.open(http, URI.create("http://127.0.0.1:" + server.port() + target), headers);
    clients.add(client);
    return client;
  }

  /** Publishes e1..eN to the channel; returns their ids. */
  private List<String> publish(String channel, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ids.add(server.hub().publish(channel, "e" + i).join().id());
    }
    return ids;
  }
}
