package io.ssehub.mercure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ssehub.core.SseHub;
import io.ssehub.core.SseSink;
import io.ssehub.http.HttpProblem;
import io.ssehub.mercure.internal.TopicSelector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Mercure front door without HTTP: who may publish, what each subscriber receives, where it
 * resumes.
 */
class MercureHubTest {
  private final SseHub hub = SseHub.builder().keepalive(Duration.ZERO).build();
  private final MercureHub mercure = MercureHub.builder(hub).build();

  @AfterEach
  void close() {
    hub.close();
  }

  private static MercureRequest request(
      String method,
      Map<String, List<String>> query,
      Map<String, List<String>> form,
      Map<String, String> headers,
      String address) {
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
    MercureHub.Opening opening =
        mercure
            .subscribe(
                request("GET", Map.of("topic", List.of(selectors)), Map.of(), headers, "127.0.0.1"))
            .join();
    sink.lastEventIdHeader = opening.lastEventIdHeader();
    opening.open(sink);
    return sink;
  }

  @Test
  void anonymousPublishingIsForLoopbackOnlyByDefault() {
    assertThatThrownBy(
            () ->
                mercure.publish(
                    request("POST", Map.of(), Map.of("topic", List.of("a")), Map.of(), "10.1.2.3")))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(401);
              assertThat(p.getMessage()).contains("loopback");
            });
    MercureHub open = MercureHub.builder(hub).anonymousPublishFromAnywhere(true).build();
    assertThat(
            open.publish(
                    request("POST", Map.of(), Map.of("topic", List.of("a")), Map.of(), "10.1.2.3"))
                .join())
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
    assertThat(subscribe(Map.of("Last-Event-ID", "earliest"), "a").lastEventIdHeader)
        .isEqualTo("one");
    assertThat(subscribe(Map.of("Last-Event-ID", "one"), "c").lastEventIdHeader).isEqualTo("one");
    assertThat(subscribe(Map.of("Last-Event-ID", "gone"), "c").lastEventIdHeader)
        .isEqualTo("earliest");
    assertThat(subscribe(Map.of(), "a").lastEventIdHeader).isNull();
    Text earliest = subscribe(Map.of("Last-Event-ID", "earliest"), "a", "b");
    assertThat(earliest.text())
        .contains("data: 1")
        .contains("data: 2")
        .doesNotContain("ssehub.history-cut");
  }

  @Test
  void idsThatLookLikeMultiChannelCursorsResumeAsPlainIds() {
    publish("topic", "a", "data", "1", "id", "YWJj==");
    publish("topic", "a", "data", "2", "id", "k=v,w=z");
    publish("topic", "a", "data", "3");
    assertThat(subscribe(Map.of("Last-Event-ID", "YWJj=="), "a").text())
        .doesNotContain("data: 1")
        .contains("data: 2")
        .contains("data: 3");
    assertThat(subscribe(Map.of("Last-Event-ID", "k=v,w=z"), "a").text())
        .doesNotContain("data: 2")
        .contains("data: 3");
  }

  @Test
  void anIdThatWouldMeanSomethingElseIsRefused() {
    for (String id : List.of("#a", "earliest")) {
      assertThatThrownBy(() -> publish("topic", "a", "id", id))
          .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
    }
  }

  @Test
  void selectorsOverTheBoundsAreA400NamingTheBound() {
    assertThatThrownBy(() -> subscribe(Map.of(), "{+v0}".repeat(TopicSelector.MAX_EXPRESSIONS + 1)))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.field()).isEqualTo("topic");
              assertThat(p.getMessage())
                  .contains(
                      "expressions (expected: at most " + TopicSelector.MAX_EXPRESSIONS + ")");
            });
    assertThatThrownBy(() -> subscribe(Map.of(), "x".repeat(TopicSelector.MAX_LENGTH + 1)))
        .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(400));
  }

  @Test
  void selectorsTooLargeTogetherAreA400() {
    String heavy = "https://example.com/{?" + "abcdefgh,".repeat(12) + "z}/";
    String[] selectors =
        new String
            [1
                + (int)
                    (MercureHub.MAX_SELECTOR_BYTES_PER_SUBSCRIBE
                        / TopicSelector.of(heavy).weight())];
    for (int i = 0; i < selectors.length; i++) {
      selectors[i] = heavy + i;
    }
    assertThatThrownBy(() -> subscribe(Map.of(), selectors))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).contains("too large together");
            });
    assertThat(subscribe(Map.of(), java.util.Arrays.copyOf(selectors, selectors.length - 1)))
        .isNotNull();
  }

  @Test
  void aTopicOverTheLengthIsA400AndOneJustUnderIsDelivered() {
    String tooLong = "https://example.com/" + "a".repeat(MercureHub.MAX_TOPIC_LENGTH);
    assertThatThrownBy(() -> publish("topic", tooLong, "data", "x"))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).contains("topic of " + tooLong.length() + " characters");
            });
    Text sink = subscribe(Map.of(), "https://example.com/{+path}");
    publish("topic", tooLong.substring(0, MercureHub.MAX_TOPIC_LENGTH), "data", "long topic");
    assertThat(sink.text()).contains("data: long topic");
  }

  @Test
  void subscriptionEventsAreBoundedPerRequestAndPerSecond() {
    MercureHub announcing = MercureHub.builder(hub).subscriptions(true).build();
    publish("topic", "https://example.com/real", "data", "real update", "id", "real");
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i <= MercureHub.MAX_ANNOUNCED_SELECTORS; i++) {
      tooMany.add("https://example.com/" + i);
    }
    assertThatThrownBy(
            () ->
                announcing.subscribe(
                    request("GET", Map.of("topic", tooMany), Map.of(), Map.of(), "127.0.0.1")))
        .isInstanceOfSatisfying(
            HttpProblem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).contains("at most " + MercureHub.MAX_ANNOUNCED_SELECTORS);
            });
    List<String> selectors = tooMany.subList(0, MercureHub.MAX_ANNOUNCED_SELECTORS);
    long started = System.nanoTime();
    int requests = 20;
    for (int i = 0; i < requests; i++) {
      announcing
          .subscribe(request("GET", Map.of("topic", selectors), Map.of(), Map.of(), "127.0.0.1"))
          .join()
          .open(new Text())
          .close();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<io.ssehub.core.SseEvent> history =
        hub.broker().history().after(MercureHub.CHANNEL, MercureHub.EARLIEST).join().events();
    long announced =
        history.stream()
            .filter(
                e ->
                    e.tags().size() > 1
                        && e.tags()
                            .get(1)
                            .startsWith(io.ssehub.mercure.internal.Subscriptions.PREFIX))
            .count();
    long allowed =
        MercureHub.ANNOUNCEMENT_BURST
            + (long) Math.ceil(seconds * MercureHub.ANNOUNCEMENTS_PER_SECOND)
            + selectors.size();
    assertThat(announced)
        .as("arrivals and their departures")
        .isLessThanOrEqualTo(2 * allowed)
        .isLessThan(2L * requests * selectors.size())
        .isGreaterThan(0);
    assertThat(history).extracting(io.ssehub.core.SseEvent::id).contains("real");
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
