package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ssehub.testkit.SseClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on a running {@code bin/ssehub}: known traffic (N streams, M events, a
 * client leaving, a refused stream) and the counts it caused, read back from the Prometheus text.
 */
class MetricsIT {
  private static final int STREAMS = 4;
  private static final int EVENTS = 7;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void countsTheTrafficItSaw() throws Exception {
    try (HubProcess hub = HubProcess.start("--max-channels-per-stream", "2")) {
      HttpClient client = SseClient.newHttpClient();
      List<SseClient> streams = new ArrayList<>();
      try {
        for (int i = 0; i < STREAMS; i++) {
          SseClient stream = SseClient.open(client, hub.uri("/stream?channel=metrics"));
          streams.add(stream);
          assertThat(stream.awaitOpen(Duration.ofSeconds(10))).isEqualTo(200);
        }
        await("streams registered")
            .atMost(Duration.ofSeconds(10))
            .until(() -> value(scrape(hub), "ssehub_streams_open") == STREAMS);
        Publisher publisher = new Publisher();
        for (int i = 0; i < EVENTS; i++) {
          publisher.publishOk(hub.uri("/"), "metrics", "event " + i);
        }
        for (SseClient stream : streams) {
          stream.awaitEvents(EVENTS, Duration.ofSeconds(10));
        }
        // Over the channel limit: a 400, counted as a stream refused by a limit.
        HttpResponse<String> tooMany =
            HTTP.send(
                HttpRequest.newBuilder(hub.uri("/stream?channel=a&channel=b&channel=c"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooMany.statusCode()).isEqualTo(400);

        String text = scrape(hub);
        assertThat(value(text, "ssehub_streams_open")).isEqualTo(STREAMS);
        assertThat(value(text, "ssehub_streams_opened_total")).isEqualTo(STREAMS);
        assertThat(value(text, "ssehub_events_published_total")).isEqualTo(EVENTS);
        assertThat(value(text, "ssehub_events_delivered_total")).isEqualTo(STREAMS * EVENTS);
        assertThat(value(text, "ssehub_fanout_seconds_count")).isEqualTo(EVENTS);
        assertThat(value(text, "ssehub_streams_closed_total{reason=\"limit\"}")).isEqualTo(1);
        assertThat(value(text, "ssehub_streams_closed_total{reason=\"client_gone\"}")).isZero();
        assertThat(value(text, "ssehub_broker_connected")).isEqualTo(1);
        assertThat(value(text, "ssehub_broker_reconnects_total")).isZero();
        assertThat(value(text, "ssehub_channels_subscribed")).isEqualTo(1);
        assertThat(value(text, "ssehub_refusals_total{cause=\"max_connections\"}")).isZero();
        // Every stream got its retry line, position and EVENTS events: at least that many bytes.
        assertThat(value(text, "ssehub_written_bytes_total"))
            .isGreaterThan(STREAMS * EVENTS * "data: event 0\n\n".length());
        assertThat(text).contains("# TYPE ssehub_fanout_seconds histogram");
        // An idle node keeps up: its loops are probed, and each probe runs at once.
        assertThat(value(text, "ssehub_eventloop_delay_seconds")).isBetween(0.0, 0.5);

        streams.remove(0).close();
        await("a client that left is counted")
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  String now = scrape(hub);
                  return value(now, "ssehub_streams_closed_total{reason=\"client_gone\"}") == 1
                      && value(now, "ssehub_streams_open") == STREAMS - 1;
                });
      } finally {
        streams.forEach(SseClient::close);
      }
    }
  }

  /** GET /metrics, checked to be Prometheus text. */
  static String scrape(HubProcess hub) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(hub.uri("/metrics")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    return response.body();
  }

  /** The value of one sample, by its name and labels as written; fails if absent. */
  static double value(String text, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
    if (!m.find()) {
      // Micrometer may add labels after ours; accept the first sample whose name and given labels
      // match.
      String name = sample.contains("{") ? sample.substring(0, sample.indexOf('{')) : sample;
      String labels =
          sample.contains("{")
              ? sample.substring(sample.indexOf('{') + 1, sample.length() - 1)
              : "";
      Matcher any =
          Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
      while (any.find()) {
        if (any.group(1) == null ? labels.isEmpty() : any.group(1).contains(labels)) {
          return Double.parseDouble(any.group(2));
        }
      }
      throw new AssertionError("no sample " + sample + " in:\n" + text);
    }
    return Double.parseDouble(m.group(1));
  }
}
