package io.ssehub.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.ssehub.core.SseHub;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.mercure.MercureHub;
import io.ssehub.metrics.HubMetrics;
import io.ssehub.server.internal.CsrfGuard;
import io.ssehub.server.internal.Dashboard;
import io.ssehub.server.internal.HttpInitializer;
import io.ssehub.server.internal.LoopDelay;
import io.ssehub.server.internal.ServerContext;
import io.ssehub.server.internal.ServerOptions;
import io.ssehub.server.internal.Tls;
import io.ssehub.server.internal.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone hub's HTTP server on Netty, embeddable:
 *
 * <pre>{@code
 * try (SseHubServer server = SseHubServer.builder().port(0).build().start()) {
 *   URI stream = URI.create("http://127.0.0.1:" + server.port() + "/stream?channel=logs");
 *   ...
 * }
 * }</pre>
 *
 * <p>HTTP API: {@code GET /stream?channel=NAME} (repeatable; {@code Last-Event-ID} header or {@code
 * lastEventId} parameter to resume), {@code POST /publish} (JSON or form: {@code channel}, {@code
 * data}, {@code type}, {@code id}, {@code retry}), {@code GET /health}, {@code GET /health/live},
 * {@code GET /health/ready}, {@code GET /metrics} (Prometheus text), and a demo page at {@code /};
 * with {@link Builder#ui}, the dashboard at {@code GET /ui} and its {@code GET /ui/stream}. Errors
 * are JSON: {@code {"error":"<code>","message":"...","field":"..."}}.
 *
 * <p>The server owns its hub: {@link #close()} ends every stream cleanly (each gets a comment and
 * the end of its response, and reconnects), closes the hub, then the event loops. Event loop
 * threads are daemons: a program that embeds the server keeps running for its own reasons.
 *
 * <p>Security and limits: a {@link Builder#jwt JWT authenticator} gives the hub's {@code
 * Authorizer} a principal ({@code GrantAuthorizer} judges its grants), {@link Builder#cors CORS},
 * connection limits in all and per address, request line and header limits, and a request timeout;
 * refusals are counted in {@link #refusals()}.
 *
 * <p>Metrics: the hub's meters ({@link HubMetrics}), refusals per cause ({@code
 * ssehub_refusals_total{cause}}), stream bytes handed to sockets ({@code
 * ssehub_written_bytes_total}) and open connections go to {@link Builder#meterRegistry} (a
 * Prometheus registry of the server's own by default); {@code GET /metrics} serves it when it is a
 * {@link PrometheusMeterRegistry}. The hub counts events only if it was built with a {@link
 * HubMetrics} on the same registry as its observer (the default hub is).
 *
 * <p>Protocols: HTTP/1.1, and HTTP/2 with prior knowledge on the same cleartext port; with {@link
 * Builder#tls TLS}, HTTP/2 and HTTP/1.1 as the client picks by ALPN. On HTTP/2 a browser holds its
 * streams on one connection, past HTTP/1.1's six per origin.
 */
public final class SseHubServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SseHubServer.class);

  /** Listen on every interface, by default. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  /** The port, by default. */
  public static final int DEFAULT_PORT = 8080;

  /** How long {@link #close()} waits for streams to end and threads to stop, by default. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * What a request body may hold beyond the largest event: the JSON or form envelope around the
   * data (field names, quotes, escapes). Bodies over the hub's {@link SseHub#maxEventBytes()} plus
   * this are refused before they are parsed; the hub then checks the event's encoded size itself.
   */
  public static final int BODY_ALLOWANCE_BYTES = 16 * 1024;

  /**
   * How often the event loops are probed for how far behind they run: the push-back reacts within
   * this.
   */
  private static final Duration LOOP_DELAY_PROBE_INTERVAL = Duration.ofMillis(50);

  /** The request headers' total size, by default: room for a token cookie. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

  /** The request URL's length, by default: room for a {@code ?token=} and a few channels. */
  public static final int DEFAULT_MAX_URL_BYTES = 8 * 1024;

  /** How long a connection may take to send a complete request, by default. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The {@code retry:} and {@code Retry-After} told to a client over a connection limit, by
   * default.
   */
  public static final Duration DEFAULT_OVER_LIMIT_RETRY = Duration.ofSeconds(30);

  private final String host;
  private final int requestedPort;
  private final SseHub hub;
  private final int maxBodyBytes;
  private final Duration shutdownTimeout;

  /** Event loops serving connections; 0 for Netty's default (two per core). */
  private final int ioThreads;

  private final ServerOptions options;
  private final Refusals refusals = new Refusals();
  private final MeterRegistry meterRegistry;
  private final boolean ui;

  /** Null: cleartext. */
  private final SslContext tls;

  private final Transport transport = Transport.best();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  private volatile EventLoopGroup acceptors;
  private volatile EventLoopGroup workers;

  /** How far behind the workers run; set with them. */
  private volatile LoopDelay loopDelay;

  private volatile Channel serverChannel;
  private volatile ServerContext context;

  /** The Mercure front door, or null when {@code mercure(false)}. */
  private final MercureHub mercure;

  private SseHubServer(Builder builder) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.meterRegistry =
        builder.meterRegistry != null
            ? builder.meterRegistry
            : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.hub =
        builder.hub != null
            ? builder.hub
            : SseHub.builder()
                .maxEventBytes(builder.maxEventBytes)
                .observer(new HubMetrics(meterRegistry))
                .build();
    // The hub's own limit, so the two cannot disagree; capped where a Netty aggregator's int ends.
    this.maxBodyBytes =
        (int)
            (Math.min(hub.maxEventBytes(), Integer.MAX_VALUE - BODY_ALLOWANCE_BYTES)
                + BODY_ALLOWANCE_BYTES);
    this.shutdownTimeout = builder.shutdownTimeout;
    this.ioThreads = builder.ioThreads;
    this.ui = builder.ui;
    this.options =
        new ServerOptions(
            builder.jwt,
            builder.cors,
            builder.maxConnections,
            builder.maxConnectionsPerIp,
            builder.maxHeaderBytes,
            builder.maxUrlBytes,
            builder.requestTimeout,
            builder.overLimitRetry,
            builder.maxFanOutBacklog,
            builder.maxFanOutDelay);
    this.mercure = builder.mercure ? mercureOf(builder) : null;
    this.tls = builder.tls;
  }

  /**
   * The Mercure front door on this server's hub: the hub's keys unless Mercure has its own, CSRF by
   * the CORS origins.
   */
  private MercureHub mercureOf(Builder builder) {
    CorsPolicy cors = builder.cors;
    return MercureHub.builder(hub)
        .publisherKey(
            builder.mercurePublisherKey != null ? builder.mercurePublisherKey : builder.jwt)
        .subscriberKey(
            builder.mercureSubscriberKey != null ? builder.mercureSubscriberKey : builder.jwt)
        .anonymousSubscribers(builder.mercureAnonymousSubscribers)
        .anonymousPublishFromAnywhere(builder.mercureAnonymousPublish)
        .cookieName(builder.mercureCookie)
        .subscriptions(builder.mercureSubscriptions)
        .publishOrigins(CsrfGuard.origins(cors))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts serving. Returns this server, so that {@code builder()...build().start()}
   * reads as one line.
   *
   * @throws UncheckedIOException if the address cannot be bound (the hub is closed then)
   * @throws IllegalStateException if called twice
   */
  public SseHubServer start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("server: already started (expected: start() once)");
    }
    ServerContext.MetricsScrape scrape =
        meterRegistry instanceof PrometheusMeterRegistry prometheus ? prometheus::scrape : null;
    context = new ServerContext(hub, maxBodyBytes, options, refusals, scrape);
    context.mercure(mercure);
    bindMeters(context);
    if (ui) {
      context.dashboard(new Dashboard(context, meterRegistry, Dashboard.DEFAULT_INTERVAL));
    }
    acceptors = transport.newGroup(1, "ssehub-accept");
    workers = transport.newGroup(ioThreads, "ssehub-io");
    loopDelay = new LoopDelay(workers, LOOP_DELAY_PROBE_INTERVAL);
    context.loopDelay(loopDelay);
    Gauge.builder("ssehub.eventloop.delay", loopDelay, d -> d.nanos() / 1e9)
        .baseUnit("seconds")
        .description(
            "How far behind the furthest-behind event loop runs: what this node adds to a delivery")
        .register(meterRegistry);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptors, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            // Events are small and must leave at once: no Nagle delay.
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            // Only the "writable" signal depends on these; the hub bounds each stream by its
            // pending bytes.
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 128 * 1024))
            .childHandler(new HttpInitializer(context, tls));
    ChannelFuture bound = bootstrap.bind(host, requestedPort).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      shutDownGroups(Duration.ofSeconds(2));
      hub.close();
      closed.countDown();
      String message = "cannot listen on " + host + ":" + requestedPort + ": " + cause.getMessage();
      throw cause instanceof IOException io
          ? new UncheckedIOException(message, io)
          : new IllegalStateException(message, cause);
    }
    serverChannel = bound.channel();
    return this;
  }

  /**
   * The hub's gauges, the server's refusals, bytes and connections; counters are shared if already
   * there.
   */
  private void bindMeters(ServerContext context) {
    new HubMetrics(meterRegistry).bind(hub);
    for (Refusals.Cause cause : Refusals.Cause.values()) {
      FunctionCounter.builder("ssehub.refusals", refusals, r -> r.count(cause))
          .description("Requests and connections refused, by cause")
          .tag("cause", cause.name().toLowerCase(Locale.ROOT))
          .register(meterRegistry);
    }
    FunctionCounter.builder("ssehub.written", context.bytesWritten(), b -> b.sum())
        .baseUnit("bytes")
        .description("Stream bytes handed to client sockets")
        .register(meterRegistry);
    Gauge.builder("ssehub.connections.open", context.connections(), c -> c.size())
        .description("Open HTTP connections, streams included")
        .register(meterRegistry);
  }

  /** Where the server's and (for the default hub) the hub's meters are. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /**
   * Turns readiness ({@code GET /health/ready}) false, so that load balancers send new clients
   * elsewhere; streams go on until {@link #close()}.
   */
  public void startDraining() {
    ServerContext current = context;
    if (current != null) {
      current.startDraining();
    }
  }

  /**
   * Takes this node out gently: readiness turns false first (load balancers send new clients
   * elsewhere), then every stream ends at a random moment within {@code window} so that clients
   * reconnect spread over it and resume elsewhere by their last event id. Completes when every
   * stream has ended; {@link #close()} follows.
   */
  public CompletableFuture<Void> drain(Duration window) {
    startDraining();
    return hub.drain(window);
  }

  /**
   * The port the server listens on: the one it was given, or the one the system chose for port 0.
   */
  public int port() {
    return address().getPort();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    Channel channel = serverChannel;
    if (channel == null) {
      throw new IllegalStateException("server: not started (expected: start() first)");
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /** The hub the server serves; publish to it directly to reach this server's streams. */
  public SseHub hub() {
    return hub;
  }

  /** What the server refused, per cause. */
  public Refusals refusals() {
    return refusals;
  }

  /** Whether connections are TLS ({@link Builder#tls}): {@code https} URLs, HTTP/2 by ALPN. */
  public boolean isTls() {
    return tls != null;
  }

  /** The I/O transport in use: {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.toString();
  }

  /**
   * How many event loops serve connections ({@link Builder#ioThreads}); 0 before {@link #start}.
   */
  public int ioThreads() {
    EventLoopGroup group = workers;
    int loops = 0;
    if (group != null) {
      for (EventExecutor ignored : group) {
        loops++;
      }
    }
    return loops;
  }

  /**
   * Stops accepting connections, ends every stream cleanly, closes the hub and the event loops.
   * Waits at most the shutdown timeout; streams whose clients do not read their last bytes by then
   * are closed anyway. Idempotent: a second call waits for the first to finish.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitClosed(shutdownTimeout.plusSeconds(1));
      return;
    }
    try {
      if (!started.get() || serverChannel == null) {
        hub.close();
        return;
      }
      long deadline = System.nanoTime() + shutdownTimeout.toNanos();
      serverChannel.close().awaitUninterruptibly(remainingMillis(deadline));
      int streams = hub.streamCount();
      log.info("ssehub stopping: ending {} stream{}", streams, streams == 1 ? "" : "s");
      hub.close(); // each stream gets a goodbye comment and the end of its response
      context.streams().newCloseFuture().awaitUninterruptibly(remainingMillis(deadline));
      context.connections().close().awaitUninterruptibly(remainingMillis(deadline));
      shutDownGroups(Duration.ofMillis(remainingMillis(deadline)));
      log.info("ssehub stopped");
    } finally {
      closed.countDown();
    }
  }

  /** Waits until {@link #close()} has finished. */
  public boolean awaitClosed(Duration timeout) {
    try {
      return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void shutDownGroups(Duration timeout) {
    loopDelay.close();
    Future<?> a = acceptors.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    Future<?> w = workers.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    a.awaitUninterruptibly(timeout.toMillis());
    w.awaitUninterruptibly(timeout.toMillis());
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  @Override
  public String toString() {
    Channel channel = serverChannel;
    return "SseHubServer{"
        + (channel != null ? channel.localAddress() : host + ":" + requestedPort)
        + ", "
        + transport
        + ", broker="
        + hub.broker().describe()
        + "}";
  }

  /** Settings of a server; every one has a default. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private SseHub hub;
    private long maxEventBytes = SseHub.DEFAULT_MAX_EVENT_BYTES;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private int ioThreads;
    private JwtAuthenticator jwt;
    private CorsPolicy cors = CorsPolicy.NONE;
    private int maxConnections;
    private int maxConnectionsPerIp;
    private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    private int maxUrlBytes = DEFAULT_MAX_URL_BYTES;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration overLimitRetry = DEFAULT_OVER_LIMIT_RETRY;
    private long maxFanOutBacklog = ServerOptions.DEFAULT_MAX_FAN_OUT_BACKLOG;
    private Duration maxFanOutDelay = ServerOptions.DEFAULT_MAX_FAN_OUT_DELAY;
    private MeterRegistry meterRegistry;
    private boolean ui;
    private boolean mercure = true;
    private JwtAuthenticator mercurePublisherKey;
    private JwtAuthenticator mercureSubscriberKey;
    private boolean mercureAnonymousSubscribers;
    private boolean mercureAnonymousPublish;
    private String mercureCookie = MercureHub.DEFAULT_COOKIE;
    private boolean mercureSubscriptions;
    private SslContext tls;

    private Builder() {}

    /**
     * Whether the Mercure protocol is served at {@value MercureHub#PATH}; true by default. See the
     * README's "Mercure".
     */
    public Builder mercure(boolean enabled) {
      this.mercure = enabled;
      return this;
    }

    /** Verifies Mercure publishers' tokens instead of the {@link #jwt} key. */
    public Builder mercurePublisherKey(JwtAuthenticator key) {
      this.mercurePublisherKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Verifies Mercure subscribers' tokens instead of the {@link #jwt} key. */
    public Builder mercureSubscriberKey(JwtAuthenticator key) {
      this.mercureSubscriberKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * With a subscriber key, whether Mercure subscribers without a token receive public updates;
     * false by default.
     */
    public Builder mercureAnonymousSubscribers(boolean allowed) {
      this.mercureAnonymousSubscribers = allowed;
      return this;
    }

    /**
     * Without a publisher key, whether anyone may publish Mercure updates, not only loopback
     * clients; false by default.
     */
    public Builder mercureAnonymousPublish(boolean allowed) {
      this.mercureAnonymousPublish = allowed;
      return this;
    }

    /**
     * Whether Mercure subscription events and the subscriptions API are on; false by default, as in
     * the Go hub.
     */
    public Builder mercureSubscriptions(boolean enabled) {
      this.mercureSubscriptions = enabled;
      return this;
    }

    /**
     * The cookie that may carry a Mercure token ({@value MercureHub#DEFAULT_COOKIE} by default).
     */
    public Builder mercureCookie(String name) {
      this.mercureCookie = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Serves the dashboard at {@code GET /ui}: this node's channels with their stream counts,
     * events per second, the broker's state, and a form to publish, live over {@code GET
     * /ui/stream}. Only for clients that may publish to every channel (the hub's {@code Authorizer}
     * is asked about publishing to {@code *}). Off by default: then {@code /ui} is a 404.
     */
    public Builder ui(boolean on) {
      this.ui = on;
      return this;
    }

    /**
     * Serves HTTPS: HTTP/2 and HTTP/1.1 as the client picks by ALPN, on the JDK's TLS. {@code
     * certificateChain} is a PEM file of certificates, the server's first; {@code privateKey} its
     * unencrypted PKCS#8 PEM key ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC. Both are read
     * here, once.
     *
     * @throws Tls.BadFile (an {@link IllegalArgumentException}) naming a file that cannot be read
     *     or used, or a key that is not the certificate's
     */
    public Builder tls(Path certificateChain, Path privateKey) {
      this.tls =
          Tls.serverContext(
              Objects.requireNonNull(certificateChain, "certificateChain"),
              Objects.requireNonNull(privateKey, "privateKey"));
      return this;
    }

    /**
     * Where the meters go. By default a {@link PrometheusMeterRegistry} of the server's own; {@code
     * GET /metrics} is served whenever the registry is a {@link PrometheusMeterRegistry} (a 404
     * otherwise: scrape your registry your way). A {@link #hub} given here should be built with
     * {@code observer(new HubMetrics(registry))} on the same registry for its event counters.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Reads a token from each stream and publish request and hands its principal to the hub's
     * {@code Authorizer}; a token that does not hold is a 401 with {@code WWW-Authenticate}.
     * Without it (the default) every client is anonymous.
     */
    public Builder jwt(JwtAuthenticator authenticator) {
      this.jwt = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /** Which other origins' pages may call the hub ({@link CorsPolicy#NONE} by default). */
    public Builder cors(CorsPolicy cors) {
      this.cors = Objects.requireNonNull(cors, "cors");
      return this;
    }

    /**
     * Open connections in all; 0 (the default) for no limit. See the README for what a refused
     * client is told.
     */
    public Builder maxConnections(int max) {
      this.maxConnections = nonNegative("maxConnections", max);
      return this;
    }

    /** Open connections per client address; 0 (the default) for no limit. */
    public Builder maxConnectionsPerIp(int max) {
      this.maxConnectionsPerIp = nonNegative("maxConnectionsPerIp", max);
      return this;
    }

    /**
     * The request headers' total size; over it, 431 ({@value #DEFAULT_MAX_HEADER_BYTES} by
     * default).
     */
    public Builder maxHeaderBytes(int max) {
      this.maxHeaderBytes = atLeast("maxHeaderBytes", max, 1024);
      return this;
    }

    /** The request URL's length; over it, 414 ({@value #DEFAULT_MAX_URL_BYTES} by default). */
    public Builder maxUrlBytes(int max) {
      this.maxUrlBytes = atLeast("maxUrlBytes", max, 256);
      return this;
    }

    /**
     * How long a connection may take to send a complete request, and stay idle between requests;
     * zero for no limit.
     */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("requestTimeout: " + timeout + " (expected: >= 0)");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * What a client over a connection limit is told: a stream's {@code retry:}, and {@code
     * Retry-After}.
     */
    public Builder overLimitRetry(Duration retry) {
      if (retry.isNegative() || retry.isZero()) {
        throw new IllegalArgumentException("overLimitRetry: " + retry + " (expected: > 0)");
      }
      this.overLimitRetry = retry;
      return this;
    }

    /**
     * Deliveries queued on this node and not yet written past which {@code POST /publish} (and a
     * Mercure publish) answers 503 with {@code Retry-After: 1} instead of accepting more: the bound
     * on how late an accepted event reaches clients that keep up, when publishers outrun the node.
     * 0 for no limit; default {@value ServerOptions#DEFAULT_MAX_FAN_OUT_BACKLOG}.
     */
    public Builder maxFanOutBacklog(long max) {
      if (max < 0) {
        throw new IllegalArgumentException("maxFanOutBacklog: " + max + " (expected: >= 0)");
      }
      this.maxFanOutBacklog = max;
      return this;
    }

    /**
     * How far behind the event loops may run before {@code POST /publish} (and a Mercure publish)
     * answers 503 with {@code Retry-After: 1}: the bound on what the node adds to a delivery for
     * clients that keep up, whatever the machine's speed. Zero for no limit; default {@link
     * ServerOptions#DEFAULT_MAX_FAN_OUT_DELAY}.
     */
    public Builder maxFanOutDelay(Duration max) {
      Objects.requireNonNull(max, "maxFanOutDelay");
      if (max.isNegative()) {
        throw new IllegalArgumentException(
            "maxFanOutDelay: " + max + " (expected: >= 0, 0 for no limit)");
      }
      this.maxFanOutDelay = max;
      return this;
    }

    private static int nonNegative(String name, int value) {
      if (value < 0) {
        throw new IllegalArgumentException(
            name + ": " + value + " (expected: >= 0, 0 for no limit)");
      }
      return value;
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(
            name + ": " + value + " (expected: at least " + min + ")");
      }
      return value;
    }

    /** The address to listen on: a host name or IP address ({@value #DEFAULT_HOST} by default). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port to listen on; 0 lets the system choose one (see {@link #port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * The hub to serve, which the server then owns (closes). By default, an in-memory hub with
     * default settings and {@link #maxEventBytes}. Request bodies are limited by the hub's {@link
     * SseHub#maxEventBytes()} plus {@value #BODY_ALLOWANCE_BYTES} bytes.
     */
    public Builder hub(SseHub hub) {
      this.hub = Objects.requireNonNull(hub, "hub");
      return this;
    }

    /**
     * The largest event accepted by the default hub, which this builds when no {@link #hub} is
     * given: request bodies over this plus {@value #BODY_ALLOWANCE_BYTES} bytes are refused (413)
     * before they are read. With a {@link #hub}, its own {@link SseHub#maxEventBytes()} applies and
     * this is ignored.
     */
    public Builder maxEventBytes(long maxEventBytes) {
      if (maxEventBytes < 1 || maxEventBytes > Integer.MAX_VALUE - BODY_ALLOWANCE_BYTES) {
        throw new IllegalArgumentException(
            "maxEventBytes: "
                + maxEventBytes
                + " (expected: 1 to "
                + (Integer.MAX_VALUE - BODY_ALLOWANCE_BYTES)
                + ")");
      }
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * How many event loops (threads) serve connections; 0, the default, for two per core the JVM
     * sees (Netty's default). Each loop reads requests and writes the streams it holds; an event
     * reaches each loop once. Two per core stay the default: one per core spends less CPU per
     * delivery but delivers less when the loops share the cores with other busy processes
     * (bench/RESULTS.md, "Event loops per core"); a node that has its cores to itself may try one.
     */
    public Builder ioThreads(int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException(
            "ioThreads: " + threads + " (expected: >= 0, 0 for two per core)");
      }
      this.ioThreads = threads;
      return this;
    }

    /** How long {@link SseHubServer#close()} waits for streams to end and threads to stop. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      if (shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "shutdownTimeout: " + shutdownTimeout + " (expected: >= 0)");
      }
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /** A server with these settings, not yet listening: call {@link SseHubServer#start()}. */
    public SseHubServer build() {
      return new SseHubServer(this);
    }
  }
}
