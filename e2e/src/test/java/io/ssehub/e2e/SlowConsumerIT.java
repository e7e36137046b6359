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
  private static final int READERS = 20;
  private static final int PAYLOAD = 1000;

  @Test
  void stuckClientIsCutOthersUnaffectedAndItResumesWithoutGap() throws Exception {
    try (HubProcess hub = HubProcess.start("--max-pending-bytes", "1048576", "--history-size", "20000")) {
      HttpClient http = SseClient.newHttpClient();
      List<SseClient> readers = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        readers.add(SseClient.open(http, hub.uri("/stream?channel=firehose")));
      }
      readers.forEach(reader -> assertThat(reader.awaitOpen(Duration.ofSeconds(10))).isEqualTo(200));

      try (Socket stuck = new Socket()) {
        // A small receive window, so that the hub's own bound, not the kernel's buffers, is what fills.
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new java.net.InetSocketAddress("127.0.0.1", hub.port()));
        OutputStream out = stuck.getOutputStream();
        out.write(("GET /stream?channel=firehose HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();

        Publisher publisher = new Publisher();
        String padding = "x".repeat(PAYLOAD);
        long start = System.nanoTime();
        List<Long> latenciesMicros = new ArrayList<>();
        for (int e = 0; e < EVENTS; e++) {
          publisher.publishOk(hub.uri("/"), "firehose", e + ":" + System.nanoTime() + ":" + padding);
          // Spread over about 30 s, as the issue asks: ~333 events/s.
          long due = start + (e + 1) * 3_000_000L;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        for (SseClient reader : readers) {
          List<SseParser.Event> events = reader.awaitEvents(EVENTS, Duration.ofSeconds(60));
          assertThat(events).hasSize(EVENTS);
          for (int e = 0; e < EVENTS; e++) {
            assertThat(events.get(e).data()).startsWith(e + ":");
          }
        }
        System.out.printf("slow-consumer run: %d events to %d readers in %.1f s while one client did not read%n",
            EVENTS, READERS, (System.nanoTime() - start) / 1e9);

        // Now read what the stuck client got before the hub cut it: the stream must end early.
        stuck.setSoTimeout(10_000);
        byte[] received = readUntilClosed(stuck.getInputStream());
        String text = new String(received, StandardCharsets.UTF_8);
        int body = text.indexOf("\r\n\r\n");
        assertThat(body).isPositive();
        List<Object> parsed = SseParser.parseAll(dechunk(Arrays.copyOfRange(received, body + 4, received.length)));
        List<SseParser.Event> before = parsed.stream().filter(SseParser.Event.class::isInstance).map(SseParser.Event.class::cast).toList();
        assertThat(before.size()).as("the stuck client was cut before the end").isLessThan(EVENTS);
        String lastId = lastEventId(parsed);
        System.out.printf("stuck client got %d events before the cut, last id %s; hub health %d%n",
            before.size(), lastId, hub.healthStatus());

        try (SseClient resumed = SseClient.open(http, hub.uri("/stream?channel=firehose"), Map.of("Last-Event-ID", lastId))) {
          List<SseParser.Event> rest = resumed.awaitEvents(EVENTS - before.size(), Duration.ofSeconds(30));
          List<String> all = new ArrayList<>();
          before.forEach(event -> all.add(event.data().substring(0, event.data().indexOf(':'))));
          rest.forEach(event -> all.add(event.data().substring(0, event.data().indexOf(':'))));
          List<String> expected = new ArrayList<>();
          for (int e = 0; e < EVENTS; e++) {
            expected.add(Integer.toString(e));
          }
          assertThat(all).containsExactlyElementsOf(expected);
        }
      } finally {
        readers.forEach(SseClient::close);
      }
    }
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
      int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
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
