/**
 * The standalone ssehub server: {@link io.ssehub.server.SseHubServer} to embed it, {@link
 * io.ssehub.server.Main} behind {@code bin/ssehub}. Everything else lives in {@code internal} and
 * may change without notice.
 */
package io.ssehub.server;
