package io.ssehub.servlet;

import io.ssehub.core.SseHub;
import io.ssehub.core.SubscribeRequest;
import io.ssehub.core.Subscription;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.HttpResponses;
import io.ssehub.http.QueryDecoder;
import io.ssehub.http.StreamRequests;
import io.ssehub.servlet.internal.Responses;
import io.ssehub.servlet.internal.ServletSink;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET ?channel=a&channel=b}: streams channels as {@code text/event-stream}, as the
 * standalone hub's {@code GET /stream} does (same parameters, {@code Last-Event-ID} header or
 * {@code lastEventId} parameter, ids, resume, keepalives, errors).
 *
 * <pre>{@code
 * SseHub hub = SseHub.builder().build();
 * ServletRegistration.Dynamic stream = servletContext.addServlet("sse", new SseStreamServlet(hub));
 * stream.setAsyncSupported(true);
 * stream.addMapping("/stream");
 * }</pre>
 *
 * <p>Who asks is the authenticator's answer ({@link HttpServletRequest#getUserPrincipal()} by
 * default: the container's or a filter's authentication); the hub's {@code Authorizer} then
 * decides, before any stream byte: a refusal is a 401 or 403 JSON answer ({@link HttpProblem}). The
 * authenticator may itself throw {@code AccessDeniedException} or {@link HttpProblem}.
 *
 * <p>The query is decoded from {@link HttpServletRequest#getQueryString()} by {@link QueryDecoder},
 * as the standalone hub does, not by the container (which replaces invalid UTF-8 silently): a
 * stream of a channel that the client did not name is worse than a 400.
 *
 * <p>No thread is held while a stream is open: the response is asynchronous with no timeout, and
 * written through a {@code WriteListener}. Must be registered with {@code asyncSupported=true}.
 * Methods other than GET answer 405 JSON with {@code Allow: GET}.
 */
public class SseStreamServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(SseStreamServlet.class);

  /**
   * The servlet context attribute where the no-argument constructor finds its hub ({@code web.xml}
   * use).
   */
  public static final String HUB_ATTRIBUTE = SseHub.class.getName();

  /** The default authenticator: the container's principal, null for an anonymous request. */
  public static final Function<HttpServletRequest, Principal> CONTAINER_PRINCIPAL =
      HttpServletRequest::getUserPrincipal;

  private transient SseHub hub;
  private final transient Function<HttpServletRequest, Principal> authenticator;

  /**
   * For {@code web.xml}: the hub is the servlet context's {@link #HUB_ATTRIBUTE}, read at {@link
   * #init()}.
   */
  public SseStreamServlet() {
    this(null, CONTAINER_PRINCIPAL);
  }

  /** Streams {@code hub}'s channels; the principal is the container's. */
  public SseStreamServlet(SseHub hub) {
    this(Objects.requireNonNull(hub, "hub"), CONTAINER_PRINCIPAL);
  }

  /**
   * Streams {@code hub}'s channels to the principal that {@code authenticator} finds (null:
   * anonymous).
   */
  public SseStreamServlet(SseHub hub, Function<HttpServletRequest, Principal> authenticator) {
    this.hub = hub;
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public void init() throws ServletException {
    if (hub == null) {
      hub = hubOf(this);
    }
  }

  static SseHub hubOf(HttpServlet servlet) throws ServletException {
    Object attribute = servlet.getServletContext().getAttribute(HUB_ATTRIBUTE);
    if (!(attribute instanceof SseHub found)) {
      throw new ServletException(
          "servlet context attribute "
              + HUB_ATTRIBUTE
              + ": "
              + attribute
              + " (expected: the SseHub, or construct the servlet with one)");
    }
    return found;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!"GET".equals(request.getMethod())) {
      Responses.problem(
          response, HttpProblem.methodNotAllowed(request.getMethod(), path(request), "GET"));
      return;
    }
    SubscribeRequest subscribe;
    try {
      String lastEventId =
          StreamRequests.lastEventIdFromLatin1(
              request.getHeader(StreamRequests.LAST_EVENT_ID_HEADER));
      Principal principal = authenticator.apply(request);
      subscribe =
          StreamRequests.parse(QueryDecoder.decode(request.getQueryString()), lastEventId)
              .from(principal, request.getRemoteAddr());
    } catch (RuntimeException e) {
      refuse(response, e);
      return;
    }
    if (!request.isAsyncSupported()) {
      log.error("{} is registered without asyncSupported=true: it cannot stream", getServletName());
      Responses.problem(response, HttpProblem.internalError());
      return;
    }

    AsyncContext context = request.startAsync();
    context.setTimeout(0); // a stream lasts until either side ends it; keepalives find dead clients
    ServletSink sink = new ServletSink(context, response.getOutputStream());
    Subscription subscription;
    try {
      subscription =
          hub.subscribe(subscribe, sink); // queues the retry: line, written after start()
    } catch (RuntimeException e) {
      sink.discard();
      try {
        refuse(response, e);
      } finally {
        context.complete();
      }
      return;
    }
    response.setStatus(HttpServletResponse.SC_OK);
    for (Map.Entry<String, String> header : HttpResponses.STREAM_HEADERS.entrySet()) {
      response.setHeader(header.getKey(), header.getValue());
    }
    sink.start(subscription);
  }

  private static void refuse(HttpServletResponse response, RuntimeException failure)
      throws IOException {
    if (HttpProblem.isInternal(failure)) {
      log.error("Stream request failed", failure);
    }
    Responses.problem(response, HttpProblem.of(failure));
  }

  static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return uri == null ? "/" : uri;
  }
}
