package io.ssehub.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.ScheduledFuture;
import io.ssehub.core.AccessDecision;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.SseEncoder;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's page at {@code /ui} and its stream at {@code /ui/stream}: every second, a JSON
 * snapshot of this node (channels and their stream counts, the hub's event counters, the broker's
 * state) goes to each open page as an SSE event of type {@value #SNAPSHOT_TYPE}; the page computes
 * rates from the counters' differences. Nothing polls: the page holds one {@code EventSource}.
 *
 * <p>Who may see it: whoever may publish to every channel, as the hub's {@code Authorizer} says
 * when asked about publishing to {@value #EVERY_CHANNEL}. With {@code GrantAuthorizer} that is a
 * token granting {@code publish: ["*"]} when a JWT key is configured, loopback clients without one,
 * and everyone with {@code --allow-anonymous-publish}. Why every channel, not one: the page shows
 * every channel's name and publishes to any of them.
 *
 * <p>Snapshots are built from the meters of {@code HubMetrics} on the server's registry and from
 * the hub's read-only views; a registry without those meters gives nulls, which the page shows as
 * such. Each page's ticks run on its connection's event loop and stop when it closes; a page that
 * does not read its snapshots ({@value #MAX_PENDING_BYTES} bytes waiting) is closed, and its {@code
 * EventSource} reconnects.
 *
 * <p>Threading: immutable after construction; {@link #snapshot} is safe from any thread.
 */
public final class Dashboard {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

  /** The channel name the authorizer is asked about: only a grant for every channel matches it. */
  public static final String EVERY_CHANNEL = "*";

  /** The SSE event type of a snapshot. */
  public static final String SNAPSHOT_TYPE = "snapshot";

  /** How often each page gets a snapshot, by default. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** Channels listed in a snapshot, busiest first; the total is always given. */
  static final int MAX_CHANNELS = 200;

  /** Snapshot bytes that may wait for a page before it is closed. */
  static final long MAX_PENDING_BYTES = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SseHub hub;
  private final MeterRegistry registry;
  private final ServerContext context;
  private final Duration interval;
  private final String node;
  private final byte[] page;

  public Dashboard(ServerContext context, MeterRegistry registry, Duration interval) {
    this.context = context;
    this.hub = context.hub();
    this.registry = registry;
    this.interval = interval;
    this.node = nodeName();
    this.page = ServerContext.resource("dashboard.html");
  }

  /** The page's HTML, self-contained: no script or style from anywhere else. */
  byte[] page() {
    return page;
  }

  /**
   * Lets the client through if it may publish to every channel.
   *
   * @throws AccessDeniedException otherwise: 401 without usable credentials, 403 with too few
   *     rights
   */
  void authorize(Principal principal, String remoteAddress) {
    try {
      hub.authorize(
          new AccessRequest(
              AccessRequest.Action.PUBLISH, List.of(EVERY_CHANNEL), principal, remoteAddress));
    } catch (AccessDeniedException e) {
      String reason =
          "the dashboard needs the right to publish to every channel (" + e.getMessage() + ")";
      throw new AccessDeniedException(
          e.unauthenticated()
              ? AccessDecision.unauthenticated(reason)
              : AccessDecision.forbidden(reason));
    }
  }

  /**
   * Starts the snapshots on {@code channel}, whose response begins with {@code head}; they stop
   * when the channel closes. Returns the stream's sink.
   */
  NettySink open(Channel channel, HttpResponse head) {
    NettySink sink = new NettySink(channel, head);
    // A reconnecting page comes back after the interval, not after the browser's default 3 s.
    sink.send(
        ("retry: " + Math.max(1000, interval.toMillis()) + "\n\n")
            .getBytes(StandardCharsets.US_ASCII));
    ScheduledFuture<?> ticks =
        channel
            .eventLoop()
            .scheduleAtFixedRate(() -> tick(sink), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> ticks.cancel(false));
    return sink;
  }

  private void tick(NettySink sink) {
    try {
      if (sink.pendingBytes() > MAX_PENDING_BYTES) {
        log.debug("Closing a dashboard stream that does not read its snapshots");
        sink.abort();
        return;
      }
      String json = JSON.writeValueAsString(snapshot());
      sink.send(SseEncoder.encode(SseEvent.builder().type(SNAPSHOT_TYPE).data(json).build()));
    } catch (Throwable e) {
      // One failed tick, an error included, must not cancel the schedule (a throw would): the next
      // one tries again.
      log.warn("Dashboard snapshot failed", e);
    }
  }

  /** What a page shows, now. */
  ObjectNode snapshot() {
    ObjectNode snapshot = JSON.createObjectNode();
    snapshot.put("node", node);
    snapshot.put("time", System.currentTimeMillis());
    ObjectNode broker = snapshot.putObject("broker");
    broker.put("connected", hub.broker().isConnected());
    broker.put("describe", hub.broker().describe());
    snapshot.put("ready", hub.isReady() && !context.draining());
    snapshot.put("draining", context.draining() || hub.isDraining());
    snapshot.put("streams", hub.streamCount());
    snapshot.put("connections", context.connections().size());
    putCounter(snapshot, "published", counter("ssehub.events.published"));
    putCounter(snapshot, "delivered", counter("ssehub.events.delivered"));
    Timer fanOut = registry.find("ssehub.fanout").timer();
    putCounter(snapshot, "fannedOut", fanOut == null ? null : (double) fanOut.count());
    snapshot.put("slowConsumerCuts", hub.slowConsumerCuts());
    Map<String, Integer> counts = hub.channelStreamCounts();
    snapshot.put("channelCount", counts.size());
    ArrayNode channels = snapshot.putArray("channels");
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(MAX_CHANNELS)
        .forEach(
            entry ->
                channels.addObject().put("name", entry.getKey()).put("streams", entry.getValue()));
    return snapshot;
  }

  private Double counter(String name) {
    Counter counter = registry.find(name).counter();
    return counter == null ? null : counter.count();
  }

  private static void putCounter(ObjectNode node, String field, Double value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value.longValue());
    }
  }

  /** Host name and process id: what tells two hubs behind one load balancer apart. */
  private static String nodeName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + " (pid " + ProcessHandle.current().pid() + ")";
  }
}
