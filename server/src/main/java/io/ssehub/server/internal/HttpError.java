package io.ssehub.server.internal;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the server refuses, with what the client is told: a status, a stable code, a message
 * that names the field, the value and what was expected, and the field at fault if there is one.
 * Thrown while a request is handled and turned into a JSON error body by {@link Responses#error}.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final HttpResponseStatus status;
  private final String code;
  private final String field;

  public HttpError(HttpResponseStatus status, String code, String field, String message) {
    super(message, null, false, false); // no stack trace: these are expected, and frequent under abuse
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public static HttpError badRequest(String code, String field, String message) {
    return new HttpError(HttpResponseStatus.BAD_REQUEST, code, field, message);
  }

  public HttpResponseStatus status() {
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
}
