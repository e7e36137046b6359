/**
 * The server's insides: the Netty pipeline, routing, request parsing, the Netty {@code SseSink}.
 * Not an API: may change without notice.
 */
package io.ssehub.server.internal;
