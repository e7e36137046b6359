package io.ssehub.server.internal;

import io.netty.buffer.Unpooled;
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
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.ssehub.core.AccessRequest;
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.HttpResponses;
import io.ssehub.http.JwtAuthenticator;
import io.ssehub.http.PublishRequest;
import io.ssehub.http.PublishRequests;
import io.ssehub.http.QueryDecoder;
import io.ssehub.http.StreamRequests;
import io.ssehub.mercure.MercureHub;
import io.ssehub.mercure.MercureRequest;
import io.ssehub.server.Refusals;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
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
 * the broker, or while the client does not read the answers already written (the channel is not
 * writable), later requests of the connection wait in {@link #waiting} and reading pauses. A
 * connection that starts a stream carries nothing else: what the client sends afterwards is
 * dropped.
 *
 * <p>Threading: every field is confined to the connection's event loop; the broker's callbacks hop
 * back onto it.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

  /**
   * Connection errors a client can cause at will: one line per kind every 10 s, stacks at DEBUG.
   */
  private static final RateLimitedLog connectionErrors =
      new RateLimitedLog(log, Duration.ofSeconds(10));

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

  /**
   * Requests of one connection that may wait for their turn. Reading stops as soon as one waits, so
   * only what the last read had already brought (one socket read) can pile up here; a client that
   * pipelines more before it reads its answers is closed. Below the HTTP codec's own bound on
   * requests not yet answered (128), which would close the connection with an error.
   */
  static final int MAX_WAITING_REQUESTS = 100;

  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();

  /** A response is being prepared off the event loop (a publish waits for its broker). */
  private boolean busy;

  /** This connection's stream, once it carries one (and then nothing else); event loop only. */
  private NettySink sink;

  /**
   * The request being answered is a HEAD: its answer is the GET's, without the body (RFC 9110,
   * 9.3.2).
   */
  private boolean headOnly;

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
    if (busy || !ctx.channel().isWritable()) {
      // A publish waits for its broker, or the client does not take the answers already written:
      // this request waits, and reading stops until the answers are out (pipelining back-pressure).
      ctx.channel().config().setAutoRead(false);
      if (waiting.size() >= MAX_WAITING_REQUESTS) {
        log.debug(
            "Closing connection {}: {} pipelined requests wait for their answers",
            ctx.channel().remoteAddress(),
            waiting.size());
        request.release();
        releaseWaiting();
        // What the last read brought is not decoded: the codec's removal stops it between requests.
        if (ctx.pipeline().get(HttpServerCodec.class) != null) {
          ctx.pipeline().remove(HttpServerCodec.class);
        }
        ctx.close();
        return;
      }
      waiting.add(request);
      return;
    }
    handle(ctx, request);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    // CORS headers go on every answer, errors included, so that a page of an allowed origin can
    // read them.
    Map<String, String> cors =
        options.cors().responseHeaders(request.headers().get(HttpHeaderNames.ORIGIN));
    headOnly = HttpMethod.HEAD.equals(request.method());
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
      HttpProblem badHost = hostProblem(ctx, request);
      if (badHost != null) {
        respondAndClose(ctx, withHeaders(Responses.error(badHost), cors));
        return;
      }
      route(ctx, request, keepAlive, cors);
    } catch (RuntimeException e) {
      // HttpProblem, or one of the hub's exceptions (bad input, refused, broker down): a 4xx or
      // 503.
      if (HttpProblem.isInternal(e)) {
        // The path only: the query may hold a token, which is never logged.
        log.error("Failed to answer {} {}", request.method(), pathOf(request.uri()), e);
      }
      respond(ctx, keepAlive, withHeaders(Responses.error(problemOf(e)), cors));
    } finally {
      headOnly = false;
      request.release();
    }
  }

  /**
   * RFC 9112, 3.2: an HTTP/1.1 request without a {@code Host} header, or with more than one, is a
   * 400 (HTTP/1.0 may leave it out). HTTP/2 carries {@code :authority} instead and is not asked.
   */
  private static HttpProblem hostProblem(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (ctx.channel() instanceof Http2StreamChannel
        || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return null;
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() == 1) {
      return null;
    }
    return HttpProblem.badRequest(
        "bad_request",
        "Host",
        "Host: "
            + (hosts.isEmpty() ? "missing" : "given " + hosts.size() + " times")
            + " (expected: exactly one Host header on an HTTP/1.1 request, RFC 9112 3.2)");
  }

  /**
   * The answer to a failure; a 401 gets the bearer challenge when tokens are configured, refusals
   * are counted.
   */
  private HttpProblem problemOf(Throwable failure) {
    HttpProblem problem = HttpProblem.of(failure);
    if (problem.status() == 503 && brokerUnavailable(failure)) {
      // The broker's address and prefix are the operator's business (the log has them), not every
      // client's.
      HttpProblem generic =
          new HttpProblem(
              503,
              problem.code(),
              null,
              "broker: unavailable (it cannot be reached, or the hub is shutting down; expected: retry later)");
      for (Map.Entry<String, String> header : problem.headers().entrySet()) {
        generic = generic.withHeader(header.getKey(), header.getValue());
      }
      problem = generic;
    }
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

  private static boolean brokerUnavailable(Throwable failure) {
    for (Throwable cause = failure;
        cause != null;
        cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof BrokerUnavailableException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this client may see the node's details (the broker's address and prefix in {@code
   * /health}): the dashboard's rule, whoever may publish to every channel (loopback without a key).
   */
  private boolean mayInspect(
      ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params) {
    try {
      hub.authorize(
          new AccessRequest(
              AccessRequest.Action.PUBLISH,
              List.of(Dashboard.EVERY_CHANNEL),
              principal(request, params),
              remoteAddress(ctx)));
      return true;
    } catch (RuntimeException e) { // refused, or a bad token: the generic view
      return false;
    }
  }

  /** Who sends the request, by its token (null: anonymous); never logged. */
  private Principal principal(FullHttpRequest request, Map<String, List<String>> params) {
    JwtAuthenticator authenticator = options.authenticator();
    if (authenticator == null) {
      return null; // no key configured: every client is anonymous, the authorizer decides by
      // address
    }
    return authenticator.authenticate(
        request.headers().get(HttpHeaderNames.AUTHORIZATION),
        request.headers().get(HttpHeaderNames.COOKIE),
        params);
  }

  private static String pathOf(String uri) {
    int question = uri.indexOf('?');
    return Redaction.strip(question < 0 ? uri : uri.substring(0, question) + "?...");
  }

  private static FullHttpResponse withHeaders(
      FullHttpResponse response, Map<String, String> headers) {
    headers.forEach((name, value) -> response.headers().set(name, value));
    return response;
  }

  private void route(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      boolean keepAlive,
      Map<String, String> cors) {
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
      boolean stream =
          route == Route.STREAM || (context.mercure() != null && path.equals(MercureHub.PATH));
      respondAndClose(
          ctx,
          withHeaders(overLimit(over, stream && HttpMethod.GET.equals(request.method())), cors));
      return;
    }
    if (route == null
        && context.mercure() != null
        && (path.equals(MercureHub.PATH) || path.startsWith(MercureHub.PATH + "/"))) {
      mercure(ctx, request, path, query, keepAlive, cors);
      return;
    }
    // A route that is off (no scrapeable registry; the dashboard unless --ui) is no different from
    // an unknown path.
    boolean off =
        (route == Route.METRICS && context.metrics() == null)
            || ((route == Route.DASHBOARD || route == Route.DASHBOARD_STREAM)
                && context.dashboard() == null);
    if (route == null || off) {
      throw HttpProblem.notFound(
          path, "/stream, /publish, /health, /health/live, /health/ready, /metrics or /");
    }
    if (HttpMethod.OPTIONS.equals(request.method()) && options.cors().enabled()) {
      // A CORS preflight (or a plain OPTIONS): 204, with the allowed methods and headers for an
      // allowed origin.
      FullHttpResponse preflight = Responses.full(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
      preflight.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      preflight.headers().set(HttpHeaderNames.ALLOW, route.method.name() + ", OPTIONS");
      respond(
          ctx,
          keepAlive,
          withHeaders(
              preflight,
              options.cors().preflightHeaders(request.headers().get(HttpHeaderNames.ORIGIN))));
      return;
    }
    // HEAD is GET without the body (RFC 9110, 9.3.2): every GET route answers it.
    boolean head = HttpMethod.HEAD.equals(request.method()) && route.method.equals(HttpMethod.GET);
    if (!route.method.equals(request.method()) && !head) {
      throw HttpProblem.methodNotAllowed(
          request.method().name(),
          route.path,
          route.method.equals(HttpMethod.GET) ? "GET, HEAD" : route.method.name());
    }
    Map<String, List<String>> params = QueryDecoder.decode(query);
    switch (route) {
      case STREAM -> {
        if (head) {
          streamHead(ctx, request, params, keepAlive, cors);
        } else {
          stream(ctx, request, params, cors);
        }
      }
      case PUBLISH -> publish(ctx, request, params, keepAlive, cors);
      case HEALTH ->
          respond(
              ctx,
              keepAlive,
              withHeaders(
                  Responses.json(HttpResponses.health(hub, mayInspect(ctx, request, params))),
                  cors));
      case LIVE -> respond(ctx, keepAlive, withHeaders(Responses.json(Health.live(hub)), cors));
      case READY ->
          respond(
              ctx,
              keepAlive,
              withHeaders(
                  Responses.json(
                      Health.ready(
                          hub,
                          context.draining(),
                          context.loopDelayProbing(),
                          HttpResponses.brokerDescription(hub, mayInspect(ctx, request, params)))),
                  cors));
      case METRICS -> respond(ctx, keepAlive, metrics());
      case DEMO -> respond(ctx, keepAlive, demoPage());
      case DASHBOARD -> dashboardPage(ctx, request, params, keepAlive);
      case DASHBOARD_STREAM -> {
        if (head) {
          context.dashboard().authorize(principal(request, params), remoteAddress(ctx));
          respondHead(ctx, keepAlive, eventStreamHead(request, cors));
        } else {
          dashboardStream(ctx, request, params, cors);
        }
      }
    }
  }

  /**
   * The answer on a connection over a limit, which is then closed. A browser's {@code EventSource}
   * stops for good on any status but 200, so a stream is told, with a 200 and a long {@code
   * retry:}, to come back later; other requests get 503 (the server is full) or 429 (this address
   * holds too many connections), with {@code Retry-After}.
   */
  private FullHttpResponse overLimit(Refusals.Cause cause, boolean stream) {
    long retryMillis = options.overLimitRetry().toMillis();
    String retryAfter = Long.toString(Math.max(1, options.overLimitRetry().toSeconds()));
    String what =
        cause == Refusals.Cause.MAX_CONNECTIONS
            ? "the server holds its maximum of " + options.maxConnections() + " connections"
            : "this address holds its maximum of " + options.maxConnectionsPerIp() + " connections";
    FullHttpResponse response;
    if (stream) {
      byte[] body =
          ("retry: " + retryMillis + "\n: " + what + "; reconnect later\n\n")
              .getBytes(StandardCharsets.UTF_8);
      response =
          Responses.full(HttpResponseStatus.OK, HttpResponses.EVENT_STREAM_CONTENT_TYPE, body);
      response
          .headers()
          .set(HttpHeaderNames.CACHE_CONTROL, HttpResponses.EVENT_STREAM_CACHE_CONTROL);
    } else {
      int status = cause == Refusals.Cause.MAX_CONNECTIONS ? 503 : 429;
      response =
          Responses.error(
              new HttpProblem(
                  status,
                  status == 503 ? "too_many_connections" : "too_many_connections_from_address",
                  null,
                  "connections: " + what + " (expected: retry after " + retryAfter + " s)"));
    }
    response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    return response;
  }

  // ---- GET /stream

  private void stream(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      Map<String, String> cors) {
    // Netty reads header bytes as ISO-8859-1; browsers send the id as UTF-8.
    String lastEventId =
        StreamRequests.lastEventIdFromLatin1(
            request.headers().get(StreamRequests.LAST_EVENT_ID_HEADER));
    SubscribeRequest subscribeRequest =
        StreamRequests.parse(params, lastEventId)
            .from(principal(request, params), remoteAddress(ctx));

    HttpResponse head = eventStreamHead(request, cors);

    NettySink sink =
        new NettySink(ctx.channel(), head, context.bytesWritten(), context.fanOutBacklog());
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

  /**
   * {@code HEAD /stream}: what {@code GET} would answer, checked the same way (the channels, the
   * token, the authorizer), without opening a stream.
   */
  private void streamHead(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      boolean keepAlive,
      Map<String, String> cors) {
    SubscribeRequest subscribeRequest =
        StreamRequests.parse(params, null).from(principal(request, params), remoteAddress(ctx));
    hub.authorize(
        new AccessRequest(
            AccessRequest.Action.SUBSCRIBE,
            subscribeRequest.channels(),
            subscribeRequest.principal(),
            subscribeRequest.remoteAddress()));
    respondHead(ctx, keepAlive, eventStreamHead(request, cors));
  }

  /**
   * Answers a HEAD of an event stream with the stream's head and no body; the connection stays
   * usable.
   */
  private void respondHead(ChannelHandlerContext ctx, boolean keepAlive, HttpResponse head) {
    FullHttpResponse answer = Responses.full(HttpResponseStatus.OK, null, new byte[0]);
    answer.headers().set(head.headers());
    // The GET's headers, Transfer-Encoding included (the codec writes no chunk for a HEAD): no
    // Content-Length.
    answer.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    respond(ctx, keepAlive, answer);
  }

  /**
   * The status and headers that start an event stream: chunked, or ended by the close for HTTP/1.0.
   */
  private static HttpResponse eventStreamHead(FullHttpRequest request, Map<String, String> cors) {
    HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.EVENT_STREAM_CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpResponses.EVENT_STREAM_CACHE_CONTROL)
        .set(HttpResponses.X_ACCEL_BUFFERING, HttpResponses.X_ACCEL_BUFFERING_NO);
    cors.forEach((name, value) -> head.headers().set(name, value));
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      head.headers()
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // no chunks: the close ends it
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    return head;
  }

  // ---- POST /publish

  private void publish(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      boolean keepAlive,
      Map<String, String> cors) {
    // Who first: a bad token is a 401 whatever the body holds.
    Principal principal = principal(request, params);
    csrfCheck(request, params);
    if (fanOutBacklogged(ctx, keepAlive, cors)) {
      return;
    }
    PublishRequest publish =
        PublishRequests.parse(
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
      stored.whenCompleteAsync(
          (event, failure) -> {
            busy = false;
            respond(ctx, keepAlive, withHeaders(published(publish.channel(), stored), cors));
            handleWaiting(ctx);
          },
          WriteBatch.ahead(ctx.channel().eventLoop()));
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  /**
   * The CSRF guard ({@link CsrfGuard}): a publish not authorized by an {@code Authorization} header
   * or a {@code token} parameter, which a page of another site cannot send, needs a trusted origin.
   */
  private void csrfCheck(FullHttpRequest request, Map<String, List<String>> params) {
    JwtAuthenticator authenticator = options.authenticator();
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    boolean byCookie = false;
    if (authenticator != null) {
      if (JwtAuthenticator.tokenOf(authorization, null, null, null) != null
          || JwtAuthenticator.tokenOf(null, null, params, null) != null) {
        return; // a header or a parameter: what a forged request cannot hold
      }
      byCookie =
          JwtAuthenticator.tokenOf(
                  null,
                  request.headers().get(HttpHeaderNames.COOKIE),
                  null,
                  authenticator.cookieName())
              != null;
    }
    context.csrfGuard().check(request.headers(), byCookie);
  }

  /**
   * Answers 503 with {@code Retry-After} when the event loops run further behind than {@code
   * --max-fanout-delay}, or more deliveries wait to be written on this node than {@code
   * --max-fanout-backlog}: publishers that outrun the node are slowed down here, rather than have
   * their events accepted and delivered ever later (ARCHITECTURE.md invariant 9). Returns whether
   * it answered.
   */
  private boolean fanOutBacklogged(
      ChannelHandlerContext ctx, boolean keepAlive, Map<String, String> cors) {
    String problem = fanOutProblem();
    if (problem == null) {
      return false;
    }
    refusals.record(Refusals.Cause.FANOUT_BACKLOG);
    FullHttpResponse busy =
        Responses.error(
            new HttpProblem(
                503, "fanout_backlog", null, "publish: " + problem + "; retry after 1 s"));
    busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    respond(ctx, keepAlive, withHeaders(busy, cors));
    return true;
  }

  /** Why this node takes no more publishes now, or null if it does. */
  private String fanOutProblem() {
    long maxDelay = options.maxFanOutDelay().toNanos();
    long delay = maxDelay == 0 ? 0 : context.loopDelayNanos();
    if (delay > maxDelay) {
      return "this node's event loops run "
          + TimeUnit.NANOSECONDS.toMillis(delay)
          + " ms behind (expected: at most "
          + options.maxFanOutDelay().toMillis()
          + " ms, --max-fanout-delay)";
    }
    long maxBacklog = options.maxFanOutBacklog();
    long backlog = maxBacklog == 0 ? 0 : context.deliveriesWaiting();
    if (backlog > maxBacklog) {
      return backlog
          + " deliveries wait to be written on this node (expected: at most "
          + maxBacklog
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

  /**
   * Answers the requests that waited, while the answers are taken; reading resumes once none waits.
   */
  private void handleWaiting(ChannelHandlerContext ctx) {
    FullHttpRequest next;
    while (!busy && sink == null && ctx.channel().isWritable() && (next = waiting.poll()) != null) {
      handle(ctx, next);
    }
    if (!busy && waiting.isEmpty() && ctx.channel().isActive()) {
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

  private void mercure(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      String path,
      String query,
      boolean keepAlive,
      Map<String, String> cors) {
    MercureHub mercure = context.mercure();
    HttpMethod method = request.method();
    try {
      if (path.equals(MercureHub.SUBSCRIPTIONS_PATH)
          || path.startsWith(MercureHub.SUBSCRIPTIONS_PATH + "/")) {
        if (!HttpMethod.GET.equals(method)) {
          throw new HttpProblem(
              405,
              "method_not_allowed",
              null,
              "method: " + method.name() + " on " + path + " (expected: GET)");
        }
        String requestUri = query.isEmpty() ? path : path + "?" + query;
        String body =
            mercure.subscriptionsApi(
                mercureRequest(ctx, request, QueryDecoder.decode(query), Map.of()),
                path,
                requestUri);
        FullHttpResponse response =
            Responses.full(
                HttpResponseStatus.OK,
                "application/ld+json",
                body.getBytes(StandardCharsets.UTF_8));
        response
            .headers()
            .set(
                HttpHeaderNames.CACHE_CONTROL,
                "private, no-cache, no-store, must-revalidate, max-age=0");
        respond(ctx, keepAlive, withHeaders(response, cors));
        return;
      }
      if (!path.equals(MercureHub.PATH)) {
        throw new HttpProblem(
            404, "not_found", null, "path: " + path + " (expected: " + MercureHub.PATH + ")");
      }
      if (HttpMethod.OPTIONS.equals(method) && options.cors().enabled()) {
        FullHttpResponse preflight =
            Responses.full(HttpResponseStatus.NO_CONTENT, null, new byte[0]);
        preflight.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        preflight.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST, OPTIONS");
        respond(
            ctx,
            keepAlive,
            withHeaders(
                preflight,
                options.cors().preflightHeaders(request.headers().get(HttpHeaderNames.ORIGIN))));
        return;
      }
      Map<String, List<String>> params = QueryDecoder.decode(query);
      if (HttpMethod.POST.equals(method)) {
        mercurePublish(ctx, request, mercure, params, keepAlive, cors);
      } else if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method)) {
        mercureSubscribe(ctx, request, mercure, params, cors);
      } else {
        throw new HttpProblem(
            405,
            "method_not_allowed",
            null,
            "method: "
                + method.name()
                + " on "
                + MercureHub.PATH
                + " (expected: GET, HEAD or POST)");
      }
    } catch (RuntimeException e) {
      respond(ctx, keepAlive, withHeaders(mercureError(e), cors));
    }
  }

  private MercureRequest mercureRequest(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      Map<String, List<String>> form) {
    return new MercureRequest(
        request.method().name(),
        params,
        form,
        name -> {
          String value = request.headers().get(name);
          // Netty reads header bytes as ISO-8859-1; browsers send the id as UTF-8.
          return value != null && name.equals(StreamRequests.LAST_EVENT_ID_HEADER)
              ? StreamRequests.lastEventIdFromLatin1(value)
              : value;
        },
        remoteAddress(ctx));
  }

  private void mercurePublish(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      MercureHub mercure,
      Map<String, List<String>> params,
      boolean keepAlive,
      Map<String, String> cors) {
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (contentType != null
        && !contentType
            .toLowerCase(java.util.Locale.ROOT)
            .startsWith("application/x-www-form-urlencoded")) {
      throw new HttpProblem(
          415,
          "unsupported_media_type",
          null,
          "Content-Type: " + contentType + " (expected: application/x-www-form-urlencoded)");
    }
    if (fanOutBacklogged(ctx, keepAlive, cors)) {
      return;
    }
    Map<String, List<String>> form =
        QueryDecoder.decode(request.content().toString(StandardCharsets.UTF_8));
    CompletableFuture<String> stored = mercure.publish(mercureRequest(ctx, request, params, form));
    if (stored.isDone()) {
      respond(ctx, keepAlive, withHeaders(mercurePublished(stored), cors));
      return;
    }
    busy = true;
    try {
      stored.whenCompleteAsync(
          (id, failure) -> {
            busy = false;
            respond(ctx, keepAlive, withHeaders(mercurePublished(stored), cors));
            handleWaiting(ctx);
          },
          WriteBatch.ahead(ctx.channel().eventLoop()));
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  private FullHttpResponse mercurePublished(CompletableFuture<String> stored) {
    try {
      return Responses.full(
          HttpResponseStatus.OK,
          "text/plain; charset=utf-8",
          stored.join().getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return mercureError(e);
    }
  }

  /**
   * Mercure answers errors as text, as the Go hub does: the status, and the message as the body.
   */
  private FullHttpResponse mercureError(Throwable failure) {
    if (HttpProblem.isInternal(failure)) {
      log.error("Mercure request failed", failure);
    }
    HttpProblem problem = problemOf(failure);
    FullHttpResponse response =
        Responses.full(
            HttpResponseStatus.valueOf(problem.status()),
            "text/plain; charset=utf-8",
            (problem.message() + "\n").getBytes(StandardCharsets.UTF_8));
    problem.headers().forEach((name, value) -> response.headers().set(name, value));
    response.headers().set("X-Content-Type-Options", "nosniff");
    return response;
  }

  private void mercureSubscribe(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      MercureHub mercure,
      Map<String, List<String>> params,
      Map<String, String> cors) {
    CompletableFuture<MercureHub.Opening> opening =
        mercure.subscribe(mercureRequest(ctx, request, params, Map.of()));
    HttpVersion version = request.protocolVersion();
    boolean head = HttpMethod.HEAD.equals(request.method());
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (opening.isDone()) {
      openMercureStream(ctx, version, head, keepAlive, opening, cors);
      return;
    }
    busy = true;
    try {
      opening.whenCompleteAsync(
          (ignored, failure) -> {
            busy = false;
            openMercureStream(ctx, version, head, keepAlive, opening, cors);
            handleWaiting(ctx);
          },
          ctx.executor());
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  private void openMercureStream(
      ChannelHandlerContext ctx,
      HttpVersion version,
      boolean headOnly,
      boolean keepAlive,
      CompletableFuture<MercureHub.Opening> future,
      Map<String, String> cors) {
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
        .set(
            HttpHeaderNames.CACHE_CONTROL,
            "private, no-cache, no-store, must-revalidate, max-age=0")
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
    NettySink sink =
        new NettySink(ctx.channel(), head, context.bytesWritten(), context.fanOutBacklog());
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
      ScheduledFuture<?> expiry =
          ctx.executor()
              .schedule(
                  () -> {
                    subscription.close();
                    sink.close();
                  },
                  delay,
                  TimeUnit.MILLISECONDS);
      ctx.channel()
          .closeFuture()
          .addListener(closed -> expiry.cancel(false)); // no timer kept for a client gone
    }
    releaseWaiting();
  }

  // ---- GET /metrics

  /**
   * The Prometheus text format, version 0.0.4; scraped on the event loop (a registry of a few dozen
   * meters).
   */
  private FullHttpResponse metrics() {
    byte[] body = context.metrics().scrape().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        Responses.full(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", body);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    return response;
  }

  // ---- the demo page

  private FullHttpResponse demoPage() {
    FullHttpResponse response =
        Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", context.demoPage());
    response
        .headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set("X-Content-Type-Options", "nosniff");
    return response;
  }

  // ---- the dashboard: GET /ui and GET /ui/stream, for those who may publish to every channel

  private void dashboardPage(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      boolean keepAlive) {
    context.dashboard().authorize(principal(request, params), remoteAddress(ctx));
    FullHttpResponse response =
        Responses.full(
            HttpResponseStatus.OK, "text/html; charset=utf-8", context.dashboard().page());
    response
        .headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set("X-Content-Type-Options", "nosniff")
        // The page publishes: no other site may frame it, and it loads nothing from anywhere else.
        .set("X-Frame-Options", "DENY")
        .set(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        .set("Referrer-Policy", "no-referrer");
    respond(ctx, keepAlive, response);
  }

  private void dashboardStream(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Map<String, List<String>> params,
      Map<String, String> cors) {
    context.dashboard().authorize(principal(request, params), remoteAddress(ctx));
    // Not among context.streams(): those are the hub's, which a close waits for; this one ends with
    // its connection.
    this.sink = context.dashboard().open(ctx.channel(), eventStreamHead(request, cors));
    releaseWaiting();
  }

  // ---- responses

  private void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
    response = bodyless(response);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(
        response); // HttpServerKeepAliveHandler closes after it when the request asked to
  }

  /**
   * The answer to a HEAD: the same status and headers ({@code Content-Length} included), no body.
   */
  private FullHttpResponse bodyless(FullHttpResponse response) {
    if (!headOnly || response.content().readableBytes() == 0) {
      return response;
    }
    FullHttpResponse head = response.replace(Unpooled.EMPTY_BUFFER);
    response.release();
    return head;
  }

  private void respondAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
    response = bodyless(response);
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
      return new HttpProblem(
          HttpResponseStatus.REQUEST_URI_TOO_LONG.code(),
          "uri_too_long",
          null,
          "request line: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new HttpProblem(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code(),
          "headers_too_large",
          null,
          "headers: " + cause.getMessage());
    }
    String reason =
        cause instanceof TooLongFrameException || cause.getMessage() == null
            ? cause.toString()
            : cause.getMessage();
    return HttpProblem.badRequest(
        "bad_request", null, "request: not valid HTTP/1.1 (" + reason + ")");
  }

  // ---- connection events

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    NettySink current = sink;
    if (current != null) {
      current.writabilityChanged();
    } else if (ctx.channel().isWritable()) {
      handleWaiting(ctx); // the client took its answers: the next ones may go
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
      connectionErrors.warn(
          cause.getClass().getName(), "Closing a connection after an error", cause);
    }
    ctx.close();
  }
}
