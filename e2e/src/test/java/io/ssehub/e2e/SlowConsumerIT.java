package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading for 30 s while 10,000 events flow: it is cut loose at its bound,
 * the others' delivery is not slowed, and on reconnect it receives everything it missed.
 */
class SlowConsumerIT {
  private static final int EVENTS = 10_000;
  private static final int BASELINE = 1_000;
  private static final int READERS = 20;
  private static final int PAYLOAD = 1000;

  @Test
  void stuckClientIsCutOthersUnaffectedAndItResumesWithoutGap() throws Exception {
    try (HubProcess hub =
        HubProcess.start("--max-pending-bytes", "1048576", "--history-size", "20000")) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> readers = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        readers.add(SseClient.open(http, hub.uri("/stream?channel=firehose")));
      }
      readers.forEach(Streams::awaitStarted);
      Publisher publisher = new Publisher();
      String padding = "x".repeat(PAYLOAD);

      // Baseline: the readers alone.
      publishPaced(publisher, hub, padding, 0, BASELINE);

      try (Socket stuck = new Socket()) {
        // A small receive window, so that the hub's own bound, not the kernel's buffers, is what
        // fills.
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new java.net.InetSocketAddress("127.0.0.1", hub.port()));
        OutputStream out = stuck.getOutputStream();
        out.write(
            ("GET /stream?channel=firehose HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();

        // 10,000 events over about 30 s while it reads nothing.
        long start = System.nanoTime();
        publishPaced(publisher, hub, padding, BASELINE, BASELINE + EVENTS);
        double seconds = (System.nanoTime() - start) / 1e9;

        List<Long> baseline = new ArrayList<>();
        List<Long> whileStuck = new ArrayList<>();
        for (SseClient reader : readers) {
          List<SseParser.Event> events =
              reader.awaitEvents(BASELINE + EVENTS, Duration.ofSeconds(60));
          List<Long> arrivals = reader.arrivalNanos();
          for (int e = 0; e < BASELINE + EVENTS; e++) {
            String[] parts = events.get(e).data().split(":", 3);
            assertThat(Integer.parseInt(parts[0])).isEqualTo(e);
            long latency = arrivals.get(e) - Long.parseLong(parts[1]);
            (e < BASELINE ? baseline : whileStuck).add(latency);
          }
        }
        long baselineP99 = percentile(baseline, 0.99);
        long stuckP99 = percentile(whileStuck, 0.99);
        System.out.printf(
            "slow-consumer run: %d readers; baseline %d events: p50 %.2f ms, p99 %.2f ms;"
                + " with a stuck client, %d events in %.1f s (%.0f/s): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
            READERS,
            BASELINE,
            percentile(baseline, 0.5) / 1e6,
            baselineP99 / 1e6,
            EVENTS,
            seconds,
            EVENTS / seconds,
            percentile(whileStuck, 0.5) / 1e6,
            stuckP99 / 1e6,
            percentile(whileStuck, 1.0) / 1e6);
        // Generous: the machine is shared and noisy. A hub that blocked on the stuck client would
        // be off by seconds, not milliseconds.
        assertThat(stuckP99)
            .as("readers' p99 latency while one client is stuck, ns")
            .isLessThan(5 * baselineP99 + 100_000_000L);

        // Now read what the stuck client got before the hub cut it: the stream must end early.
        stuck.setSoTimeout(10_000);
        byte[] received = readUntilClosed(stuck.getInputStream());
        String text = new String(received, StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n");
        assertThat(body).isPositive();
        List<Object> parsed =
            SseParser.parseAll(dechunk(Arrays.copyOfRange(received, body + 4, received.length)));
        List<SseParser.Event> before =
            parsed.stream()
                .filter(SseParser.Event.class::isInstance)
                .map(SseParser.Event.class::cast)
                .toList();
        assertThat(before.size()).as("the stuck client was cut before the end").isLessThan(EVENTS);
        String lastId = lastEventId(parsed);
        System.out.printf(
            "stuck client got %d events before the cut, last id %s%n", before.size(), lastId);

        int first = before.isEmpty() ? -1 : Integer.parseInt(before.get(0).data().split(":", 2)[0]);
        try (SseClient resumed =
            SseClient.open(
                http, hub.uri("/stream?channel=firehose"), Map.of("Last-Event-ID", lastId))) {
          int last = BASELINE + EVENTS - 1;
          List<SseParser.Event> rest =
              resumed.awaitEvents(last - first + 1 - before.size(), Duration.ofSeconds(30));
          List<Integer> all = new ArrayList<>();
          before.forEach(event -> all.add(Integer.parseInt(event.data().split(":", 2)[0])));
          rest.forEach(event -> all.add(Integer.parseInt(event.data().split(":", 2)[0])));
          List<Integer> expected = new ArrayList<>();
          for (int e = first; e <= last; e++) {
            expected.add(e);
          }
          assertThat(all)
              .as("everything from its first event on, once")
              .containsExactlyElementsOf(expected);
          assertThat(rest).extracting(SseParser.Event::type).doesNotContain("ssehub.history-cut");
        }
      } finally {
        readers.forEach(SseClient::close);
      }
    }
  }

  /**
   * Publishes events {@code from} to {@code to} (exclusive) at about 333 per second, each carrying
   * its send time.
   */
  private static void publishPaced(
      Publisher publisher, HubProcess hub, String padding, int from, int to) {
    long start = System.nanoTime();
    for (int e = from; e < to; e++) {
      publisher.publishOk(hub.uri("/"), "firehose", e + ":" + System.nanoTime() + ":" + padding);
      long wait = start + (e - from + 1) * 3_000_000L - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private static long percentile(List<Long> values, double quantile) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
    return sorted.get(Math.max(0, index));
  }

  private static String lastEventId(List<Object> parsed) {
    String id = "";
    for (Object item : parsed) {
      if (item instanceof SseParser.Event event) {
        id = event.id();
      } else if (item instanceof SseParser.IdOnly idOnly) {
        id = idOnly.lastEventId();
      }
    }
    return id;
  }

  private static byte[] readUntilClosed(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // The hub aborted the connection: what arrived before the reset is what the client has.
    }
    return out.toByteArray();
  }

  /** Removes HTTP/1.1 chunk framing; an incomplete last chunk is kept as far as it goes. */
  private static byte[] dechunk(byte[] chunked) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int i = 0;
    while (i < chunked.length) {
      int lineEnd = indexOf(chunked, i);
      if (lineEnd < 0) {
        break;
      }
      int size =
          Integer.parseInt(
              new String(chunked, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(),
              16);
      if (size == 0) {
        break;
      }
      int from = lineEnd + 2;
      int to = Math.min(from + size, chunked.length);
      out.write(chunked, from, to - from);
      i = to + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
