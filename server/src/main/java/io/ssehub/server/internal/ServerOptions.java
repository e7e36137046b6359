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
 * @param overLimitRetry the {@code retry:} a stream over a connection limit is told, and {@code Retry-After}
 */
public record ServerOptions(
    JwtAuthenticator authenticator,
    CorsPolicy cors,
    int maxConnections,
    int maxConnectionsPerIp,
    int maxHeaderBytes,
    int maxUrlBytes,
    Duration requestTimeout,
    Duration overLimitRetry) {
  /** The defaults: no JWT, no CORS, no connection limits, Netty-sized headers, 10 s to send a request. */
  public static final ServerOptions DEFAULTS = new ServerOptions(null, CorsPolicy.NONE, 0, 0,
      16 * 1024, 8 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(30));
}
