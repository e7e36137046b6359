package io.ssehub.server.internal;

import io.ssehub.http.CorsPolicy;
import io.ssehub.http.JwtAuthenticator;
import java.time.Duration;

/**
 * The server's security and limit settings, as {@code SseHubServer.Builder} collected them.
 *
 * @param authenticator reads and verifies tokens; null when no JWT key is configured (no principal)
 * @param cors the CORS policy
 * @param maxConnections open connections in all; 0 for no limit
 * @param maxConnectionsPerIp open connections per client address; 0 for no limit
 * @param maxHeaderBytes the request headers' total size (431 over it)
 * @param maxUrlBytes the request line's length (414 over it)
 * @param requestTimeout how long a connection may take to send a complete request; zero for none
 * @param overLimitRetry the {@code retry:} a stream over a connection limit is told, and {@code
 *     Retry-After}
 * @param maxFanOutBacklog deliveries queued on this node and not yet written past which publishes
 *     get 503 with {@code Retry-After}; 0 for no limit
 * @param maxFanOutDelay how far behind the event loops may run before publishes get 503 with {@code
 *     Retry-After} ({@link LoopDelay}); zero for no limit
 */
public record ServerOptions(
    JwtAuthenticator authenticator,
    CorsPolicy cors,
    int maxConnections,
    int maxConnectionsPerIp,
    int maxHeaderBytes,
    int maxUrlBytes,
    Duration requestTimeout,
    Duration overLimitRetry,
    long maxFanOutBacklog,
    Duration maxFanOutDelay) {
  /**
   * About a second of writing at the rates one 2-core node reaches (200,000 to 600,000 deliveries a
   * second): the bound on how late an accepted event reaches a client that keeps up.
   */
  public static final long DEFAULT_MAX_FAN_OUT_BACKLOG = 200_000;

  /**
   * What an accepted event may wait on this node for clients that keep up, before publishers are
   * pushed back: well inside the 2 s that overload may add to a delivery.
   */
  public static final Duration DEFAULT_MAX_FAN_OUT_DELAY = Duration.ofSeconds(1);

  /**
   * The defaults: no JWT, no CORS, no connection limits, Netty-sized headers, 10 s to send a
   * request.
   */
  public static final ServerOptions DEFAULTS =
      new ServerOptions(
          null,
          CorsPolicy.NONE,
          0,
          0,
          16 * 1024,
          8 * 1024,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          DEFAULT_MAX_FAN_OUT_BACKLOG,
          DEFAULT_MAX_FAN_OUT_DELAY);
}
