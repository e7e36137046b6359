package io.ssehub.testkit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One {@code text/event-stream} response, read by the JDK's {@link HttpClient} and parsed by {@link
 * SseParser}, with bounded waits for tests.
 *
 * <p>Why not a thread per stream: load tests open ~2,000 streams in one JVM. Bytes arrive through a
 * {@link Flow.Subscriber} on the HttpClient's own threads and are parsed there; test threads block
 * only in the {@code await*} methods, each with a timeout, and fail with an {@link AssertionError}
 * that says what was expected and what arrived.
 *
 * <p>What it doesn't do: reconnect (a test that wants to resume opens a new client with a {@code
 * Last-Event-ID} header, so the test decides when), follow redirects, or check the content type
 * (tests assert {@link #headers()} themselves). Requests always use HTTP/1.1, as browsers do over
 * cleartext; the JDK would otherwise try an {@code h2c} upgrade. HTTP/1.1 connections are not
 * shared while a body streams, so each open client holds one TCP connection until the server ends
 * the stream or {@link #close()} is called.
 *
 * <p>Threading: all methods may be called from any thread. Recorded state is guarded by {@code
 * lock}; the parser is fed under it too, so what is recorded is always in stream order.
 */
public final class SseClient implements AutoCloseable {

  /** Connect timeout of {@link #newHttpClient()}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Threads of {@link #newHttpClient()}'s executor. The JDK's default is an unbounded cached pool,
   * which grows a thread for every connection set up at once: hundreds when a test opens hundreds
   * of streams. Parsing never blocks, so a few threads serve any number of streams.
   */
  public static final int DEFAULT_THREADS = 4;

  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  /** Bodies of non-200 responses are kept up to this many bytes, for {@link #errorBody()}. */
  public static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

  private final URI uri;
  private final Object lock = new Object();
  private final CompletableFuture<HttpResponse<Void>> response;

  // Guarded by lock.
  private final SseParser parser;
  private final List<SseParser.Event> events = new ArrayList<>();

  /** {@link System#nanoTime()} when each event was dispatched, parallel to {@link #events}. */
  private final List<Long> arrivals = new ArrayList<>();

  private final List<String> comments = new ArrayList<>();
  private final List<String> idOnlyUpdates = new ArrayList<>();
  private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
  private String lastEventId = "";
  private Long retry;
  private int statusCode = -1;
  private HttpHeaders headers;
  private HttpClient.Version version;
  private Throwable failure;
  private boolean ended;
  private boolean closeRequested;
  private Flow.Subscription subscription;

  private SseClient(
      HttpClient httpClient,
      URI uri,
      Map<String, String> extraHeaders,
      HttpClient.Version version) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.parser = new SseParser(new Recorder());
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .GET()
            .version(version)
            .header("Accept", "text/event-stream")
            .header("Cache-Control", "no-cache"); // as EventSource sends it
    extraHeaders.forEach(request::setHeader);
    this.response = httpClient.sendAsync(request.build(), this::onResponse);
    this.response.whenComplete(
        (r, t) -> {
          if (t != null) {
            end(t);
          }
        });
  }

  /**
   * An {@link HttpClient} fit for many concurrent streams over loopback: HTTP/1.1, no proxy, no
   * redirects, {@link #DEFAULT_CONNECT_TIMEOUT}, at most {@link #DEFAULT_THREADS} daemon threads
   * (named {@code ssehub-sse-client-N}) that end when idle. Share one per test class.
   */
  public static HttpClient newHttpClient() {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            DEFAULT_THREADS,
            DEFAULT_THREADS,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new Thread(task, "ssehub-sse-client-" + THREAD_IDS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // JDK 17's HttpClient can't be closed; idle threads ending keeps a dropped client from leaking.
    executor.allowCoreThreadTimeOut(true);
    return HttpClient.newBuilder()
        .executor(executor)
        .version(HttpClient.Version.HTTP_1_1)
        .proxy(HttpClient.Builder.NO_PROXY)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
        .build();
  }

  /** Opens {@code GET uri} with {@code Accept: text/event-stream}; returns at once. */
  public static SseClient open(HttpClient httpClient, URI uri) {
    return open(httpClient, uri, Map.of());
  }

  /**
   * Opens {@code GET uri} with {@code Accept: text/event-stream} and {@code extraHeaders} (which
   * replace defaults of the same name), for example {@code Map.of("Last-Event-ID", "41")}. Returns
   * at once; use {@link #awaitOpen} to wait for the response headers.
   */
  public static SseClient open(HttpClient httpClient, URI uri, Map<String, String> extraHeaders) {
    return new SseClient(httpClient, uri, extraHeaders, HttpClient.Version.HTTP_1_1);
  }

  /**
   * As {@link #open(HttpClient, URI, Map)}, asking for {@code version}: {@code HTTP_2} over {@code
   * https} gets HTTP/2 from a server that offers it by ALPN. See {@link #version()}.
   */
  public static SseClient open(
      HttpClient httpClient,
      URI uri,
      Map<String, String> extraHeaders,
      HttpClient.Version version) {
    return new SseClient(httpClient, uri, extraHeaders, Objects.requireNonNull(version, "version"));
  }

  /** The HTTP version of the response, or null before the headers arrive. */
  public HttpClient.Version version() {
    synchronized (lock) {
      return version;
    }
  }

  public URI uri() {
    return uri;
  }

  /**
   * Waits for the response headers and returns the status code.
   *
   * @throws AssertionError if they don't arrive in time or the request fails
   */
  public int awaitOpen(Duration timeout) {
    awaitCondition(
        timeout,
        () -> statusCode >= 0 || ended || closeRequested,
        () -> "Timed out after " + timeout + " waiting for response headers from " + uri);
    synchronized (lock) {
      if (statusCode < 0) {
        if (closeRequested) {
          throw new AssertionError("Closed by the client before " + uri + " answered");
        }
        throw new AssertionError("Request to " + uri + " failed: " + failure, failure);
      }
      return statusCode;
    }
  }

  /** The response status code, or -1 before the headers arrive. */
  public int statusCode() {
    synchronized (lock) {
      return statusCode;
    }
  }

  /** The response headers, or empty before they arrive. */
  public HttpHeaders headers() {
    synchronized (lock) {
      return headers != null ? headers : HttpHeaders.of(Map.of(), (a, b) -> true);
    }
  }

  /** A snapshot of the events dispatched so far. */
  public List<SseParser.Event> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /**
   * When each event of {@link #events()} arrived ({@link System#nanoTime()}, in this process), for
   * latency measurements: compare with a send time carried in the event.
   */
  public List<Long> arrivalNanos() {
    synchronized (lock) {
      return List.copyOf(arrivals);
    }
  }

  /**
   * Waits until at least {@code count} events have arrived in total and returns the first {@code
   * count} (later ones stay visible in {@link #events()}).
   *
   * @throws AssertionError on timeout ("Timed out ... waiting for 5 events, got 3: [...]") or if
   *     the stream ends first
   */
  public List<SseParser.Event> awaitEvents(int count, Duration timeout) {
    return awaitCount("events", events, count, timeout);
  }

  /** A snapshot of the comments read so far, text after the colon, one leading space removed. */
  public List<String> comments() {
    synchronized (lock) {
      return List.copyOf(comments);
    }
  }

  /** As {@link #awaitEvents}, for comments (keepalives). */
  public List<String> awaitComments(int count, Duration timeout) {
    return awaitCount("comments", comments, count, timeout);
  }

  /** Last event IDs set by blocks that had an {@code id} and no data, in order. */
  public List<String> idOnlyUpdates() {
    synchronized (lock) {
      return List.copyOf(idOnlyUpdates);
    }
  }

  /**
   * The spec's "last event ID string": what a browser would send as {@code Last-Event-ID} if it
   * reconnected now ({@code ""} if none).
   */
  public String lastEventId() {
    synchronized (lock) {
      return lastEventId;
    }
  }

  /** The reconnection time from the last valid {@code retry} field, or empty. */
  public Optional<Long> retry() {
    synchronized (lock) {
      return Optional.ofNullable(retry);
    }
  }

  /**
   * The body of a non-200 response (UTF-8, at most {@link #MAX_ERROR_BODY_BYTES}), so far; empty
   * for a 200 response, whose body is parsed as events instead.
   */
  public String errorBody() {
    synchronized (lock) {
      return errorBody.toString(StandardCharsets.UTF_8);
    }
  }

  /** Why the stream failed (connection refused, reset, ...), if it did. */
  public Optional<Throwable> failure() {
    synchronized (lock) {
      return Optional.ofNullable(failure);
    }
  }

  /**
   * True once the stream has ended from the other side: the server finished the response, or the
   * connection failed. Not set by {@link #close()}.
   */
  public boolean isClosed() {
    synchronized (lock) {
      return ended;
    }
  }

  /**
   * Waits until {@link #isClosed()}; fails with what arrived if that takes too long. Returns at
   * once after {@link #close()}.
   */
  public void awaitClosed(Duration timeout) {
    awaitCondition(
        timeout,
        () -> ended || closeRequested,
        () ->
            "Timed out after "
                + timeout
                + " waiting for "
                + uri
                + " to end; got "
                + events.size()
                + " events: "
                + events);
  }

  /**
   * Aborts the stream from the client side: cancels the body subscription, which makes the
   * HttpClient close the TCP connection (an HTTP/1.1 body that wasn't read to its end can't be
   * reused), so the server sees the disconnect. Idempotent.
   */
  @Override
  public void close() {
    Flow.Subscription toCancel;
    synchronized (lock) {
      closeRequested = true;
      toCancel = subscription;
      lock.notifyAll();
    }
    if (toCancel != null) {
      toCancel.cancel();
    }
    // Before the headers there is no subscription yet: cancelling the exchange aborts the request.
    response.cancel(true);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SseClient{"
          + uri
          + ", status="
          + statusCode
          + ", events="
          + events.size()
          + ", ended="
          + ended
          + (failure != null ? ", failure=" + failure : "")
          + "}";
    }
  }

  private <T> List<T> awaitCount(String what, List<T> list, int count, Duration timeout) {
    if (count < 0) {
      throw new IllegalArgumentException("count : " + count + " (expected: >= 0)");
    }
    awaitCondition(
        timeout,
        () -> list.size() >= count || ended || closeRequested,
        () ->
            "Timed out after "
                + timeout
                + " waiting for "
                + count
                + " "
                + what
                + ", got "
                + list.size()
                + ": "
                + list);
    synchronized (lock) {
      if (list.size() < count) {
        throw new AssertionError(
            "Stream "
                + uri
                + (ended ? " ended" : " was closed by the client")
                + " while waiting for "
                + count
                + " "
                + what
                + ", got "
                + list.size()
                + ": "
                + list
                + (failure != null ? " (failure: " + failure + ")" : ""),
            failure);
      }
      return List.copyOf(list.subList(0, count));
    }
  }

  /** Waits under the lock until {@code done} holds, at most {@code timeout}. */
  private void awaitCondition(Duration timeout, Supplier<Boolean> done, Supplier<String> message) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!done.get()) {
        long remainingMillis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (remainingMillis <= 0) {
          throw new AssertionError(message.get());
        }
        try {
          lock.wait(remainingMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("Interrupted: " + message.get(), e);
        }
      }
    }
  }

  private HttpResponse.BodySubscriber<Void> onResponse(HttpResponse.ResponseInfo info) {
    synchronized (lock) {
      statusCode = info.statusCode();
      headers = info.headers();
      version = info.version();
      lock.notifyAll();
    }
    return new BodySubscriber(info.statusCode() == 200);
  }

  private void end(Throwable cause) {
    synchronized (lock) {
      // After close() the client tore the stream down itself: not an end from the other side.
      if (ended || closeRequested) {
        return;
      }
      ended = true;
      failure =
          cause instanceof CompletionException && cause.getCause() != null
              ? cause.getCause()
              : cause;
      parser.end();
      lock.notifyAll();
    }
  }

  /** Feeds the body to the parser (or the error body buffer) on the HttpClient's threads. */
  private final class BodySubscriber implements HttpResponse.BodySubscriber<Void> {
    private final boolean eventStream;
    private final CompletableFuture<Void> body = new CompletableFuture<>();

    BodySubscriber(boolean eventStream) {
      this.eventStream = eventStream;
    }

    @Override
    public CompletionStage<Void> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      boolean cancel;
      synchronized (lock) {
        subscription = s;
        cancel = closeRequested;
      }
      if (cancel) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE); // we never block, so there is nothing to push back against
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      synchronized (lock) {
        if (ended || closeRequested) {
          return;
        }
        for (ByteBuffer buffer : buffers) {
          if (eventStream) {
            parser.feed(buffer);
          } else {
            int keep = Math.min(buffer.remaining(), MAX_ERROR_BODY_BYTES - errorBody.size());
            byte[] bytes = new byte[keep];
            buffer.get(bytes);
            errorBody.write(bytes, 0, keep);
          }
        }
        lock.notifyAll();
      }
    }

    @Override
    public void onError(Throwable t) {
      end(t);
      body.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      end(null);
      body.complete(null);
    }
  }

  /** Records parser output; called with {@code lock} held (from onNext). */
  private final class Recorder implements SseParser.Listener {
    @Override
    public void onEvent(SseParser.Event event) {
      events.add(event);
      arrivals.add(System.nanoTime());
      lastEventId = event.id();
    }

    @Override
    public void onComment(String text) {
      comments.add(text);
    }

    @Override
    public void onIdOnly(String id) {
      idOnlyUpdates.add(id);
      lastEventId = id;
    }

    @Override
    public void onRetry(long millis) {
      retry = millis;
    }
  }
}
