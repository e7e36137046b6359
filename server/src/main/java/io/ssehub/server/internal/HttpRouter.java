package io.ssehub.server.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.EventTooLargeException;
import io.ssehub.core.InvalidInputException;
import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests of one connection: {@code GET /stream}, {@code POST /publish}, {@code GET
 * /health} and the demo page at {@code /}.
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

  static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

  /** The paths served, and the one method each accepts. */
  enum Route {
    STREAM("/stream", HttpMethod.GET),
    PUBLISH("/publish", HttpMethod.POST),
    HEALTH("/health", HttpMethod.GET),
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
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  /** A response is being prepared off the event loop (a publish waits for its broker). */
  private boolean busy;
  /** This connection carries a stream. */
  private boolean streaming;
  /** This connection's stream, once it is one; event loop only. */
  private NettySink sink;

  HttpRouter(ServerContext context) {
    this.context = context;
    this.hub = context.hub();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || streaming) {
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
    try {
      if (request.decoderResult().isFailure()) {
        respondAndClose(ctx, Responses.error(decodingError(request.decoderResult().cause())));
        return;
      }
      route(ctx, request, keepAlive);
    } catch (HttpError e) {
      respond(ctx, keepAlive, Responses.error(e));
    } catch (RuntimeException e) {
      log.error("Failed to answer {} {}", request.method(), request.uri(), e);
      respond(ctx, keepAlive, Responses.error(internalError()));
    } finally {
      request.release();
    }
  }

  private void route(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
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
    if (route == null) {
      throw new HttpError(HttpResponseStatus.NOT_FOUND, "not_found", null,
          "path: " + quote(path) + " is not served here (expected: /stream, /publish, /health or /)");
    }
    if (!route.method.equals(request.method())) {
      FullHttpResponse response = Responses.error(new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED,
          "method_not_allowed", null,
          "method: " + request.method() + " is not allowed on " + route.path + " (expected: " + route.method + ")"));
      response.headers().set(HttpHeaderNames.ALLOW, route.method.name());
      respond(ctx, keepAlive, response);
      return;
    }
    Map<String, List<String>> params = FormDecoder.decode(query, "query", "invalid_query");
    switch (route) {
      case STREAM -> stream(ctx, request, params);
      case PUBLISH -> publish(ctx, request, keepAlive);
      case HEALTH -> respond(ctx, keepAlive, health());
      case DEMO -> respond(ctx, keepAlive, demoPage());
    }
  }

  // ---- GET /stream

  private void stream(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> params) {
    SubscribeRequest subscribeRequest;
    try {
      subscribeRequest = SubscribeRequest.of(params.getOrDefault("channel", List.of()), lastEventId(request, params));
    } catch (InvalidInputException e) {
      throw HttpError.badRequest("invalid_field", e.field(), e.getMessage());
    }

    HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        // nginx buffers proxied responses unless told not to, which would hold events back.
        .set("X-Accel-Buffering", "no");
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE); // no chunks: the close ends it
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }

    NettySink sink = new NettySink(ctx.channel(), head);
    Subscription subscription;
    try {
      subscription = hub.subscribe(subscribeRequest, sink);
    } catch (BrokerUnavailableException e) {
      sink.discard();
      throw unavailable(e);
    } catch (InvalidInputException e) {
      sink.discard();
      throw HttpError.badRequest("invalid_field", e.field(), e.getMessage());
    }
    this.sink = sink;
    streaming = true;
    context.streams().add(ctx.channel());
    ctx.channel().closeFuture().addListener(closed -> subscription.close());
    releaseWaiting();
  }

  /**
   * The {@code Last-Event-ID} header (which browsers send when they reconnect), else the {@code
   * lastEventId} query parameter (for a first connection, which cannot set the header).
   */
  private static String lastEventId(FullHttpRequest request, Map<String, List<String>> params) {
    String header = request.headers().get("Last-Event-ID");
    if (header != null) {
      // Netty reads header bytes as ISO-8859-1; browsers send the id as UTF-8 (WHATWG HTML, 9.2.4).
      return FormDecoder.utf8(header.getBytes(StandardCharsets.ISO_8859_1), "Last-Event-ID");
    }
    List<String> values = params.get("lastEventId");
    if (values == null) {
      return null;
    }
    if (values.size() > 1) {
      throw HttpError.badRequest("invalid_field", "lastEventId",
          "lastEventId: given " + values.size() + " times (expected: once)");
    }
    return values.get(0);
  }

  // ---- POST /publish

  private void publish(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    PublishParser.Publish publish = PublishParser.parse(
        request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content().nioBuffer());
    CompletableFuture<SseEvent> stored;
    try {
      stored = hub.publish(publish.channel(), publish.event());
    } catch (EventTooLargeException e) {
      throw new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", e.field(), e.getMessage());
    } catch (InvalidInputException e) {
      throw HttpError.badRequest("invalid_field", e.field(), e.getMessage());
    }
    if (stored.isDone()) {
      respond(ctx, keepAlive, published(publish.channel(), stored));
      return;
    }
    // Never wait on the event loop: answer when the broker has stored the event.
    busy = true;
    try {
      stored.whenCompleteAsync((event, failure) -> {
        busy = false;
        respond(ctx, keepAlive, published(publish.channel(), stored));
        handleWaiting(ctx);
      }, ctx.executor());
    } catch (RejectedExecutionException e) {
      // The server is shutting down; so is this connection.
    }
  }

  private FullHttpResponse published(String channel, CompletableFuture<SseEvent> stored) {
    try {
      SseEvent event = stored.join();
      ObjectNode body = Responses.JSON.createObjectNode();
      body.put("id", event.id());
      body.put("channel", channel);
      return Responses.json(HttpResponseStatus.OK, body);
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof BrokerUnavailableException unavailable) {
        return Responses.error(unavailable(unavailable));
      }
      if (cause instanceof InvalidInputException invalid) {
        return Responses.error(HttpError.badRequest("invalid_field", invalid.field(), invalid.getMessage()));
      }
      log.error("Publish to {} failed", channel, cause);
      return Responses.error(internalError());
    }
  }

  private void handleWaiting(ChannelHandlerContext ctx) {
    FullHttpRequest next;
    while (!busy && !streaming && (next = waiting.poll()) != null) {
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

  // ---- GET /health and the demo page

  private FullHttpResponse health() {
    boolean ready = hub.isReady();
    ObjectNode body = Responses.JSON.createObjectNode();
    body.put("status", ready ? "up" : "down");
    body.put("broker", hub.broker().describe());
    body.put("connected", hub.broker().isConnected());
    body.put("streams", hub.streamCount());
    return Responses.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
  }

  private FullHttpResponse demoPage() {
    FullHttpResponse response = Responses.full(HttpResponseStatus.OK, "text/html; charset=utf-8", context.demoPage());
    response.headers()
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set("X-Content-Type-Options", "nosniff");
    return response;
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

  private static HttpError decodingError(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new HttpError(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", null,
          "request line: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return new HttpError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", null,
          "headers: " + cause.getMessage());
    }
    String reason = cause instanceof TooLongFrameException || cause.getMessage() == null
        ? cause.toString()
        : cause.getMessage();
    return HttpError.badRequest("bad_request", null, "request: not valid HTTP/1.1 (" + reason + ")");
  }

  private static HttpError unavailable(BrokerUnavailableException e) {
    return new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", null,
        "broker: " + e.getMessage() + " (expected: retry later)");
  }

  private static HttpError internalError() {
    return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", null,
        "server: an unexpected error; it is logged");
  }

  private static String quote(String value) {
    String shown = value.length() > 100 ? value.substring(0, 100) + "..." : value;
    return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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
