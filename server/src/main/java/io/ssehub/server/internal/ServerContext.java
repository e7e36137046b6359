package io.ssehub.server.internal;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.ssehub.core.SseHub;
import io.ssehub.mercure.MercureHub;
import io.ssehub.server.Refusals;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.LongAdder;

/** What every connection's handlers share: the hub, the demo page, and the open connections. */
public final class ServerContext {
  private final SseHub hub;
  private final int maxBodyBytes;
  private final byte[] demoPage;
  private final ServerOptions options;
  private final Refusals refusals;
  private final ConnectionLimiter limiter;

  /** Guards {@code POST /publish} against cross-site request forgery. */
  private final CsrfGuard csrfGuard;

  /** Every open connection; closed ones leave by themselves. */
  private final ChannelGroup connections =
      new DefaultChannelGroup("ssehub-connections", GlobalEventExecutor.INSTANCE);

  /** The connections that carry a stream. */
  private final ChannelGroup streams =
      new DefaultChannelGroup("ssehub-streams", GlobalEventExecutor.INSTANCE);

  /** Bytes of every stream handed to the socket; added once per drain, not per event. */
  private final LongAdder bytesWritten = new LongAdder();

  /** Deliveries queued in the streams' sinks and not yet handed to their channels. */
  private final LongAdder fanOutBacklog = new LongAdder();

  /**
   * Answers {@code GET /metrics}; null when metrics go to a registry that cannot be scraped here.
   */
  private final MetricsScrape metrics;

  /** The Mercure front door; null when it is off. Set once, before the server binds. */
  private volatile MercureHub mercure;

  /**
   * How far behind the event loops run; null until the server's loops exist (and in tests without
   * them).
   */
  private volatile LoopDelay loopDelay;

  /** Set when a drain starts: readiness turns false while streams go on. */
  private volatile boolean draining;

  /**
   * Serves {@code /ui} when the dashboard is on; null when it is off. Set once, before the server
   * listens.
   */
  private volatile Dashboard dashboard;

  public ServerContext(SseHub hub, int maxBodyBytes) {
    this(hub, maxBodyBytes, ServerOptions.DEFAULTS, new Refusals());
  }

  public ServerContext(SseHub hub, int maxBodyBytes, ServerOptions options, Refusals refusals) {
    this(hub, maxBodyBytes, options, refusals, null);
  }

  public ServerContext(
      SseHub hub,
      int maxBodyBytes,
      ServerOptions options,
      Refusals refusals,
      MetricsScrape metrics) {
    this.metrics = metrics;
    this.hub = hub;
    this.maxBodyBytes = maxBodyBytes;
    this.demoPage = resource("index.html");
    this.options = options;
    this.refusals = refusals;
    this.limiter = new ConnectionLimiter(options.maxConnections(), options.maxConnectionsPerIp());
    this.csrfGuard = new CsrfGuard(CsrfGuard.origins(options.cors()));
  }

  public ServerOptions options() {
    return options;
  }

  public Refusals refusals() {
    return refusals;
  }

  public ConnectionLimiter limiter() {
    return limiter;
  }

  CsrfGuard csrfGuard() {
    return csrfGuard;
  }

  public SseHub hub() {
    return hub;
  }

  /** The largest request body read; larger ones get a 413. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public byte[] demoPage() {
    return demoPage;
  }

  public ChannelGroup connections() {
    return connections;
  }

  public ChannelGroup streams() {
    return streams;
  }

  public LongAdder bytesWritten() {
    return bytesWritten;
  }

  /**
   * Where the server's sinks count the deliveries they queued and have not yet handed to their
   * channels.
   */
  public LongAdder fanOutBacklog() {
    return fanOutBacklog;
  }

  /**
   * Deliveries this node has received and not yet written: those waiting for their event loop to
   * hand them to their streams, and those the streams queued.
   */
  public long deliveriesWaiting() {
    return hub().queuedDeliveries() + fanOutBacklog.sum();
  }

  /** Measures the server's event loops from now on; set once, when the loops exist. */
  public void loopDelay(LoopDelay loopDelay) {
    this.loopDelay = loopDelay;
  }

  /**
   * How far behind the furthest-behind event loop runs, in nanoseconds; 0 while nothing measures
   * it.
   */
  public long loopDelayNanos() {
    LoopDelay current = loopDelay;
    return current == null ? 0 : current.nanos();
  }

  /**
   * Whether the event-loop delay probe runs (true while nothing measures): readiness watches it.
   */
  public boolean loopDelayProbing() {
    LoopDelay current = loopDelay;
    return current == null || current.probing();
  }

  /** The Prometheus text of the server's meters, or null when {@code /metrics} is not served. */
  public MetricsScrape metrics() {
    return metrics;
  }

  /** The dashboard, or null when {@code /ui} is off. */
  public Dashboard dashboard() {
    return dashboard;
  }

  /** Turns {@code /ui} on; call before the server listens. */
  public void dashboard(Dashboard dashboard) {
    this.dashboard = dashboard;
  }

  /** The Mercure front door, or null when it is off. */
  public MercureHub mercure() {
    return mercure;
  }

  public void mercure(MercureHub mercure) {
    this.mercure = mercure;
  }

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }

  /** Produces the {@code /metrics} body. */
  @FunctionalInterface
  public interface MetricsScrape {
    String scrape();
  }

  static byte[] resource(String name) {
    try (InputStream in = ServerContext.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing resource " + name + " next to " + ServerContext.class.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
