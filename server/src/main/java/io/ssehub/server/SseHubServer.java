package io.ssehub.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Future;
import io.ssehub.core.SseHub;
import io.ssehub.server.internal.HttpInitializer;
import io.ssehub.server.internal.ServerContext;
import io.ssehub.server.internal.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
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
 * <p>HTTP API: {@code GET /stream?channel=NAME} (repeatable; {@code Last-Event-ID} header or
 * {@code lastEventId} parameter to resume), {@code POST /publish} (JSON or form: {@code channel},
 * {@code data}, {@code type}, {@code id}, {@code retry}), {@code GET /health}, and a demo page at
 * {@code /}. Errors are JSON: {@code {"error":"<code>","message":"...","field":"..."}}.
 *
 * <p>The server owns its hub: {@link #close()} ends every stream cleanly (each gets a comment and
 * the end of its response, and reconnects), closes the hub, then the event loops. Event loop
 * threads are daemons: a program that embeds the server keeps running for its own reasons.
 *
 * <p>What it does not do (yet): TLS, HTTP/2, authentication, CORS, metrics.
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

  private final String host;
  private final int requestedPort;
  private final SseHub hub;
  private final int maxBodyBytes;
  private final Duration shutdownTimeout;
  private final Transport transport = Transport.best();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  private volatile EventLoopGroup acceptors;
  private volatile EventLoopGroup workers;
  private volatile Channel serverChannel;
  private volatile ServerContext context;

  private SseHubServer(Builder builder) {
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.hub = builder.hub != null
        ? builder.hub
        : SseHub.builder().maxEventBytes(builder.maxEventBytes).build();
    // The hub's own limit, so the two cannot disagree; capped where a Netty aggregator's int ends.
    this.maxBodyBytes = (int) (Math.min(hub.maxEventBytes(), Integer.MAX_VALUE - BODY_ALLOWANCE_BYTES)
        + BODY_ALLOWANCE_BYTES);
    this.shutdownTimeout = builder.shutdownTimeout;
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
    context = new ServerContext(hub, maxBodyBytes);
    acceptors = transport.newGroup(1, "ssehub-accept");
    workers = transport.newGroup(0, "ssehub-io");
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptors, workers)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        // Events are small and must leave at once: no Nagle delay.
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        // Only the "writable" signal depends on these; the hub bounds each stream by its pending bytes.
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
        .childHandler(new HttpInitializer(context));
    ChannelFuture bound = bootstrap.bind(host, requestedPort).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      shutDownGroups(Duration.ofSeconds(2));
      hub.close();
      closed.countDown();
      String message = "cannot listen on " + host + ":" + requestedPort + ": " + cause.getMessage();
      throw cause instanceof IOException io ? new UncheckedIOException(message, io) : new IllegalStateException(message, cause);
    }
    serverChannel = bound.channel();
    return this;
  }

  /** The port the server listens on: the one it was given, or the one the system chose for port 0. */
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

  /** The I/O transport in use: {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.toString();
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
    return "SseHubServer{" + (channel != null ? channel.localAddress() : host + ":" + requestedPort)
        + ", " + transport + ", broker=" + hub.broker().describe() + "}";
  }

  /** Settings of a server; every one has a default. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private SseHub hub;
    private long maxEventBytes = SseHub.DEFAULT_MAX_EVENT_BYTES;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

    private Builder() {}

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
        throw new IllegalArgumentException("maxEventBytes: " + maxEventBytes
            + " (expected: 1 to " + (Integer.MAX_VALUE - BODY_ALLOWANCE_BYTES) + ")");
      }
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /** How long {@link SseHubServer#close()} waits for streams to end and threads to stop. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      if (shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout: " + shutdownTimeout + " (expected: >= 0)");
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
