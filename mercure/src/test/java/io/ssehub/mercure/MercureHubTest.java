package io.ssehub.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.http.HttpProblem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Mercure front door without HTTP: who may publish, what each subscriber receives, where it resumes. */
class MercureHubTest {
  private final SseHub hub = SseHub.builder().keepalive(Duration.ZERO).build();
  private final MercureHub mercure = MercureHub.builder(hub).build();

  @AfterEach
  void close() {
    hub.close();
  }

  private static MercureRequest request(String method, Map<String, List<String>> query, Map<String, List<String>> form,
      Map<String, String> headers, String address) {
    return new MercureRequest(method, query, form, headers::get, address);
  }

  private String publish(String... fields) {
    Map<String, List<String>> form = new java.util.LinkedHashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      form.computeIfAbsent(fields[i], k -> new ArrayList<>()).add(fields[i + 1]);
    }
    return mercure.publish(request("POST", Map.of(), form, Map.of(), "127.0.0.1")).join();
  }

  private Text subscribe(Map<String, String> headers, String... selectors) {
    Text sink = new Text();
    MercureHub.Opening opening = mercure.subscribe(
        request("GET", Map.of("topic", List.of(selectors)), Map.of(), headers, "127.0.0.1")).join();
    sink.lastEventIdHeader = opening.lastEventIdHeader();
    opening.open(sink);
    return sink;
  }

  @Test
  void anonymousPublishingIsForLoopbackOnlyByDefault() {
    assertThatThrownBy(() -> mercure.publish(request("POST", Map.of(), Map.of("topic", List.of("a")), Map.of(), "10.1.2.3")))
        .isInstanceOfSatisfying(HttpProblem.class, p -> {
          assertThat(p.status()).isEqualTo(401);
          assertThat(p.getMessage()).contains("loopback");
        });
    MercureHub open = MercureHub.builder(hub).anonymousPublishFromAnywhere(true).build();
    assertThat(open.publish(request("POST", Map.of(), Map.of("topic", List.of("a")), Map.of(), "10.1.2.3")).join())
        .startsWith("urn:uuid:");
  }

  @Test
  void withoutASubscriberKeyNobodyReceivesPrivateUpdates() {
    Text sink = subscribe(Map.of(), "*");
    publish("topic", "a", "data", "private one", "private", "on");
    publish("topic", "a", "data", "public one");
    assertThat(sink.text()).contains("data: public one").doesNotContain("private one");
  }

  @Test
  void lastEventIdHeaderIsTheNewestVisibleIdElseTheRequestedOneElseEarliest() {
    publish("topic", "a", "data", "1", "id", "one");
    publish("topic", "b", "data", "2", "id", "two");
    assertThat(subscribe(Map.of("Last-Event-ID", "earliest"), "a").lastEventIdHeader).isEqualTo("one");
    assertThat(subscribe(Map.of("Last-Event-ID", "one"), "c").lastEventIdHeader).isEqualTo("one");
    assertThat(subscribe(Map.of("Last-Event-ID", "gone"), "c").lastEventIdHeader).isEqualTo("earliest");
    assertThat(subscribe(Map.of(), "a").lastEventIdHeader).isNull();
    Text earliest = subscribe(Map.of("Last-Event-ID", "earliest"), "a", "b");
    assertThat(earliest.text()).contains("data: 1").contains("data: 2").doesNotContain("ssehub.history-cut");
  }

  @Test
  void idsThatLookLikeMultiChannelCursorsResumeAsPlainIds() {
    publish("topic", "a", "data", "1", "id", "YWJj==");
    publish("topic", "a", "data", "2", "id", "k=v,w=z");
    publish("topic", "a", "data", "3");
    assertThat(subscribe(Map.of("Last-Event-ID", "YWJj=="), "a").text()).doesNotContain("data: 1").contains("data: 2")
        .contains("data: 3");
    assertThat(subscribe(Map.of("Last-Event-ID", "k=v,w=z"), "a").text()).doesNotContain("data: 2").contains("data: 3");
  }

  @Test
  void anIdThatWouldMeanSomethingElseIsRefused() {
    for (String id : List.of("#a", "earliest")) {
      assertThatThrownBy(() -> publish("topic", "a", "id", id))
          .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
    }
  }

  /** Keeps what a stream is sent, as text. */
  private static final class Text implements SseSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String lastEventIdHeader;

    @Override
    public synchronized void send(byte[] chunk) {
      bytes.writeBytes(chunk);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void abort() {}
  }
}
