package io.ssehub.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.ssehub.testkit.SseClient;
import io.ssehub.testkit.SseParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;

/**
 * ARCHITECTURE.md invariant 4 over real HTTP: while events are published at a steady rate, a client
 * is cut at random points and reconnects each time with its last event id (to the node {@code
 * nodes} gives for that connection); it must receive every event exactly once, in order per
 * channel.
 */
final class CutAndResume {
  private final IntFunction<URI> nodes;
  private final IntFunction<URI> publishNodes;
  private final List<String> channels;
  private final int events;
  private final int cuts;
  private final long seed;

  /**
   * @param nodes the hub to connect to for the n-th connection (0 first)
   * @param publishNodes the hub to publish the n-th event through
   */
  CutAndResume(
      IntFunction<URI> nodes,
      IntFunction<URI> publishNodes,
      List<String> channels,
      int events,
      int cuts,
      long seed) {
    this.nodes = nodes;
    this.publishNodes = publishNodes;
    this.channels = channels;
    this.events = events;
    this.cuts = cuts;
    this.seed = seed;
  }

  /** Runs the scenario and checks what the client received. */
  void run() throws Exception {
    TreeSet<Integer> cutPoints = new TreeSet<>();
    Random random = new Random(seed);
    while (cutPoints.size() < cuts) {
      cutPoints.add(1 + random.nextInt(events - 1));
    }
    HttpClient http = SseClient.newHttpClient();
    Publisher publisher = new Publisher();
    ExecutorService publishing = Executors.newSingleThreadExecutor();
    List<String> received = new ArrayList<>();
    List<String> log =
        new ArrayList<>(); // per connection: where it resumed and what it got, for failures
    int connection = 0;
    String lastEventId = null;
    SseClient client = open(http, connection, null);
    try {
      Future<?> published =
          publishing.submit(
              () -> {
                for (int i = 0; i < events && !Thread.currentThread().isInterrupted(); i++) {
                  String channel = channels.get(i % channels.size());
                  publisher.publishOk(publishNodes.apply(i), channel, channel + ":" + i);
                  LockSupport.parkNanos(100_000); // a steady rate rather than flat out
                }
              });
      for (int cutPoint : cutPoints) {
        int before = received.size();
        SseClient current = client;
        Awaitility.await("event " + cutPoint + " on connection " + connection)
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(2))
            .until(
                () ->
                    before + current.events().size() >= cutPoint
                        || published.isDone() && !isRunning(published));
        current.close();
        List<String> got = dataOf(current.events());
        log.add(
            "connection "
                + connection
                + " from "
                + current.uri()
                + " got "
                + got.size()
                + ": "
                + (got.isEmpty() ? "" : got.get(0) + " .. " + got.get(got.size() - 1))
                + ", last id "
                + current.lastEventId());
        received.addAll(got);
        connection++;
        // As a browser's EventSource: the last event id outlives a connection that set none.
        if (!current.lastEventId().isEmpty()) {
          lastEventId = current.lastEventId();
        }
        client = open(http, connection, lastEventId);
      }
      int before = received.size();
      SseClient last = client;
      try {
        Awaitility.await("all " + events + " events")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> before + last.events().size() >= events);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        List<String> got = dataOf(last.events());
        throw new AssertionError(
            "got "
                + (before + got.size())
                + " of "
                + events
                + " events; last connection from "
                + last.uri()
                + " resumed at "
                + (log.isEmpty() ? "-" : log.get(log.size() - 1))
                + " got "
                + got.size()
                + (got.isEmpty() ? "" : ": " + got.get(0) + " .. " + got.get(got.size() - 1))
                + "; missing: "
                + missing(received, got)
                + "\nconnections:\n"
                + String.join("\n", log),
            e);
      }
      published.get(30, TimeUnit.SECONDS);
      received.addAll(dataOf(last.events()));
    } finally {
      client.close();
      publishing.shutdownNow();
    }
    check(received, log);
  }

  private List<String> missing(List<String> received, List<String> last) {
    java.util.Set<String> all = new java.util.HashSet<>(received);
    all.addAll(last);
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < events && missing.size() < 20; i++) {
      String item = channels.get(i % channels.size()) + ":" + i;
      if (!all.contains(item)) {
        missing.add(item);
      }
    }
    return missing;
  }

  private static boolean isRunning(Future<?> future) {
    return !future.isDone();
  }

  private SseClient open(HttpClient http, int connection, String lastEventId) {
    StringBuilder query = new StringBuilder("/stream?");
    for (String channel : channels) {
      query
          .append("channel=")
          .append(URLEncoder.encode(channel, StandardCharsets.UTF_8))
          .append('&');
    }
    URI uri = nodes.apply(connection).resolve(query.substring(0, query.length() - 1));
    Map<String, String> headers =
        lastEventId == null || lastEventId.isEmpty()
            ? Map.of()
            : Map.of("Last-Event-ID", lastEventId);
    SseClient client = SseClient.open(http, uri, headers);
    assertThat(client.awaitOpen(Duration.ofSeconds(10))).as("status of %s", uri).isEqualTo(200);
    return client;
  }

  private static List<String> dataOf(List<SseParser.Event> events) {
    List<String> data = new ArrayList<>(events.size());
    for (SseParser.Event event : events) {
      assertThat(event.type()).as("no history cut on a resume within history").isEqualTo("message");
      data.add(event.data());
    }
    return data;
  }

  private void check(List<String> received, List<String> log) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> duplicates = new ArrayList<>();
    for (String item : received) {
      if (!seen.add(item)) {
        duplicates.add(item);
      }
    }
    assertThat(duplicates).as("duplicates; connections:%n%s", String.join("\n", log)).isEmpty();
    assertThat(received).as("every event once").hasSize(events);
    Map<String, List<Integer>> perChannel = new LinkedHashMap<>();
    for (String item : received) {
      int colon = item.lastIndexOf(':');
      perChannel
          .computeIfAbsent(item.substring(0, colon), c -> new ArrayList<>())
          .add(Integer.parseInt(item.substring(colon + 1)));
    }
    assertThat(perChannel.keySet()).containsExactlyInAnyOrderElementsOf(channels);
    for (List<Integer> sequence : perChannel.values()) {
      assertThat(sequence).as("publish order").isSorted();
    }
  }
}
