/**
 * The standalone ssehub server: {@link io.ssehub.server.SseHubServer} to embed it, {@link
 * io.ssehub.server.Main} behind {@code bin/ssehub}; {@link io.ssehub.server.WritePath}, a seam for
 * benchmarks. Everything else lives in {@code internal}, which no other module imports, and may
 * change without notice.
 */
package io.ssehub.server;
