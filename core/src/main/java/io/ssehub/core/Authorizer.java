package io.ssehub.core;

/**
 * Decides who may read and who may publish which channels: flask-sse's {@code before_request} hook
 * on the stream route, for both directions.
 *
 * <p>The hub asks it before a stream writes its first byte ({@link SseHub#subscribe}) and before an
 * adapter's publish ({@link SseHub#publishAs}); the Java API's own {@link SseHub#publish(String,
 * SseEvent)} is the application itself and is not asked. A refusal becomes an {@link
 * AccessDeniedException}: 401 for no or bad credentials, 403 for a channel the principal may not
 * use.
 *
 * <p>Implementations must be thread-safe and quick: they run on I/O threads and must not block.
 */
@FunctionalInterface
public interface Authorizer {
  /** Lets everyone read and publish everything. The default of an embedded hub. */
  Authorizer ALLOW_ALL = request -> AccessDecision.allow();

  AccessDecision authorize(AccessRequest request);
}
