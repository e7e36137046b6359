package io.ssehub.servlet;

import io.ssehub.core.SseEvent;
import io.ssehub.core.SseHub;
import io.ssehub.http.HttpProblem;
import io.ssehub.http.HttpResponses;
import io.ssehub.http.PublishRequest;
import io.ssehub.http.PublishRequests;
import io.ssehub.servlet.internal.Responses;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST} a JSON or form body ({@code channel}, {@code data}, {@code type}, {@code id}, {@code
 * retry}): publishes it, as the standalone hub's {@code POST /publish} does, and answers {@code 200
 * {"id":"...","channel":"..."}} once the event is stored, or an {@link HttpProblem} JSON body.
 *
 * <p>The hub's {@code Authorizer} decides, for the principal that the authenticator finds ({@link
 * HttpServletRequest#getUserPrincipal()} by default). The body is limited to the hub's largest
 * event plus {@link #BODY_ALLOWANCE_BYTES} (413 beyond). It is read with blocking reads (it is
 * small); the answer waits for the broker asynchronously, holding no thread. Must be registered
 * with {@code asyncSupported=true}; methods other than POST answer 405 JSON.
 */
public class SsePublishServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(SsePublishServlet.class);

  /**
   * What a body may hold besides the event's own bytes (field names, JSON quoting); as the
   * standalone hub.
   */
  public static final int BODY_ALLOWANCE_BYTES = 16 * 1024;

  private transient SseHub hub;
  private final transient Function<HttpServletRequest, Principal> authenticator;

  /**
   * For {@code web.xml}: the hub is the servlet context's {@link SseStreamServlet#HUB_ATTRIBUTE}.
   */
  public SsePublishServlet() {
    this(null, SseStreamServlet.CONTAINER_PRINCIPAL);
  }

  public SsePublishServlet(SseHub hub) {
    this(Objects.requireNonNull(hub, "hub"), SseStreamServlet.CONTAINER_PRINCIPAL);
  }

  public SsePublishServlet(SseHub hub, Function<HttpServletRequest, Principal> authenticator) {
    this.hub = hub;
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public void init() throws ServletException {
    if (hub == null) {
      hub = SseStreamServlet.hubOf(this);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!"POST".equals(request.getMethod())) {
      Responses.problem(
          response,
          HttpProblem.methodNotAllowed(
              request.getMethod(), SseStreamServlet.path(request), "POST"));
      return;
    }
    PublishRequest publish;
    CompletableFuture<SseEvent> stored;
    try {
      long limit = hub.maxEventBytes() + BODY_ALLOWANCE_BYTES;
      long length = request.getContentLengthLong();
      if (length > limit) {
        throw HttpProblem.bodyTooLarge(length, limit);
      }
      byte[] body;
      try (InputStream in = request.getInputStream()) {
        body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      }
      if (body.length > limit) {
        throw HttpProblem.bodyTooLarge(-1, limit);
      }
      publish = PublishRequests.parse(request.getContentType(), body);
      stored =
          hub.publishAs(
              authenticator.apply(request),
              request.getRemoteAddr(),
              publish.channel(),
              publish.event());
    } catch (RuntimeException e) {
      refuse(response, e);
      return;
    }
    if (stored.isDone() || !request.isAsyncSupported()) {
      SseEvent event = null;
      Throwable failure = null;
      try {
        event = stored.join();
      } catch (RuntimeException e) {
        failure = e;
      }
      answer(response, event, failure, publish.channel());
      return;
    }
    AsyncContext context = request.startAsync();
    context.setTimeout(0); // the broker's own timeouts bound the wait
    stored.whenComplete(
        (event, failure) -> {
          try {
            answer(response, event, failure, publish.channel());
          } catch (IOException | RuntimeException e) {
            log.debug("Publish answer failed: {}", e.toString());
          } finally {
            context.complete();
          }
        });
  }

  private static void answer(
      HttpServletResponse response, SseEvent stored, Throwable failure, String channel)
      throws IOException {
    if (failure != null) {
      if (HttpProblem.isInternal(failure)) {
        log.error("Publish failed", failure);
      }
      Responses.problem(response, HttpProblem.of(failure));
    } else {
      Responses.json(response, 200, HttpResponses.publishedJson(stored, channel));
    }
  }

  private static void refuse(HttpServletResponse response, RuntimeException failure)
      throws IOException {
    if (HttpProblem.isInternal(failure)) {
      log.error("Publish request failed", failure);
    }
    Responses.problem(response, HttpProblem.of(failure));
  }
}
