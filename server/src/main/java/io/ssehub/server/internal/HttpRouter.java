package io.ssehub.server.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import io.ssehub.http.CorsPolicy;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.http.HttpResponses;
import io.ssehub.http.PublishRequest;
import io.ssehub.http.PublishRequests;
import io.ssehub.http.QueryDecoder;
import io.ssehub.http.StreamRequests;
import io.ssehub.mercure.MercureHub;
import io.ssehub.mercure.MercureRequest;
import io.ssehub.server.Refusals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection: {@code GET /stream}, {@code POST /publish}, {@code GET
 * /health} and the demo page at {@code /}. What requests mean and what they answer is {@code
 * ssehub-http}'s ({@link StreamRequests}, {@link PublishRequests}, {@link HttpResponses}, {@link
 * HttpProblem}); this class is the Netty glue: routing, ordering, and the connection's life.
 *
 * <p>Responses leave in request order, as HTTP/1.1 pipelining requires: while a publish waits for
 * the broker, later requests of the connection wait in {@link #waiting} and reading pauses. A
 * connection that starts a stream carries nothing else: what the client sends afterwards is
 * dropped.
 *
 * <p>Threading: every field is confined to the connection's event loop; the broker's callbacks hop
 * back onto it.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

  /** The paths served, and the one method each accepts. */
  enum Route {
    STREAM("/stream", HttpMethod.GET),
    PUBLISH("/publish", HttpMethod.POST),
    HEALTH("/health", HttpMethod.GET),
    LIVE("/health/live", HttpMethod.GET),
    READY("/health/ready", HttpMethod.GET),
    METRICS("/metrics", HttpMethod.GET),
    DASHBOARD("/ui", HttpMethod.GET),
    DASHBOARD_STREAM("/ui/stream", HttpMethod.GET),
    DEMO("/", HttpMethod.GET);

    final String path;
    final HttpMethod method;

    Route(String path, HttpMethod method) {
      this.path = path;
      this.method = method;
    }

    static Route of(String path) {
      for (Route route : values()) {
        if (route.path.equals(path)) {
          return route;
        }
      }
      return null;
    }
  }

  private final ServerContext context;
  private final SseHub hub;
  private final ServerOptions options;
  private final Refusals refusals;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  /** A response is being prepared off the event loop (a publish waits for its broker). */
  private boolean busy;
  /** This connection's stream, once it carries one (and then nothing else); event loop only. */
  private NettySink sink;

  HttpRouter(ServerContext context) {
    this.context = context;
    this.hub = context.hub();
    this.options = context.options();
    this.refusals = context.refusals();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || sink != null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (busy) {
      waiting.add(request);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    handle(ctx, request);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    // CORS headers go on every answer, errors included, so that a page of an allowed origin can read them.
    Map<String, String> cors = options.cors().responseHeaders(request.headers().get(HttpHeaderNames.ORIGIN));
    try {
      if (request.decoderResult().isFailure()) {
        HttpProblem problem = decodingError(request.decoderResult().cause());
        if (problem.status() == 414) {
          refusals.record(Refusals.Cause.URL_TOO_LONG);
        } else if (problem.status() == 431) {
          refusals.record(Refusals.Cause.HEADERS_TOO_LARGE);
        }
        respondAndClose(ctx, withHeaders(Responses.error(problem), cors));
        return;
      }
      route(ctx, request, keepAlive, cors);
    } catch (RuntimeException e) {
      // HttpProblem, or one of the hub's exceptions (bad input, refused, broker down): a 4xx or 503.
      if (HttpProblem.isInternal(e)) {
        // The path only: the query may hold a token, which is never logged.
        log.error("Failed to answer {} {}", request.method(), pathOf(request.uri()), e);
      }
      respond(ctx, keepAlive, withHeaders(Responses.error(problemOf(e)), cors));
    } finally {
      request.release();
    }
  }

  /** The answer to a failure; a 401 gets the bearer challenge when tokens are configured, refusals are counted. */
  private HttpProblem problemOf(Throwable failure) {
    HttpProblem problem = HttpProblem.of(failure);
    if (problem.status() == 401) {
      refusals.record(Refusals.Cause.UNAUTHENTICATED);
      if (options.authenticator() != null) {
        problem = JwtAuthenticator.withChallenge(problem, failure);
      }
    } else if (problem.status() == 403) {
      refusals.record(Refusals.Cause.FORBIDDEN);
    }
    return problem;
  }

  /** Who sends the request, by its token (null: anonymous); never logged. */
  private Principal principal(FullHttpRequest request, Map<String, List<String>> params) {
    JwtAuthenticator authenticator = options.authenticator();
    if (authenticator == null) {
      return null; // no key configured: every client is anonymous, the authorizer decides by address
    }
    return authenticator.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION),
        request.headers().get(HttpHeaderNames.COOKIE), params);
  }

  private static String pathOf(String uri) {
    int question = uri.indexOf('?');
    return question < 0 ? uri : uri.substring(0, question) + "?...";
  }

  private static FullHttpResponse withHeaders(FullHttpResponse response, Map<String, String> headers) {
    headers.forEach((name, value) -> response.headers().set(name, value));
    return response;
  }

  private void route(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, Map<String, String> cors) {
    String target = request.uri();
    if (target.startsWith("http://") || target.startsWith("https://")) {
      // Absolute form (RFC 9112, 3.2.2): only the path and query matter here.
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    String query = question < 0 ? "" : target.substring(question + 1);

    Route route = Route.of(path);
    Refusals.Cause over = ctx.channel().attr(ConnectionLimiter.OVER_LIMIT).get();
    if (over != null) {
      refusals.record(over);
      boolean stream = route == Route.STREAM || (context.mercure() != null && path.equals(MercureHub.PATH));
      respondAndClose(ctx, withHeaders(overLimit(over, stream && HttpMethod.GET.equals(request.method())), cors));
      return;
    }
    if (route == null && context.mercure() != null
        && (path.equals(MercureHub.PATH) || path.startsWith(MercureHub.PATH + "/"))) {
      mercure(ctx, request, path, query, keepAlive, cors);
      return;
    }
    // A route that is off (no scrapeable registry; the dashboard unless --ui) is no different from an unknown path.
    boolean off = (route == Route.METRICS && context.metrics() == null)
        || ((route == Route.DASHBOARD || route == Route.DASHBOARD_STREAM) && context.dashboard() == null);
    if (route == null || off) {
      throw HttpProblem.notFound(path, "/stream, /publish, /health, /health/live, /health/ready, /metrics or /");
    }
    if (HttpMethod.OPTIONS.equals(request.method()) && options.cors().enabled()) {
      // A CORS preflight (or a plain OPTIONS): 204, with the allowed methods and headers for an allowed origin.
      FullHttpResponse preflight = Responses.full(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
      preflight.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      preflight.headers().set(HttpHeaderNames.ALLOW, route.method.name() + ", OPTIONS");
      respond(ctx, keepAlive, withHeaders(preflight, options.cors().preflightHeaders(request.headers().get(HttpHeaderNames.ORIGIN))));
      return;
    }
    if (!route.method.equals(request.method())) {
      throw HttpProblem.methodNotAllowed(request.method().name(), route.path, route.method.name());
    }
    Map<String, List<String>> params = QueryDecoder.decode(query);
    switch (route) {
      case STREAM -> stream(ctx, request, params, cors);
      case PUBLISH -> publish(ctx, request, params, keepAlive, cors);
      case HEALTH -> respond(ctx, keepAlive, withHeaders(Responses.json(HttpResponses.health(hub)), cors));
      case LIVE -> respond(ctx, keepAlive, withHeaders(Responses.json(Health.live(hub)), cors));
      case READY -> respond(ctx, keepAlive, withHeaders(Responses.json(Health.ready(hub, context.draining())), cors));
      case METRICS -> respond(ctx, keepAlive, metrics());
      case DEMO -> respond(ctx, keepAlive, demoPage());
      case DASHBOARD -> dashboardPage(ctx, request, params, keepAlive);
      case DASHBOARD_STREAM -> dashboardStream(ctx, request, params, cors);
    }
  }

  /**
   * The answer on a connection over a limit, which is then closed. A browser's {@code
   * EventSource} stops for good on any status but 200, so a stream is told, with a 200 and a long
   * {@code retry:}, to come back later; other requests get 503 (the server is full) or 429 (this
   * address holds too many connections), with {@code Retry-After}.
   */
  private FullHttpResponse overLimit(Refusals.Cause cause, boolean stream) {
    long retryMillis = options.overLimitRetry().toMillis();
    String retryAfter = Long.toString(Math.max(1, options.overLimitRetry().toSeconds()));
    String what = cause == Refusals.Cause.MAX_CONNECTIONS
        ? "the server holds its maximum of " + options.maxConnections() + " connections"
        : "this address holds its maximum of " + options.maxConnectionsPerIp() + " connections";
    FullHttpResponse response;
    if (stream) {
      byte[] body = ("retry: " + retryMillis + "\n: " + what + "; reconnect later\n\n").getBytes(StandardCharsets.UTF_8);
      response = Responses.full(HttpResponseStatus.OK, HttpResponses.EVENT_STREAM_CONTENT_TYPE, body);
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpResponses.EVENT_STREAM_CACHE_CONTROL);
    } else {
      int status = cause == Refusals.Cause.MAX_CONNECTIONS ? 503 : 429;
      response = Responses.error(new HttpProblem(status,
          status == 503 ? "too_many_connections" : "too_many_connections_from_address", null,
          "connections: " + what + " (expected: retry after " + retryAfter + " s)"));
    }
    response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    return response;
  }

  // ---- GET /stream

  private void stream(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
      Map<String, String> cors) {
    // Netty reads header bytes as ISO-8859-1; browsers send the id as UTF-8.
    String lastEventId = StreamRequests.lastEventIdFromLatin1(request.headers().get(StreamRequests.LAST_EVENT_ID_HEADER));
    SubscribeRequest subscribeRequest = StreamRequests.parse(params, lastEventId)
        .from(principal(request, params), remoteAddress(ctx));

    HttpResponse head = eventStreamHead(request, cors);

    NettySink sink = new NettySink(ctx.channel(), head, context.bytesWritten(), context.fanOutBacklog());
    Subscription subscription;
    try {
      subscription = hub.subscribe(subscribeRequest, sink);
    } catch (RuntimeException e) {
      // Refused (AccessDeniedException: 401 or 403), too many channels, or the hub shutting down:
      // the stream's head and retry line were only queued, and an error response goes instead.
      sink.discard();
      throw e;
    }
    this.sink = sink;
    context.streams().add(ctx.channel());
    ctx.channel().closeFuture().addListener(closed -> subscription.close());
    releaseWaiting();
  }

  /** The status and headers that start an event stream: chunked, or ended by the close for HTTP/1.0. */
  private static HttpResponse eventStreamHead(FullHttpRequest request, Map<String, String> cors) {
    HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM_CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpResponses.EVENT_STREAM_CACHE_CONTROL)
        .set(HttpResponses.X_ACCEL_BUFFERING, HttpResponses.X_ACCEL_BUFFERING_NO);
    cors.forEach((name, value) -> head.headers().set(name, value));
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // no chunks: the close ends it
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    return head;
  }

  // ---- POST /publish

  private void publish(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
      boolean keepAlive, Map<String, String> cors) {
    // Who first: a bad token is a 401 whatever the body holds.
    Principal principal = principal(request, params);
    if (fanOutBacklogged(ctx, keepAlive, cors)) {
      return;
    }
    PublishRequest publish = PublishRequests.parse(
        request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content().nioBuffer());
    // The authorizer decides first (AccessDeniedException: 401 or 403); bad input is thrown too.
    CompletableFuture<SseEvent> stored =
        hub.publishAs(principal, remoteAddress(ctx), publish.channel(), publish.event());
    if (stored.isDone()) {
      respond(ctx, keepAlive, withHeaders(published(publish.channel(), stored), cors));
      return;
    }
    // Never wait on the event loop: answer when the broker has stored the event.
    busy = true;
    try {
      stored.whenCompleteAsync((event, failure) -> {
        busy = false;
        respond(ctx, keepAlive, withHeaders(published(publish.channel(), stored), cors));
        handleWaiting(ctx);
      }, WriteBatch.ahead(ctx.channel().eventLoop()));
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  /**
   * Answers 503 with {@code Retry-After} when the event loops run further behind than {@code
   * --max-fanout-delay}, or more deliveries wait to be written on this node than {@code
   * --max-fanout-backlog}: publishers that outrun the node are slowed down here, rather than have
   * their events accepted and delivered ever later. Returns whether it answered.
   */
  private boolean fanOutBacklogged(ChannelHandlerContext ctx, boolean keepAlive, Map<String, String> cors) {
    String problem = fanOutProblem();
    if (problem == null) {
      return false;
    }
    refusals.record(Refusals.Cause.FANOUT_BACKLOG);
    FullHttpResponse busy = Responses.error(new HttpProblem(503, "fanout_backlog", null,
        "publish: " + problem + "; retry after 1 s"));
    busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    respond(ctx, keepAlive, withHeaders(busy, cors));
    return true;
  }

  /** Why this node takes no more publishes now, or null if it does. */
  private String fanOutProblem() {
    long maxDelay = options.maxFanOutDelay().toNanos();
    long delay = maxDelay == 0 ? 0 : context.loopDelayNanos();
    if (delay > maxDelay) {
      return "this node's event loops run " + TimeUnit.NANOSECONDS.toMillis(delay) + " ms behind (expected: at most "
          + options.maxFanOutDelay().toMillis() + " ms, --max-fanout-delay)";
    }
    long maxBacklog = options.maxFanOutBacklog();
    long backlog = maxBacklog == 0 ? 0 : context.deliveriesWaiting();
    if (backlog > maxBacklog) {
      return backlog + " deliveries wait to be written on this node (expected: at most " + maxBacklog
          + ", --max-fanout-backlog)";
    }
    return null;
  }

  /** The answer to a publish whose future is done. */
  private FullHttpResponse published(String channel, CompletableFuture<SseEvent> stored) {
    try {
      return Responses.json(200, HttpResponses.publishedJson(stored.join(), channel));
    } catch (RuntimeException e) { // CompletionException, or CancellationException
      if (HttpProblem.isInternal(e)) {
        log.error("Publish to {} failed", channel, e.getCause() != null ? e.getCause() : e);
      }
      return Responses.error(problemOf(e));
    }
  }

  private void handleWaiting(ChannelHandlerContext ctx) {
    FullHttpRequest next;
    while (!busy && sink == null && (next = waiting.poll()) != null) {
      handle(ctx, next);
    }
    if (!busy) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void releaseWaiting() {
    FullHttpRequest request;
    while ((request = waiting.poll()) != null) {
      request.release();
    }
  }

  // ---- Mercure: /.well-known/mercure (the protocol is MercureHub's; this is the Netty glue)

  private void mercure(ChannelHandlerContext ctx, FullHttpRequest request, String path, String query, boolean keepAlive,
      Map<String, String> cors) {
    MercureHub mercure = context.mercure();
    HttpMethod method = request.method();
    try {
      if (path.equals(MercureHub.SUBSCRIPTIONS_PATH) || path.startsWith(MercureHub.SUBSCRIPTIONS_PATH + "/")) {
        if (!HttpMethod.GET.equals(method)) {
          throw new HttpProblem(405, "method_not_allowed", null, "method: " + method.name() + " on " + path + " (expected: GET)");
        }
        String requestUri = query.isEmpty() ? path : path + "?" + query;
        String body = mercure.subscriptionsApi(mercureRequest(ctx, request, QueryDecoder.decode(query), Map.of()), path, requestUri);
        FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "application/ld+json", body.getBytes(StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "private, no-cache, no-store, must-revalidate, max-age=0");
        respond(ctx, keepAlive, withHeaders(response, cors));
        return;
      }
      if (!path.equals(MercureHub.PATH)) {
        throw new HttpProblem(404, "not_found", null, "path: " + path + " (expected: " + MercureHub.PATH + ")");
      }
      if (HttpMethod.OPTIONS.equals(method) && options.cors().enabled()) {
        FullHttpResponse preflight = Responses.full(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
        preflight.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        preflight.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST, OPTIONS");
        respond(ctx, keepAlive, withHeaders(preflight, options.cors().preflightHeaders(request.headers().get(HttpHeaderNames.ORIGIN))));
        return;
      }
      Map<String, List<String>> params = QueryDecoder.decode(query);
      if (HttpMethod.POST.equals(method)) {
        mercurePublish(ctx, request, mercure, params, keepAlive, cors);
      } else if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
        mercureSubscribe(ctx, request, mercure, params, cors);
      } else {
        throw new HttpProblem(405, "method_not_allowed", null,
            "method: " + method.name() + " on " + MercureHub.PATH + " (expected: GET, HEAD or POST)");
      }
    } catch (RuntimeException e) {
      respond(ctx, keepAlive, withHeaders(mercureError(e), cors));
    }
  }

  private MercureRequest mercureRequest(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
      Map<String, List<String>> form) {
    return new MercureRequest(request.method().name(), params, form, name -> {
      String value = request.headers().get(name);
      // Netty reads header bytes as ISO-8859-1; browsers send the id as UTF-8.
      return value != null && name.equals(StreamRequests.LAST_EVENT_ID_HEADER) ? StreamRequests.lastEventIdFromLatin1(value) : value;
    }, remoteAddress(ctx));
  }

  private void mercurePublish(ChannelHandlerContext ctx, FullHttpRequest request, MercureHub mercure,
      Map<String, List<String>> params, boolean keepAlive, Map<String, String> cors) {
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      throw new HttpProblem(415, "unsupported_media_type", null, "Content-Type: " + contentType
          + " (expected: application/x-www-form-urlencoded)");
    }
    if (fanOutBacklogged(ctx, keepAlive, cors)) {
      return;
    }
    Map<String, List<String>> form = QueryDecoder.decode(request.content().toString(StandardCharsets.UTF_8));
    CompletableFuture<String> stored = mercure.publish(mercureRequest(ctx, request, params, form));
    if (stored.isDone()) {
      respond(ctx, keepAlive, withHeaders(mercurePublished(stored), cors));
      return;
    }
    busy = true;
    try {
      stored.whenCompleteAsync((id, failure) -> {
        busy = false;
        respond(ctx, keepAlive, withHeaders(mercurePublished(stored), cors));
        handleWaiting(ctx);
      }, WriteBatch.ahead(ctx.channel().eventLoop()));
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  private FullHttpResponse mercurePublished(CompletableFuture<String> stored) {
    try {
      return Responses.full(HttpResponseStatus.OK, "text/plain; charset=utf-8", stored.join().getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return mercureError(e);
    }
  }

  /** Mercure answers errors as text, as the Go hub does: the status, and the message as the body. */
  private FullHttpResponse mercureError(Throwable failure) {
    if (HttpProblem.isInternal(failure)) {
      log.error("Mercure request failed", failure);
    }
    HttpProblem problem = problemOf(failure);
    FullHttpResponse response = Responses.full(HttpResponseStatus.valueOf(problem.status()), "text/plain; charset=utf-8",
        (problem.message() + "\n").getBytes(StandardCharsets.UTF_8));
    problem.headers().forEach((name, value) -> response.headers().set(name, value));
    response.headers().set("X-Content-Type-Options", "nosniff");
    return response;
  }

  private void mercureSubscribe(ChannelHandlerContext ctx, FullHttpRequest request, MercureHub mercure,
      Map<String, List<String>> params, Map<String, String> cors) {
    CompletableFuture<MercureHub.Opening> opening = mercure.subscribe(mercureRequest(ctx, request, params, Map.of()));
    HttpVersion version = request.protocolVersion();
    boolean head = HttpMethod.HEAD.equals(request.method());
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (opening.isDone()) {
      openMercureStream(ctx, version, head, keepAlive, opening, cors);
      return;
    }
    busy = true;
    try {
      opening.whenCompleteAsync((ignored, failure) -> {
        busy = false;
        openMercureStream(ctx, version, head, keepAlive, opening, cors);
        handleWaiting(ctx);
      }, ctx.executor());
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  private void openMercureStream(ChannelHandlerContext ctx, HttpVersion version, boolean headOnly, boolean keepAlive,
      CompletableFuture<MercureHub.Opening> future, Map<String, String> cors) {
    MercureHub.Opening opening;
    try {
      opening = future.join();
    } catch (RuntimeException e) {
      respond(ctx, keepAlive, withHeaders(mercureError(e), cors));
      return;
    }
    HttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM_CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, "private, no-cache, no-store, must-revalidate, max-age=0")
        .set(HttpResponses.X_ACCEL_BUFFERING, HttpResponses.X_ACCEL_BUFFERING_NO);
    if (opening.lastEventIdHeader() != null) {
      head.headers().set(StreamRequests.LAST_EVENT_ID_HEADER, opening.lastEventIdHeader());
    }
    cors.forEach((name, value) -> head.headers().set(name, value));
    if (headOnly) {
      FullHttpResponse answer = Responses.full(HttpResponseStatus.OK, null, new byte[0]);
      answer.headers().set(head.headers());
      answer.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      respond(ctx, keepAlive, answer);
      return;
    }
    if (version.equals(HttpVersion.HTTP_1_0)) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    NettySink sink = new NettySink(ctx.channel(), head, context.bytesWritten(), context.fanOutBacklog());
    Subscription subscription;
    try {
      subscription = opening.open(sink);
    } catch (RuntimeException e) {
      sink.discard();
      respond(ctx, keepAlive, withHeaders(mercureError(e), cors));
      return;
    }
    this.sink = sink;
    context.streams().add(ctx.channel());
    ctx.channel().closeFuture().addListener(closed -> subscription.close());
    if (opening.expiresAt() != null) {
      // The protocol: the stream ends no later than the subscriber's token expires. Ended cleanly,
      // the client reconnects, with a fresh token if its page has one.
      long delay = Math.max(0, opening.expiresAt().toEpochMilli() - System.currentTimeMillis());
      ScheduledFuture<?> expiry = ctx.executor().schedule(() -> {
        subscription.close();
        sink.close();
      }, delay, TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(closed -> expiry.cancel(false)); // no timer kept for a client gone
    }
    releaseWaiting();
  }

  // ---- GET /metrics

  /** The Prometheus text format, version 0.0.4; scraped on the event loop (a registry of a few dozen meters). */
  private FullHttpResponse metrics() {
    byte[] body = context.metrics().scrape().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", body);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    return response;
  }

  // ---- the demo page

  private FullHttpResponse demoPage() {
    FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", context.demoPage());
    response.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set("X-Content-Type-Options", "nosniff");
    return response;
  }

  // ---- the dashboard: GET /ui and GET /ui/stream, for those who may publish to every channel

  private void dashboardPage(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
      boolean keepAlive) {
    context.dashboard().authorize(principal(request, params), remoteAddress(ctx));
    FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", context.dashboard().page());
    response.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set("X-Content-Type-Options", "nosniff")
        // The page publishes: no other site may frame it, and it loads nothing from anywhere else.
        .set("X-Frame-Options", "DENY")
        .set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        .set("Referrer-Policy", "no-referrer");
    respond(ctx, keepAlive, response);
  }

  private void dashboardStream(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params,
      Map<String, String> cors) {
    context.dashboard().authorize(principal(request, params), remoteAddress(ctx));
    // Not among context.streams(): those are the hub's, which a close waits for; this one ends with its connection.
    this.sink = context.dashboard().open(ctx.channel(), eventStreamHead(request, cors));
    releaseWaiting();
  }

  // ---- responses

  private static void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(response); // HttpServerKeepAliveHandler closes after it when the request asked to
  }

  private static void respondAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ChannelFuture written = ctx.writeAndFlush(response);
    written.addListener(ChannelFutureListener.CLOSE);
  }

  /** The client's IP address as text, for the authorizer; null if the channel has none. */
  private static String remoteAddress(ChannelHandlerContext ctx) {
    SocketAddress address = ctx.channel().remoteAddress();
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : null;
  }

  private static HttpProblem decodingError(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new HttpProblem(HttpResponseStatus.REQUEST_URI_TOO_LONG.code(), "uri_too_long", null,
          "request line: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new HttpProblem(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code(), "headers_too_large", null,
          "headers: " + cause.getMessage());
    }
    String reason = cause instanceof TooLongFrameException || cause.getMessage() == null
        ? cause.toString()
        : cause.getMessage();
    return HttpProblem.badRequest("bad_request", null, "request: not valid HTTP/1.1 (" + reason + ")");
  }

  // ---- connection events

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    NettySink current = sink;
    if (current != null) {
      current.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseWaiting();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      // The client went away (reset, or closed in the middle of a request body): routine.
      log.debug("Connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("Closing connection {} after an error", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
