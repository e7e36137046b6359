package io.ssehub.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ssehub.core.AccessDeniedException;
import io.ssehub.core.BrokerUnavailableException;
import io.ssehub.core.EventTooLargeException;
import io.ssehub.core.InvalidInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A request refused, with what the client is told: a status, a stable code, a message that names
 * the field, the value and what was expected, the field at fault if there is one, and the headers
 * the status calls for ({@code Allow} with a 405). Thrown while a request is parsed; every adapter
 * writes it as {@link #status()}, {@link #headers()}, {@code Content-Type:} {@value
 * HttpResponses#JSON_CONTENT_TYPE} and {@link #jsonBody()}.
 *
 * <p>{@link #of(Throwable)} maps the hub's exceptions, so that every adapter answers them alike:
 *
 * <table>
 *   <caption>Core exceptions and their answers</caption>
 *   <tr><th>exception</th><th>status</th><th>code</th></tr>
 *   <tr><td>{@link InvalidInputException}</td><td>400</td><td>{@code invalid_field}</td></tr>
 *   <tr><td>{@link EventTooLargeException}</td><td>413</td><td>{@code payload_too_large}</td></tr>
 *   <tr><td>{@link AccessDeniedException}, unauthenticated</td><td>401</td><td>{@code unauthorized}</td></tr>
 *   <tr><td>{@link AccessDeniedException}, forbidden</td><td>403</td><td>{@code forbidden}</td></tr>
 *   <tr><td>{@link BrokerUnavailableException}</td><td>503</td><td>{@code unavailable}</td></tr>
 *   <tr><td>anything else</td><td>500</td><td>{@code internal_error}</td></tr>
 * </table>
 *
 * <p>Immutable. No stack trace: these are expected, and frequent under abuse.
 */
public final class HttpProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final int status;
  private final String code;
  private final String field;
  private final transient Map<String, String> headers;

  /**
   * A problem without extra headers.
   *
   * @param status the HTTP status, 400 to 599
   * @param code a short stable name for the problem ({@code invalid_json}, {@code missing_field},
   *     ...)
   * @param field the field at fault, or null
   * @param message what the client reads: the field, the value and what was expected
   */
  public HttpProblem(int status, String code, String field, String message) {
    this(status, code, field, message, Map.of());
  }

  private HttpProblem(
      int status, String code, String field, String message, Map<String, String> headers) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400 to 599)");
    }
    this.status = status;
    this.code = Objects.requireNonNull(code, "code");
    this.field = field;
    this.headers = headers;
  }

  /** A 400 with this code. */
  public static HttpProblem badRequest(String code, String field, String message) {
    return new HttpProblem(400, code, field, message);
  }

  /** A 404 for a path not served: {@code expected} lists those that are, for the message. */
  public static HttpProblem notFound(String path, String expected) {
    return new HttpProblem(
        404,
        "not_found",
        null,
        "path: "
            + InvalidInputException.quote(path)
            + " is not served here (expected: "
            + expected
            + ")");
  }

  /** A 405 with {@code Allow: allowed}. */
  public static HttpProblem methodNotAllowed(String method, String path, String allowed) {
    return new HttpProblem(
            405,
            "method_not_allowed",
            null,
            // A method is an HTTP token (RFC 9110, 5.6.2): nothing to escape.
            "method: " + method + " is not allowed on " + path + " (expected: " + allowed + ")")
        .withHeader("Allow", allowed);
  }

  /**
   * A 413 for a request body over the limit, before or while it is read.
   *
   * @param length the body's {@code Content-Length}, or -1 when it is not known (chunked)
   * @param limit the largest body read
   */
  public static HttpProblem bodyTooLarge(long length, long limit) {
    String size = length >= 0 ? length + " bytes" : "more than " + limit + " bytes";
    return new HttpProblem(
        413,
        "payload_too_large",
        null,
        "body: " + size + " (expected: at most " + limit + " bytes)");
  }

  /** A 500 that reveals nothing: log the cause yourself. */
  public static HttpProblem internalError() {
    return new HttpProblem(
        500, "internal_error", null, "server: an unexpected error; it is logged");
  }

  /**
   * What to answer for a failure: the problem itself, or the mapping of a core exception (see the
   * table above). {@link CompletionException} and {@link ExecutionException} are unwrapped, so that
   * a failed publish future maps like a thrown exception. Anything unknown is {@link
   * #internalError()}: a bug, which {@link #isInternal(Throwable)} lets the caller log.
   */
  public static HttpProblem of(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof HttpProblem problem) {
      return problem;
    }
    if (cause instanceof EventTooLargeException e) { // before InvalidInputException: a subclass
      return new HttpProblem(413, "payload_too_large", e.field(), e.getMessage());
    }
    if (cause instanceof InvalidInputException e) {
      return badRequest("invalid_field", e.field(), e.getMessage());
    }
    if (cause instanceof AccessDeniedException e) {
      // The reason is the authorizer's, written for the client (AccessDecision: no secrets in it).
      String reason = e.decision().reason();
      return e.unauthenticated()
          ? new HttpProblem(
              401,
              "unauthorized",
              null,
              "credentials: "
                  + (reason != null ? reason : "missing or not valid")
                  + " (expected: credentials that grant access)")
          : new HttpProblem(
              403,
              "forbidden",
              null,
              "access: "
                  + (reason != null ? reason : "not granted")
                  + " (expected: a channel these credentials grant)");
    }
    if (cause instanceof BrokerUnavailableException e) {
      return new HttpProblem(
          503, "unavailable", null, "broker: " + e.getMessage() + " (expected: retry later)");
    }
    return internalError();
  }

  /**
   * Whether {@link #of(Throwable)} maps {@code failure} to a 500: not a client's mistake, but a bug
   * to log.
   */
  public static boolean isInternal(Throwable failure) {
    Throwable cause = unwrap(failure);
    return !(cause instanceof HttpProblem
        || cause instanceof InvalidInputException
        || cause instanceof AccessDeniedException
        || cause instanceof BrokerUnavailableException);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = Objects.requireNonNull(failure, "failure");
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** This problem with one more response header (replacing one of the same name). */
  public HttpProblem withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new HttpProblem(status, code, field, getMessage(), Collections.unmodifiableMap(more));
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** A short stable name for the problem ({@code invalid_json}, {@code missing_field}, ...). */
  public String code() {
    return code;
  }

  /** The field at fault, or null when the problem is not one field's. */
  public String field() {
    return field;
  }

  /** What the client reads; the same as {@link #getMessage()}. */
  public String message() {
    return getMessage();
  }

  /** Headers the response must carry besides {@code Content-Type}, in order; often none. */
  public Map<String, String> headers() {
    return headers != null ? headers : Map.of(); // null only after Java deserialization
  }

  /**
   * The response body, UTF-8 JSON: {@code {"error":"<code>","field":"<field>","message":"<text>"}},
   * {@code field} only when one field is at fault.
   */
  public byte[] jsonBody() {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", code);
    if (field != null) {
      body.put("field", field);
    }
    body.put("message", getMessage());
    return HttpResponses.bytes(body);
  }
}
